import {
  InvalidInputError,
  cleanText,
  hasUnpairedSurrogate,
  isCalendarDate,
  rawLengthFor,
  refuseLongerThan,
  type TextField,
} from '@chirp/platform';
import type { ProfileChanges } from './model.js';

/**
 * The rules for what a user may type, each failing with a message that says
 * what to change and which field it is about. Free text goes through the
 * platform's one text rule (`cleanText`: raw bound first, no control
 * characters, NFC, trimmed, invisible-only is blank) before its own limits.
 */
const HANDLE_PATTERN = /^[A-Za-z0-9_]{1,15}$/;
// The HTML form rule (WHATWG "valid e-mail address"), with one change: at
// least one dot in the domain, as before. ASCII only, so no two accounts can
// differ by an invisible or look-alike character. Real proof of an address is
// a confirmation mail, not a regular expression.
const EMAIL_PATTERN =
  /^[a-zA-Z0-9.!#$%&'*+\/=?^_`{|}~-]+@[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)+$/;
const LIMITS = {
  handleLength: 15,
  emailLength: 254,
  passwordMin: 8,
  passwordMax: 128,
  nameLength: 50,
  bioLength: 160,
  websiteLength: 100,
  locationLength: 30,
} as const;

/** Length as a person counts it: in characters (code points), not UTF-16 units. */
const lengthOf = (text: string) => [...text].length;

/** A field limited to `max` characters, under the platform's text rule. */
function textField(name: string, label: string, max: number, multiline = false): TextField {
  return { name, label, maxUnits: rawLengthFor(max), tooLong: `${label} can be at most ${max} characters.`, multiline };
}

export function checkHandle(handle: string, field = 'handle'): string {
  const message = 'A handle is 1 to 15 letters, digits or underscores.';
  refuseLongerThan(handle, LIMITS.handleLength, field, message);
  if (!HANDLE_PATTERN.test(handle)) throw new InvalidInputError(field, message);
  return handle;
}

export function checkEmail(email: string, field = 'email'): string {
  const message = 'Enter a valid email address, such as ada@example.com.';
  const text = cleanText(email, { ...textField(field, 'An email address', LIMITS.emailLength), tooLong: message });
  // The length first: the pattern then only ever reads 254 characters.
  if (text.length > LIMITS.emailLength || !EMAIL_PATTERN.test(text)) throw new InvalidInputError(field, message);
  return text;
}

/**
 * Passwords are taken exactly as typed: trimming or stripping characters
 * would stop existing hashes from matching (the hasher applies NFC itself).
 * The raw bound comes first, so a huge input is never counted. Refused: NUL,
 * which no keyboard types and at which C-based hashes such as bcrypt cut the
 * password short, and unpaired surrogates, which UTF-8 turns into U+FFFD so
 * that different passwords would hash alike.
 */
export function checkPassword(password: string, field = 'password'): string {
  const message = `A password is ${LIMITS.passwordMin} to ${LIMITS.passwordMax} characters long.`;
  refuseLongerThan(password, rawLengthFor(LIMITS.passwordMax), field, message);
  const length = lengthOf(password);
  if (length < LIMITS.passwordMin || length > LIMITS.passwordMax) throw new InvalidInputError(field, message);
  if (password.includes('\0') || hasUnpairedSurrogate(password)) {
    throw new InvalidInputError(field, 'A password cannot contain NUL or broken (unpaired surrogate) characters.');
  }
  return password;
}

export function checkName(name: string, field: 'firstName' | 'lastName'): string {
  const label = field === 'firstName' ? 'First name' : 'Last name';
  const text = cleanText(name, textField(field, label, LIMITS.nameLength));
  if (text === '') throw new InvalidInputError(field, `${label} cannot be empty.`);
  if (lengthOf(text) > LIMITS.nameLength) {
    throw new InvalidInputError(field, `${label} can be at most ${LIMITS.nameLength} characters.`);
  }
  return text;
}

export function checkBirthDate(birthDate: string, today: Date, field = 'birthDate'): string {
  if (!isCalendarDate(birthDate)) throw new InvalidInputError(field, 'A birth date is a real day, as YYYY-MM-DD.');
  if (birthDate > today.toISOString().slice(0, 10)) {
    throw new InvalidInputError(field, 'A birth date cannot be in the future.');
  }
  if (birthDate < '1900-01-01') throw new InvalidInputError(field, 'A birth date cannot be before 1900.');
  return birthDate;
}

/** Optional free text: the platform's text rule, blank becomes null, then a length limit. */
function optionalText(value: string | null, field: string, max: number, label: string, multiline = false): string | null {
  if (value === null) return null;
  const text = cleanText(value, textField(field, label, max, multiline));
  if (text === '') return null;
  if (lengthOf(text) > max) throw new InvalidInputError(field, `${label} can be at most ${max} characters.`);
  return text;
}

function optionalHttpUrl(value: string | null, field: string, max: number, label: string): string | null {
  const text = optionalText(value, field, max, label);
  if (text === null) return null;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new InvalidInputError(field, `${label} must be a web address starting with http:// or https://.`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new InvalidInputError(field, `${label} must be a web address starting with http:// or https://.`);
  }
  return text;
}

/** The raw input of updateProfile: undefined means "leave it", null means "clear it". */
export type ProfileInput = { [Field in Exclude<keyof ProfileChanges, 'avatar' | 'banner'>]?: string | null };

export function checkProfileChanges(input: ProfileInput, today: Date): ProfileChanges {
  const changes: ProfileChanges = {};
  for (const field of ['firstName', 'lastName'] as const) {
    const value = input[field];
    if (value === null) throw new InvalidInputError(field, `${field === 'firstName' ? 'First' : 'Last'} name cannot be removed.`);
    if (value !== undefined) changes[field] = checkName(value, field);
  }
  if (input.birthDate !== undefined) {
    changes.birthDate = input.birthDate === null ? null : checkBirthDate(input.birthDate, today);
  }
  if (input.bio !== undefined) changes.bio = optionalText(input.bio, 'bio', LIMITS.bioLength, 'A bio', true);
  if (input.location !== undefined) {
    changes.location = optionalText(input.location, 'location', LIMITS.locationLength, 'A location');
  }
  if (input.website !== undefined) {
    changes.website = optionalHttpUrl(input.website, 'website', LIMITS.websiteLength, 'A website');
  }
  // avatarUrl and bannerUrl are the media service's (MediaService.legacyUrlChanges).
  return changes;
}

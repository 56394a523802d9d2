import { InvalidInputError, isCalendarDate } from '@chirp/platform';
import type { ProfileChanges } from './model.js';

/**
 * The rules for what a user may type, each failing with a message that says
 * what to change and which field it is about.
 */
const HANDLE_PATTERN = /^[A-Za-z0-9_]{1,15}$/;
// Deliberately loose: one @, no spaces, a dot in the domain. Real proof of an
// address is a confirmation mail, not a regular expression.
const EMAIL_PATTERN = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const LIMITS = {
  emailLength: 254,
  passwordMin: 8,
  passwordMax: 128,
  nameLength: 50,
  bioLength: 160,
  websiteLength: 100,
  locationLength: 30,
  imageUrlLength: 2048,
} as const;

/** Length as a person counts it: in characters (code points), not UTF-16 units. */
const lengthOf = (text: string) => [...text].length;

export function checkHandle(handle: string, field = 'handle'): string {
  if (!HANDLE_PATTERN.test(handle)) {
    throw new InvalidInputError(field, 'A handle is 1 to 15 letters, digits or underscores.');
  }
  return handle;
}

export function checkEmail(email: string, field = 'email'): string {
  const trimmed = email.trim();
  if (lengthOf(trimmed) > LIMITS.emailLength || !EMAIL_PATTERN.test(trimmed)) {
    throw new InvalidInputError(field, 'Enter a valid email address, such as ada@example.com.');
  }
  return trimmed;
}

export function checkPassword(password: string, field = 'password'): string {
  const length = lengthOf(password);
  if (length < LIMITS.passwordMin || length > LIMITS.passwordMax) {
    throw new InvalidInputError(
      field,
      `A password is ${LIMITS.passwordMin} to ${LIMITS.passwordMax} characters long.`,
    );
  }
  return password;
}

export function checkName(name: string, field: 'firstName' | 'lastName'): string {
  const trimmed = name.trim().normalize('NFC');
  const label = field === 'firstName' ? 'First name' : 'Last name';
  if (trimmed === '') throw new InvalidInputError(field, `${label} cannot be empty.`);
  if (lengthOf(trimmed) > LIMITS.nameLength) {
    throw new InvalidInputError(field, `${label} can be at most ${LIMITS.nameLength} characters.`);
  }
  return trimmed;
}

export function checkBirthDate(birthDate: string, today: Date, field = 'birthDate'): string {
  if (!isCalendarDate(birthDate)) throw new InvalidInputError(field, 'A birth date is a real day, as YYYY-MM-DD.');
  if (birthDate > today.toISOString().slice(0, 10)) {
    throw new InvalidInputError(field, 'A birth date cannot be in the future.');
  }
  if (birthDate < '1900-01-01') throw new InvalidInputError(field, 'A birth date cannot be before 1900.');
  return birthDate;
}

/** Optional free text: trimmed, NFC, blank becomes null, then a length limit. */
function optionalText(value: string | null, field: string, max: number, label: string): string | null {
  if (value === null) return null;
  const trimmed = value.trim().normalize('NFC');
  if (trimmed === '') return null;
  if (lengthOf(trimmed) > max) throw new InvalidInputError(field, `${label} can be at most ${max} characters.`);
  return trimmed;
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
export type ProfileInput = { [Field in keyof ProfileChanges]?: string | null };

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
  if (input.bio !== undefined) changes.bio = optionalText(input.bio, 'bio', LIMITS.bioLength, 'A bio');
  if (input.location !== undefined) {
    changes.location = optionalText(input.location, 'location', LIMITS.locationLength, 'A location');
  }
  if (input.website !== undefined) {
    changes.website = optionalHttpUrl(input.website, 'website', LIMITS.websiteLength, 'A website');
  }
  for (const field of ['avatarUrl', 'bannerUrl'] as const) {
    const value = input[field];
    if (value !== undefined) {
      const label = field === 'avatarUrl' ? 'An avatar URL' : 'A banner URL';
      changes[field] = optionalHttpUrl(value, field, LIMITS.imageUrlLength, label);
    }
  }
  return changes;
}

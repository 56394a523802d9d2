import { InvalidInputError } from './errors.js';

/**
 * One rule for all text people type (tweets, names, bio, location, web
 * addresses, email), applied in this order so that each step only reads
 * input the step before has bounded:
 *
 * 1. A bound on the raw input, in UTF-16 code units: longer input is refused
 *    unread, so no request size makes a later step (normalising, patterns,
 *    twitter-text) slow.
 * 2. Whitespace around the text is trimmed, as it always was.
 * 3. Control characters (C0, DEL, C1, NUL included) and unpaired surrogates
 *    are refused: they are invisible, corrupt logs and terminals, and an
 *    unpaired surrogate cannot be stored as UTF-8. Multi-line fields (tweets,
 *    bio) keep line feeds and tabs, with CR LF and a lone CR stored as LF.
 * 4. NFC, so the same text typed two ways is stored one way. The bound is
 *    checked again, since NFC lengthens a few characters up to three times.
 * 5. Text of nothing but whitespace and invisible characters (zero-width
 *    space, joiners, word joiner, BOM, fillers: Unicode's default-ignorable
 *    code points) is blank, and comes back as ''.
 *
 * Limits in characters, patterns and the meaning of blank are each field's own.
 */

/** How one field takes part in the rule. */
export interface TextField {
  /** The input field, reported as `extensions.field`. */
  name: string;
  /** How the messages name it: "A tweet", "First name". */
  label: string;
  /** The longest input read at all, in UTF-16 code units (see `rawLengthFor`). */
  maxUnits: number;
  /** What to say when the input is longer than `maxUnits`. */
  tooLong: string;
  /** Tweets and bios may span lines; every other field is one line. */
  multiline?: boolean;
}

/**
 * The most UTF-16 code units one character (one code point of the NFC text)
 * can take before NFC: a few letters of recent scripts, such as Gurung Khema
 * U+16126, compose from three astral code points. A field limited to N
 * characters thus never needs more than 6N units, and refusing longer input
 * unread changes nothing about what the field accepts.
 */
export const MAX_UNITS_PER_CHARACTER = 6;

/** The raw bound for a field limited to `characters` characters. */
export const rawLengthFor = (characters: number): number => characters * MAX_UNITS_PER_CHARACTER;

// With the u flag a surrogate range matches only surrogates that are not half of a pair.
const UNPAIRED_SURROGATE = /[\uD800-\uDFFF]/u;
const CONTROL = /[\u0000-\u001F\u007F-\u009F]/;
const CONTROL_BUT_LINE_FEED_OR_TAB = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F]/;
const LINE_BREAK_OR_TAB = /[\n\r\t\u2028\u2029]/;
const CR_LF_OR_CR = /\r\n?/g;
// U+2800 BRAILLE PATTERN BLANK is neither, yet renders as nothing: the usual trick for an "empty" name.
const INVISIBLE_ONLY = /^[\p{White_Space}\p{Default_Ignorable_Code_Point}\u2800]*$/u;

/** Refuses input longer than `maxUnits` UTF-16 code units without reading it. */
export function refuseLongerThan(raw: string, maxUnits: number, field: string, message: string): void {
  if (raw.length > maxUnits) throw new InvalidInputError(field, message);
}

/** Whether a person would see nothing: only whitespace and invisible characters. */
export const isBlank = (text: string): boolean => INVISIBLE_ONLY.test(text);

/** Whether the text holds half of a surrogate pair on its own (not valid Unicode). */
export const hasUnpairedSurrogate = (text: string): boolean => UNPAIRED_SURROGATE.test(text);

/** How a character is named in a message: U+0007. */
const codePointName = (char: string) => `U+${(char.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`;

function refuseForbiddenCharacters(text: string, field: TextField): void {
  if (!field.multiline && LINE_BREAK_OR_TAB.test(text)) {
    throw new InvalidInputError(field.name, `${field.label} is one line: it cannot contain line breaks or tabs.`);
  }
  const control = (field.multiline ? CONTROL_BUT_LINE_FEED_OR_TAB : CONTROL).exec(text);
  if (control) {
    throw new InvalidInputError(
      field.name,
      `${field.label} cannot contain control characters (found ${codePointName(control[0])}).`,
    );
  }
  if (hasUnpairedSurrogate(text)) {
    throw new InvalidInputError(field.name, `${field.label} contains a broken character (half of a UTF-16 surrogate pair).`);
  }
}

/**
 * The text as stored, by the rule above: trimmed, NFC, '' when blank.
 * Throws `InvalidInputError` (BAD_USER_INPUT) for input over the bound or
 * with a forbidden character. Limits in characters are the caller's to check.
 */
export function cleanText(raw: string, field: TextField): string {
  refuseLongerThan(raw, field.maxUnits, field.name, field.tooLong);
  const trimmed = raw.trim();
  const lines = field.multiline ? trimmed.replace(CR_LF_OR_CR, '\n') : trimmed;
  refuseForbiddenCharacters(lines, field);
  const text = lines.normalize('NFC');
  refuseLongerThan(text, field.maxUnits, field.name, field.tooLong);
  return isBlank(text) ? '' : text;
}

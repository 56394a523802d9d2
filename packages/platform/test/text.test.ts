import {
  InvalidInputError,
  MAX_UNITS_PER_CHARACTER,
  cleanText,
  hasUnpairedSurrogate,
  isBlank,
  rawLengthFor,
  type TextField,
} from '@chirp/platform';

const oneLine: TextField = { name: 'location', label: 'A location', maxUnits: 60, tooLong: 'A location is too long.' };
const lines: TextField = { ...oneLine, name: 'bio', label: 'A bio', multiline: true, tooLong: 'A bio is too long.' };

function refusal(raw: string, field: TextField = oneLine) {
  try {
    cleanText(raw, field);
  } catch (error) {
    if (error instanceof InvalidInputError) return { field: error.field, message: error.message };
    throw error;
  }
  return undefined;
}

describe('the text rule', () => {
  it('trims and normalises to NFC', () => {
    expect(cleanText('  cafe\u0301 ', oneLine)).toBe('caf\u00e9');
  });

  it('refuses raw input over the bound before reading it, whatever it holds', () => {
    expect(cleanText('x'.repeat(60), oneLine)).toHaveLength(60);
    // NUL and a lone surrogate would be refused too, but the bound speaks first.
    expect(refusal(`${'x'.repeat(60)}\0\uD800`)).toEqual({ field: 'location', message: 'A location is too long.' });
  });

  it('refuses in well under a millisecond per request however big the input', () => {
    const huge = 'a.'.repeat(5_000_000);
    const started = performance.now();
    expect(refusal(huge)).toEqual({ field: 'location', message: 'A location is too long.' });
    expect(performance.now() - started).toBeLessThan(50);
  });

  it('checks the bound again after NFC, which lengthens a few characters', () => {
    // U+FB2C is one unit and becomes three under NFC.
    expect(cleanText('\uFB2C'.repeat(20), oneLine)).toHaveLength(60);
    expect(refusal('\uFB2C'.repeat(21))).toEqual({ field: 'location', message: 'A location is too long.' });
  });

  it('refuses NUL, C0, DEL and C1 control characters, naming the one found', () => {
    for (const [text, name] of [
      ['a\0b', 'U+0000'],
      ['a\u0007b', 'U+0007'],
      ['a\u001Bb', 'U+001B'],
      ['a\u007Fb', 'U+007F'],
      ['a\u0085b', 'U+0085'],
      ['a\u009Fb', 'U+009F'],
    ] as const) {
      for (const field of [oneLine, lines]) {
        expect(refusal(text, field)).toEqual({
          field: field.name,
          message: `${field.label} cannot contain control characters (found ${name}).`,
        });
      }
    }
  });

  it('keeps line feeds and tabs in multi-line fields, storing CR LF and CR as LF', () => {
    expect(cleanText('one\n\ttwo\r\nthree\rfour', lines)).toBe('one\n\ttwo\nthree\nfour');
    expect(refusal('one\u000Btwo', lines)).toMatchObject({ message: 'A bio cannot contain control characters (found U+000B).' });
  });

  it('refuses line breaks and tabs inside one-line fields, after trimming them off the ends', () => {
    expect(cleanText('\tParis\r\n', oneLine)).toBe('Paris');
    for (const text of ['Par\nis', 'Par\ris', 'Par\tis', 'Par\u2028is']) {
      expect(refusal(text)).toEqual({ field: 'location', message: 'A location is one line: it cannot contain line breaks or tabs.' });
    }
  });

  it('refuses unpaired surrogates and keeps pairs', () => {
    expect(cleanText('ok 😀', oneLine)).toBe('ok 😀');
    for (const text of ['a\uD83D', '\uDE00a', 'a\uDE00\uD83Db']) {
      expect(refusal(text)).toEqual({ field: 'location', message: 'A location contains a broken character (half of a UTF-16 surrogate pair).' });
    }
  });

  it('counts text of only whitespace and invisible characters as blank', () => {
    for (const blank of ['', '   ', '\u200B', '\u200C\u200D', '\u2060', '\uFEFF', '\u00AD', '\u3164', '\u2800', ' \u200B\u3000\u200B ']) {
      expect(isBlank(blank)).toBe(true);
      expect(cleanText(blank, oneLine)).toBe('');
    }
    expect(cleanText('\u200Ba', oneLine)).toBe('\u200Ba'); // visible text keeps what it was typed with
    expect(cleanText('\n\u200B\n', lines)).toBe('');
  });

  it('tells unpaired surrogates from pairs', () => {
    expect(hasUnpairedSurrogate('😀')).toBe(false);
    expect(hasUnpairedSurrogate('\uD83D')).toBe(true);
  });

  it('bounds a field of N characters at 6N units, which no N-character text exceeds', () => {
    expect(rawLengthFor(50)).toBe(50 * MAX_UNITS_PER_CHARACTER);
    // The longest case: one NFC character that is three astral code points before NFC.
    const decomposed = '\u{16126}'.normalize('NFD');
    expect(decomposed).toHaveLength(MAX_UNITS_PER_CHARACTER);
    const name = { ...oneLine, maxUnits: rawLengthFor(50) };
    expect([...cleanText(decomposed.repeat(50), name)]).toHaveLength(50);
  });
});

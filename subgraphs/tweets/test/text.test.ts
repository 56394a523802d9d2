import { InvalidInputError } from '@chirp/platform';
import { MAX_TWEET_RAW_LENGTH, checkTweetText, checkWeightedLength, cleanTweetText } from '../src/domain/text.js';

const refusal = (text: string) => {
  try {
    checkTweetText(text);
  } catch (error) {
    if (error instanceof InvalidInputError) return { field: error.field, message: error.message };
    throw error;
  }
  return undefined;
};

describe('tweet text', () => {
  it('accepts up to 280 plain characters', () => {
    expect(checkTweetText('x'.repeat(280))).toHaveLength(280);
    expect(refusal('x'.repeat(281))).toEqual({ field: 'text', message: expect.stringContaining('counts 281') });
  });

  it('counts a URL as 23 whatever its length', () => {
    const url = `https://example.com/${'a'.repeat(200)}`;
    expect(checkTweetText(`${'x'.repeat(256)} ${url}`)).toContain(url); // 256 + 1 + 23 = 280
    expect(refusal(`${'x'.repeat(257)} ${url}`)).toBeDefined();
  });

  it('counts CJK characters as 2', () => {
    expect(checkTweetText('日'.repeat(140))).toHaveLength(140);
    expect(refusal('日'.repeat(141))).toBeDefined();
  });

  it('counts an emoji as 2, as Twitter does', () => {
    expect(checkTweetText('😀'.repeat(140))).toBeDefined();
    expect(refusal('😀'.repeat(141))).toBeDefined();
  });

  it('refuses empty and blank text', () => {
    for (const blank of ['', '   ', '\n\t ']) expect(refusal(blank)).toEqual({ field: 'text', message: 'A tweet needs some text.' });
  });

  it('normalises to NFC and trims', () => {
    expect(checkTweetText('  cafe\u0301  ')).toBe('caf\u00e9');
  });

  it('counts text of only invisible characters as blank', () => {
    for (const blank of ['\u200B', '\u200B\u200C\u200D', ' \u2060\uFEFF\n']) {
      expect(refusal(blank)).toEqual({ field: 'text', message: 'A tweet needs some text.' });
    }
  });

  it('keeps line breaks and tabs, and refuses control characters and broken surrogates', () => {
    expect(checkTweetText('line one\r\n\tline two')).toBe('line one\n\tline two');
    expect(refusal('bell\u0007')).toEqual({ field: 'text', message: 'A tweet cannot contain control characters (found U+0007).' });
    expect(refusal('nul\0')).toMatchObject({ message: expect.stringContaining('U+0000') });
    expect(refusal('half \uD83D')).toMatchObject({ field: 'text', message: expect.stringContaining('broken character') });
  });
});

describe('tweet text size', () => {
  const overBound = { field: 'text', message: expect.stringContaining(`${MAX_TWEET_RAW_LENGTH} as typed`) };

  it('is bounded at 1120 UTF-16 units as typed, 4 per weighted character', () => {
    expect(MAX_TWEET_RAW_LENGTH).toBe(1120);
  });

  it('accepts a long link up to the bound, and refuses one unit more without counting', () => {
    const text = (linkLength: number) => `${'x'.repeat(256)} https://example.com/${'a'.repeat(linkLength - 20)}`;
    expect(text(863)).toHaveLength(1120);
    expect(checkTweetText(text(863))).toBe(text(863)); // counts 256 + 1 + 23 = 280
    expect(refusal(text(864))).toEqual(overBound);
  });

  it('accepts 140 emoji of 5 units each (700 units, counting 280)', () => {
    expect(checkTweetText('👩‍💻'.repeat(140))).toHaveLength(700);
  });

  it('refuses 50 KB of link-like text at once, where twitter-text alone takes seconds', () => {
    for (const unit of ['a.', 'я.']) {
      const started = performance.now();
      expect(refusal(unit.repeat(25_000))).toEqual(overBound);
      expect(performance.now() - started).toBeLessThan(50);
    }
  });

  it('counts the worst text of an accepted size quickly', () => {
    const started = performance.now();
    expect(refusal('я.'.repeat(MAX_TWEET_RAW_LENGTH / 2))).toMatchObject({ message: expect.stringContaining('counts 1120') });
    expect(performance.now() - started).toBeLessThan(500); // about 10 ms; 19 s at 50 KB before the bound
  });

  it('splits into a cheap check and the weighted count', () => {
    expect(cleanTweetText('  hello ')).toBe('hello');
    expect(() => cleanTweetText('x'.repeat(281))).not.toThrow(); // the count is not the cheap half's job
    expect(() => checkWeightedLength('x'.repeat(281))).toThrow(InvalidInputError);
  });
});

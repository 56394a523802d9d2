import { InvalidInputError } from '@chirp/platform';
import { checkTweetText } from '../src/domain/text.js';

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
});

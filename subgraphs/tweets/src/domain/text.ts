import twitterText from 'twitter-text';
import { InvalidInputError } from '@chirp/platform';

export const MAX_WEIGHTED_LENGTH = 280;

/**
 * A tweet's text, checked as Twitter checks it: NFC-normalised, trimmed, not
 * blank, and at most 280 by twitter-text's weighted count (a URL counts 23,
 * a CJK character 2, most others 1).
 */
export function checkTweetText(raw: string, field = 'text'): string {
  const text = raw.normalize('NFC').trim();
  if (text === '') throw new InvalidInputError(field, 'A tweet needs some text.');
  const { weightedLength } = twitterText.parseTweet(text);
  if (weightedLength > MAX_WEIGHTED_LENGTH) {
    throw new InvalidInputError(
      field,
      `A tweet can be at most ${MAX_WEIGHTED_LENGTH} characters; this one counts ${weightedLength} (links count 23, CJK characters 2).`,
    );
  }
  return text;
}

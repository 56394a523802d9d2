import twitterText from 'twitter-text';
import { InvalidInputError, cleanText } from '@chirp/platform';

export const MAX_WEIGHTED_LENGTH = 280;

/**
 * The most raw text a tweet may have, links included, in UTF-16 code units:
 * 4 for each of its 280 weighted characters. There is no exact bound to
 * derive instead: twitter-text counts a link 23 whatever its length (up to
 * 4,096), so twelve long links make a tweet of about 49,000 units that counts
 * 280, and its link scan takes time quadratic in a run without spaces
 * (measured: about 10 ms at 1,120 units, 1.1 s at 30,000, 19 s at 50,000 of
 * "я.я.я."). 1,120 leaves room for 280 characters of any script (1 or 2
 * units each), 140 emoji of up to 8 units (flags, skin tones, most ZWJ
 * sequences), or 256 characters and a link of 863; longer text is refused
 * before twitter-text reads it.
 */
export const MAX_TWEET_RAW_LENGTH = 4 * MAX_WEIGHTED_LENGTH;

const tweetField = (field: string) => ({
  name: field,
  label: 'A tweet',
  maxUnits: MAX_TWEET_RAW_LENGTH,
  tooLong: `A tweet can be at most ${MAX_WEIGHTED_LENGTH} characters as counted (links count 23) and ${MAX_TWEET_RAW_LENGTH} as typed, links in full; this text is longer.`,
  multiline: true,
});

/**
 * The cheap half of the check, linear in a bounded input: the platform's text
 * rule (raw bound, no control characters, NFC, trimmed) and not blank.
 */
export function cleanTweetText(raw: string, field = 'text'): string {
  const text = cleanText(raw, tweetField(field));
  if (text === '') throw new InvalidInputError(field, 'A tweet needs some text.');
  return text;
}

/**
 * The costly half, for text `cleanTweetText` has passed: at most 280 by
 * twitter-text's weighted count (a URL counts 23, a CJK character 2, most
 * others 1).
 */
export function checkWeightedLength(text: string, field = 'text'): string {
  const { weightedLength } = twitterText.parseTweet(text);
  if (weightedLength > MAX_WEIGHTED_LENGTH) {
    throw new InvalidInputError(
      field,
      `A tweet can be at most ${MAX_WEIGHTED_LENGTH} characters; this one counts ${weightedLength} (links count 23, CJK characters 2).`,
    );
  }
  return text;
}

/** A tweet's text, checked as Twitter checks it, after the platform's text rule. */
export function checkTweetText(raw: string, field = 'text'): string {
  return checkWeightedLength(cleanTweetText(raw, field), field);
}

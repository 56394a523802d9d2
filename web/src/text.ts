import { useEffect, useState } from 'react';

/** The server's rule (subgraphs/tweets/src/domain/text.ts): 280 as twitter-text weighs it. */
export const MAX_WEIGHTED_LENGTH = 280;
/** And at most this many UTF-16 units as typed: the server refuses longer text before weighing it. */
export const MAX_RAW_LENGTH = 4 * MAX_WEIGHTED_LENGTH;

export interface TweetLength {
  weighted: number;
  remaining: number;
  /** Something to post, within both bounds. */
  postable: boolean;
}

type TwitterText = typeof import('twitter-text');
let twitterText: Promise<TwitterText> | undefined;

/**
 * twitter-text (with its TLD tables and polyfills) is a fifth of the code,
 * and only writing needs it: it is fetched at the first keystroke, or a
 * moment after a composer appears, not before the timeline's first paint.
 */
function loadTwitterText(): Promise<TwitterText> {
  twitterText ??= import('twitter-text').then((module) => ('default' in module ? (module.default as TwitterText) : module));
  return twitterText;
}

/** How long after a composer appears twitter-text is fetched if nobody types. */
const SETTLE_MS = 2000;

/**
 * The same count the server makes: a link 23, a CJK character 2, most
 * others 1. Until twitter-text has loaded (a moment, once), characters are
 * counted one each and nothing can be posted.
 */
export function useTweetLength(text: string): TweetLength {
  const [rules, setRules] = useState<TwitterText | null>(null);
  const typing = text !== '';
  useEffect(() => {
    let current = true;
    const load = () => void loadTwitterText().then((loaded) => current && setRules(() => loaded));
    // At the first keystroke, or once the page has settled: never in the way of the first paint.
    const settled = typing ? undefined : setTimeout(load, SETTLE_MS);
    if (typing) load();
    return () => {
      current = false;
      clearTimeout(settled);
    };
  }, [typing]);
  const blank = text.trim() === '';
  const weighted = blank ? 0 : rules ? rules.parseTweet(text).weightedLength : [...text].length;
  const remaining = MAX_WEIGHTED_LENGTH - weighted;
  return { weighted, remaining, postable: rules !== null && !blank && remaining >= 0 && text.length <= MAX_RAW_LENGTH };
}

export type TextPart = { kind: 'text'; text: string } | { kind: 'link'; text: string; href: string };

/** http(s) links, without the punctuation that usually follows one in a sentence. */
const LINK = /\bhttps?:\/\/[^\s<>"]+[^\s<>".,:;!?)\]']/gi;

/**
 * A tweet's text split into plain runs and links, for React to render
 * (never as HTML). Only links typed in full are linked: a reader needs no
 * TLD tables for that.
 */
export function linkify(text: string): TextPart[] {
  const parts: TextPart[] = [];
  let at = 0;
  for (const match of text.matchAll(LINK)) {
    const start = match.index;
    if (start > at) parts.push({ kind: 'text', text: text.slice(at, start) });
    parts.push({ kind: 'link', text: match[0], href: match[0] });
    at = start + match[0].length;
  }
  if (at < text.length) parts.push({ kind: 'text', text: text.slice(at) });
  return parts;
}

const relative = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto', style: 'short' });
const absolute = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

/** "3 min ago", "yesterday"; the full date past a week. */
export function timeAgo(iso: string, now = Date.now()): string {
  const seconds = Math.round((new Date(iso).getTime() - now) / 1000);
  const steps: Array<[Intl.RelativeTimeFormatUnit, number]> = [['second', 60], ['minute', 60], ['hour', 24], ['day', 7]];
  let value = seconds;
  for (const [unit, size] of steps) {
    if (Math.abs(value) < size) return unit === 'second' && Math.abs(value) < 10 ? 'now' : relative.format(value, unit);
    value = Math.round(value / size);
  }
  return absolute.format(new Date(iso));
}

export function fullDate(iso: string): string {
  return absolute.format(new Date(iso));
}

import type { TweetProjectionRepository } from '../repositories/types.js';
import type { TimelineStore } from '../stores/types.js';

/**
 * A rebuild reads about this many ids over all its authors' lists, and at
 * least this many of each: a user following a few hundred accounts reads
 * each list whole; one following thousands reads their heads, and the
 * timeline's window is the part they cover.
 */
const REBUILD_READ_BUDGET = 32_000;
const REBUILD_READ_PER_AUTHOR = 32;

/** How many ids of each author's list a rebuild of a timeline with `authors` authors reads. */
export function rebuildReadLimit(authors: number, maxLength: number): number {
  return Math.min(maxLength, Math.max(REBUILD_READ_PER_AUTHOR, Math.ceil(REBUILD_READ_BUDGET / authors)));
}

/**
 * Fills an author's list of recent ids from the tweets projection (where
 * Redis has none) and returns what it read, newest first. A merge, so a
 * fill racing the fan-out of a new tweet loses neither.
 */
export async function refillRecent(
  deps: { store: TimelineStore; tweets: TweetProjectionRepository; settings: { maxLength: number } },
  authorId: string,
): Promise<string[]> {
  const ids = await deps.tweets.latestIds([authorId], deps.settings.maxLength);
  await deps.store.mergeRecent(authorId, ids);
  return ids;
}

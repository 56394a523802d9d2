import type { LikeCount, LikeEdgeState } from '../domain/model.js';

/**
 * The hot part of the like projection, beside the cards (Redis in
 * production, an in-process twin otherwise; both pass
 * `test/like-cache.test.ts`). Bounded to what timelines show: every entry
 * lives `ttlSeconds` from its creation, and a miss is filled from MongoDB.
 *
 * - `likes:<tweet>`: the tweet's like count, `<version>|<count>`.
 * - `liked:<user>`: a hash, tweet id → the user's edge to it as a signed seq
 *   (`+seq` likes, `-seq` does not, `0` never did). Only the tweets the user
 *   liked or unliked lately, or was shown, are in it: a missing field means
 *   "not known", not "does not like".
 *
 * Every write lands only if it is newer (a higher count version, a higher
 * edge seq), so a read-through fill of what MongoDB held a moment ago never
 * puts an old state back over an event's fresher one.
 */
export interface LikeCache {
  /** Each tweet's cached count and whether the viewer likes it (null where not cached), in one round trip. */
  read(viewerId: string, tweetIds: readonly string[]): Promise<CachedLikes[]>;
  putCounts(counts: readonly LikeCount[]): Promise<void>;
  /** One user's edges (any tweets); seq 0 caches "never liked". */
  putStates(userId: string, edges: ReadonlyArray<Omit<LikeEdgeState, 'userId'>>): Promise<void>;
}

export interface CachedLikes {
  count: number | null;
  liked: boolean | null;
}

/** The stored form of an edge's state in `liked:<user>`: the sign says whether it is active. */
export function signedSeq(edge: { active: boolean; seq: number }): number {
  return edge.active ? edge.seq : -edge.seq;
}

/** Whether a signed seq is newer than the one stored (undefined: nothing stored yet). */
export function isNewerState(incoming: number, stored: number | undefined): boolean {
  return stored === undefined || Math.abs(incoming) > Math.abs(stored);
}

import type { AuthorRecord, LikeCount, LikeEdgeState, TweetRecord } from '../domain/model.js';

/** One edge of the projected follow graph, at the `seq`-th change of its state. */
export interface EdgeState {
  followerId: string;
  followeeId: string;
  active: boolean;
  seq: number;
}

export interface FollowGraphRepository {
  /** Stores the state unless one with an equal or higher `seq` is there already; true when stored. */
  apply(edge: EdgeState): Promise<boolean>;
  /** Whom `userId` follows now. */
  followeesOf(userId: string): Promise<string[]>;
  /** Who follows `userId` now. */
  followersOf(userId: string): Promise<string[]>;
  /** How many follow `userId`, counting at most to `atMost` (enough to compare with a threshold). */
  countFollowers(userId: string, atMost: number): Promise<number>;
}

export interface TweetProjectionRepository {
  /**
   * Stores the tweet unless a newer version is there; returns the stored
   * record (the newer one when this change was stale).
   */
  apply(tweet: TweetRecord): Promise<TweetRecord>;
  findByIds(ids: readonly string[]): Promise<TweetRecord[]>;
  /** Ids of tweets by these authors that are not deleted, newest first, older than `beforeId`. */
  latestIds(authorIds: readonly string[], limit: number, beforeId?: string): Promise<string[]>;
}

export interface AuthorRepository {
  /** Stores the profile unless a newer version is there. */
  apply(author: AuthorRecord): Promise<void>;
  findByIds(ids: readonly string[]): Promise<AuthorRecord[]>;
}

/**
 * The like edges as the tweets subgraph's like events last described them,
 * and per tweet the number of active ones. A count is derived from the
 * edges (never adjusted by deltas), so applying a change twice, late or
 * alongside another consumer can delay the exact count, never skew it.
 */
export interface LikeProjectionRepository {
  /** Stores the state unless one with an equal or higher `seq` is there; returns the edge as stored (the newer one when this change was stale). */
  apply(edge: LikeEdgeState): Promise<LikeEdgeState>;
  /**
   * Counts the tweet's active likes and stores the count with a new version,
   * unless another settle of the same tweet started meanwhile (its count,
   * taken later, wins); the stored count, or null when overtaken.
   */
  settleCount(tweetId: string): Promise<LikeCount | null>;
  /** The settled counts of these tweets; a tweet never liked counts 0 at version 0. */
  counts(tweetIds: readonly string[]): Promise<LikeCount[]>;
  /** The user's edges to these tweets; an edge that never existed is inactive at seq 0. */
  states(userId: string, tweetIds: readonly string[]): Promise<LikeEdgeState[]>;
}

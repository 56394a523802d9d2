import type { LikeEdge, LikeState, NewTweet, Tweet } from '../domain/model.js';

/** Another tweet has this id already (two instances drew the same node number in the same millisecond). */
export class DuplicateTweetIdError extends Error {
  constructor(readonly id: string) {
    super(`duplicate tweet id ${id}`);
  }
}

export interface TweetRepository {
  /** Stores a new tweet at version 1 with its change unpublished; DuplicateTweetIdError if the id is taken. */
  create(tweet: NewTweet): Promise<Tweet>;
  /** Deleted tweets included (the domain decides what they mean). */
  findById(id: string): Promise<Tweet | null>;
  findByIds(ids: readonly string[]): Promise<Tweet[]>;
  /** The author's tweets that are not deleted, newest first, older than `beforeId`. */
  listByAuthor(authorId: string, limit: number, beforeId?: string): Promise<Tweet[]>;
  countByAuthor(authorId: string): Promise<number>;
  /** Changes the text of a tweet that is not deleted; null otherwise. */
  edit(id: string, text: string, at: Date): Promise<Tweet | null>;
  /** Deletes a tweet; null when there is no such tweet or it was deleted already. */
  markDeleted(id: string, at: Date): Promise<Tweet | null>;
  /**
   * Records that the tweet's likes changed and its count must be settled.
   * Returns the token that `settleLikeCount` needs: only the latest change's
   * token settles, so a count taken before a later change never wins.
   */
  markLikeCountStale(id: string): Promise<string>;
  /** Stores the counted likes if no like changed since `token`; true when stored. */
  settleLikeCount(id: string, token: string, likeCount: number): Promise<boolean>;
  findUnpublished(olderThan: Date, limit: number): Promise<Tweet[]>;
  markPublished(id: string, version: number): Promise<void>;
}

export interface LikeRepository {
  /** Sets the edge's state; the edge after its change, or null when it was already so. */
  setActive(tweetId: string, userId: string, active: boolean, at: Date): Promise<LikeEdge | null>;
  countActive(tweetId: string): Promise<number>;
  /** The user's like of each of these tweets, by tweet id; tweets never liked are left out. */
  likeStates(userId: string, tweetIds: readonly string[]): Promise<Map<string, LikeState>>;
  findUnpublished(olderThan: Date, limit: number): Promise<LikeEdge[]>;
  markPublished(tweetId: string, userId: string, seq: number): Promise<void>;
}

export interface TweetsRepositories {
  tweets: TweetRepository;
  likes: LikeRepository;
}

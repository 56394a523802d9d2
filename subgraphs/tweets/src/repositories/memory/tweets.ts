import { randomUUID } from 'node:crypto';
import { PendingChanges } from '@chirp/platform';
import type { NewTweet, Tweet } from '../../domain/model.js';
import { DuplicateTweetIdError, type TweetRepository } from '../types.js';

/** The tweets collection in a Map, with MongoDB's rules. Lists scan everything: development only. */
export class InMemoryTweetRepository implements TweetRepository {
  private readonly tweets = new Map<string, Tweet>();
  private readonly likeCountTokens = new Map<string, string>();
  private readonly unpublished = new PendingChanges();

  async create(tweet: NewTweet): Promise<Tweet> {
    if (this.tweets.has(tweet.id)) throw new DuplicateTweetIdError(tweet.id);
    const stored: Tweet = { ...tweet, editedAt: null, deletedAt: null, likeCount: 0, version: 1, revision: 1 };
    this.tweets.set(tweet.id, stored);
    this.unpublished.mark(tweet.id, 1, tweet.createdAt);
    return { ...stored };
  }

  async findById(id: string): Promise<Tweet | null> {
    const tweet = this.tweets.get(id);
    return tweet ? { ...tweet } : null;
  }

  async findByIds(ids: readonly string[]): Promise<Tweet[]> {
    return ids.flatMap((id) => {
      const tweet = this.tweets.get(id);
      return tweet ? [{ ...tweet }] : [];
    });
  }

  async listByAuthor(authorId: string, limit: number, beforeId?: string): Promise<Tweet[]> {
    return this.ofAuthor(authorId)
      .filter((tweet) => !beforeId || tweet.id < beforeId)
      .sort((a, b) => (a.id < b.id ? 1 : -1))
      .slice(0, limit)
      .map((tweet) => ({ ...tweet }));
  }

  async countByAuthor(authorId: string): Promise<number> {
    return this.ofAuthor(authorId).length;
  }

  async edit(id: string, text: string, at: Date): Promise<Tweet | null> {
    return this.change(id, at, { text, editedAt: at });
  }

  async markDeleted(id: string, at: Date): Promise<Tweet | null> {
    return this.change(id, at, { deletedAt: at });
  }

  async markLikeCountStale(id: string): Promise<string> {
    const token = randomUUID();
    this.likeCountTokens.set(id, token);
    return token;
  }

  async settleLikeCount(id: string, token: string, likeCount: number): Promise<boolean> {
    const tweet = this.tweets.get(id);
    if (!tweet || this.likeCountTokens.get(id) !== token) return false;
    this.likeCountTokens.delete(id);
    tweet.likeCount = likeCount;
    tweet.revision += 1;
    return true;
  }

  async findUnpublished(olderThan: Date, limit: number): Promise<Tweet[]> {
    return this.findByIds(this.unpublished.olderThan(olderThan, limit));
  }

  async markPublished(id: string, version: number): Promise<void> {
    this.unpublished.settle(id, version);
  }

  private ofAuthor(authorId: string): Tweet[] {
    return [...this.tweets.values()].filter((tweet) => tweet.authorId === authorId && !tweet.deletedAt);
  }

  private change(id: string, at: Date, changes: Partial<Tweet>): Tweet | null {
    const tweet = this.tweets.get(id);
    if (!tweet || tweet.deletedAt) return null;
    Object.assign(tweet, changes, { version: tweet.version + 1, revision: tweet.revision + 1 });
    this.unpublished.mark(id, tweet.version, at);
    return { ...tweet };
  }
}

import type { TweetRecord } from '../../domain/model.js';
import type { TweetProjectionRepository } from '../types.js';

export class InMemoryTweetProjectionRepository implements TweetProjectionRepository {
  private readonly tweets = new Map<string, { record: TweetRecord; receivedAt: Date }>();

  async apply(tweet: TweetRecord, receivedAt: Date): Promise<TweetRecord> {
    const stored = this.tweets.get(tweet.id);
    if (stored && stored.record.version > tweet.version) return { ...stored.record };
    this.tweets.set(tweet.id, { record: { ...tweet }, receivedAt: stored?.receivedAt ?? receivedAt });
    return { ...tweet };
  }

  async findByIds(ids: readonly string[]): Promise<TweetRecord[]> {
    return ids.flatMap((id) => {
      const stored = this.tweets.get(id);
      return stored ? [{ ...stored.record }] : [];
    });
  }

  async latestIds(authorIds: readonly string[], limit: number, beforeId?: string): Promise<string[]> {
    const authors = new Set(authorIds);
    return [...this.tweets.values()]
      .map((stored) => stored.record)
      .filter((tweet) => authors.has(tweet.authorId) && !tweet.deleted && (!beforeId || tweet.id < beforeId))
      .map((tweet) => tweet.id)
      .sort()
      .reverse()
      .slice(0, limit);
  }

  async receivedSince(authorIds: readonly string[], since: Date): Promise<string[]> {
    const authors = new Set(authorIds);
    return [...this.tweets.values()]
      .filter((stored) => authors.has(stored.record.authorId) && stored.receivedAt >= since)
      .map((stored) => stored.record.id);
  }
}

import type { TweetRecord } from '../../domain/model.js';
import type { TweetProjectionRepository } from '../types.js';

export class InMemoryTweetProjectionRepository implements TweetProjectionRepository {
  private readonly tweets = new Map<string, { record: TweetRecord }>();

  async apply(tweet: TweetRecord): Promise<TweetRecord> {
    const stored = this.tweets.get(tweet.id);
    if (stored && stored.record.version > tweet.version) return { ...stored.record };
    this.tweets.set(tweet.id, { record: { ...tweet } });
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
}

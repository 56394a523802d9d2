import type { DeletedTweetRepository } from '../types.js';

export class InMemoryDeletedTweetRepository implements DeletedTweetRepository {
  private readonly tweetIds = new Set<string>();

  async add(tweetId: string): Promise<void> {
    this.tweetIds.add(tweetId);
  }

  async has(tweetId: string): Promise<boolean> {
    return this.tweetIds.has(tweetId);
  }
}

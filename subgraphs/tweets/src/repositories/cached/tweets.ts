import { readThroughInOrder, type CachedRecords, type VersionedCache } from '@chirp/platform';
import type { NewTweet, Tweet } from '../../domain/model.js';
import type { TweetRepository } from '../types.js';

const TTL_SECONDS = 3600;

/** Entries carry the tweet's revision (+1 on any change, like count included). */
const TWEETS: CachedRecords<Tweet> = {
  key: (id) => `tweet:${id}`,
  entry: (tweet) => ({ key: `tweet:${tweet.id}`, version: tweet.revision, value: JSON.stringify(tweet), ttlSeconds: TTL_SECONDS }),
  revive,
};

/**
 * The hot-tweet cache in front of the tweets collection: reads by id come
 * from Redis when warm; every write puts the new document in. Entries carry
 * the tweet's revision, so a reader's fill never overwrites a fresher write.
 */
export class CachedTweetRepository implements TweetRepository {
  constructor(
    private readonly inner: TweetRepository,
    private readonly cache: VersionedCache,
  ) {}

  async create(tweet: NewTweet): Promise<Tweet> {
    return this.remember(await this.inner.create(tweet));
  }

  async findById(id: string): Promise<Tweet | null> {
    return (await this.findByIds([id]))[0] ?? null;
  }

  findByIds(ids: readonly string[]): Promise<Tweet[]> {
    return readThroughInOrder(this.cache, TWEETS, ids, (missing) => this.inner.findByIds(missing));
  }

  listByAuthor(authorId: string, limit: number, beforeId?: string): Promise<Tweet[]> {
    return this.inner.listByAuthor(authorId, limit, beforeId);
  }

  countByAuthor(authorId: string): Promise<number> {
    return this.inner.countByAuthor(authorId);
  }

  async edit(id: string, text: string, at: Date): Promise<Tweet | null> {
    return this.rememberIfAny(await this.inner.edit(id, text, at));
  }

  async markDeleted(id: string, at: Date): Promise<Tweet | null> {
    return this.rememberIfAny(await this.inner.markDeleted(id, at));
  }

  markLikeCountStale(id: string): Promise<string> {
    return this.inner.markLikeCountStale(id);
  }

  async settleLikeCount(id: string, token: string, likeCount: number): Promise<boolean> {
    const stored = await this.inner.settleLikeCount(id, token, likeCount);
    if (stored) {
      const [tweet] = await this.inner.findByIds([id]);
      if (tweet) await this.remember(tweet);
    }
    return stored;
  }

  findUnpublished(olderThan: Date, limit: number): Promise<Tweet[]> {
    return this.inner.findUnpublished(olderThan, limit);
  }

  markPublished(id: string, version: number): Promise<void> {
    return this.inner.markPublished(id, version);
  }

  private async remember(tweet: Tweet): Promise<Tweet> {
    await this.cache.setManyIfNewer([TWEETS.entry(tweet)]);
    return tweet;
  }

  private async rememberIfAny(tweet: Tweet | null): Promise<Tweet | null> {
    return tweet ? this.remember(tweet) : null;
  }
}

function revive(value: string): Tweet {
  const tweet = JSON.parse(value) as Tweet;
  return {
    ...tweet,
    createdAt: new Date(tweet.createdAt),
    editedAt: tweet.editedAt ? new Date(tweet.editedAt) : null,
    deletedAt: tweet.deletedAt ? new Date(tweet.deletedAt) : null,
  };
}

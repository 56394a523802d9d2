import type { Db } from 'mongodb';
import type { VersionedCache } from '@chirp/platform';
import { CachedLikeRepository } from './cached/likes.js';
import { CachedTweetRepository } from './cached/tweets.js';
import { InMemoryLikeRepository } from './memory/likes.js';
import { InMemoryTweetRepository } from './memory/tweets.js';
import { MongoLikeRepository } from './mongo/likes.js';
import { MongoTweetRepository } from './mongo/tweets.js';
import type { TweetsRepositories } from './types.js';

export * from './types.js';
export { CachedLikeRepository, CachedTweetRepository, InMemoryLikeRepository, InMemoryTweetRepository, MongoLikeRepository, MongoTweetRepository };

/** MongoDB when there is a database, in-memory otherwise; either way behind the Redis caches. */
export async function createRepositories(db: Db | undefined, cache: VersionedCache): Promise<TweetsRepositories> {
  const stores = db ? await mongoRepositories(db) : { tweets: new InMemoryTweetRepository(), likes: new InMemoryLikeRepository() };
  return { tweets: new CachedTweetRepository(stores.tweets, cache), likes: new CachedLikeRepository(stores.likes, cache) };
}

async function mongoRepositories(db: Db): Promise<TweetsRepositories> {
  const tweets = new MongoTweetRepository(db);
  const likes = new MongoLikeRepository(db);
  await Promise.all([tweets.ensureIndexes(), likes.ensureIndexes()]);
  return { tweets, likes };
}

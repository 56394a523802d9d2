import type { Db } from 'mongodb';
import { InMemoryLikeRepository } from './memory/likes.js';
import { InMemoryTweetRepository } from './memory/tweets.js';
import { MongoLikeRepository } from './mongo/likes.js';
import { MongoTweetRepository } from './mongo/tweets.js';
import type { TweetsRepositories } from './types.js';

export * from './types.js';
export { InMemoryLikeRepository, InMemoryTweetRepository, MongoLikeRepository, MongoTweetRepository };

/** MongoDB when there is a database, in-memory otherwise. */
export async function createRepositories(db: Db | undefined): Promise<TweetsRepositories> {
  if (!db) return { tweets: new InMemoryTweetRepository(), likes: new InMemoryLikeRepository() };
  const tweets = new MongoTweetRepository(db);
  const likes = new MongoLikeRepository(db);
  await Promise.all([tweets.ensureIndexes(), likes.ensureIndexes()]);
  return { tweets, likes };
}

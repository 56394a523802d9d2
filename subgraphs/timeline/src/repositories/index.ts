import type { Db } from 'mongodb';
import { InMemoryAuthorRepository } from './memory/authors.js';
import { InMemoryFollowGraphRepository } from './memory/follow-graph.js';
import { InMemoryLikeProjectionRepository } from './memory/likes.js';
import { InMemoryTweetProjectionRepository } from './memory/tweets.js';
import { MongoAuthorRepository } from './mongo/authors.js';
import { MongoFollowGraphRepository } from './mongo/follow-graph.js';
import { MongoLikeProjectionRepository } from './mongo/likes.js';
import { MongoTweetProjectionRepository } from './mongo/tweets.js';
import type { AuthorRepository, FollowGraphRepository, LikeProjectionRepository, TweetProjectionRepository } from './types.js';

export * from './types.js';
export {
  InMemoryAuthorRepository,
  InMemoryFollowGraphRepository,
  InMemoryLikeProjectionRepository,
  InMemoryTweetProjectionRepository,
  MongoAuthorRepository,
  MongoFollowGraphRepository,
  MongoLikeProjectionRepository,
  MongoTweetProjectionRepository,
};

export interface TimelineRepositories {
  followGraph: FollowGraphRepository;
  tweets: TweetProjectionRepository;
  authors: AuthorRepository;
  likes: LikeProjectionRepository;
}

/** MongoDB when there is a database, in-memory otherwise. */
export async function createRepositories(db: Db | undefined): Promise<TimelineRepositories> {
  if (!db) {
    return {
      followGraph: new InMemoryFollowGraphRepository(),
      tweets: new InMemoryTweetProjectionRepository(),
      authors: new InMemoryAuthorRepository(),
      likes: new InMemoryLikeProjectionRepository(),
    };
  }
  const followGraph = new MongoFollowGraphRepository(db);
  const tweets = new MongoTweetProjectionRepository(db);
  const likes = new MongoLikeProjectionRepository(db);
  await Promise.all([followGraph.ensureIndexes(), tweets.ensureIndexes(), likes.ensureIndexes()]);
  return { followGraph, tweets, authors: new MongoAuthorRepository(db), likes };
}

import type { Db } from 'mongodb';
import { InMemoryFollowGraphRepository } from './memory/follow-graph.js';
import { MongoFollowGraphRepository } from './mongo/follow-graph.js';
import type { FollowGraphRepository } from './types.js';

export * from './types.js';
export { InMemoryFollowGraphRepository, MongoFollowGraphRepository };

export interface TimelineRepositories {
  followGraph: FollowGraphRepository;
}

/** MongoDB when there is a database, in-memory otherwise. */
export async function createRepositories(db: Db | undefined): Promise<TimelineRepositories> {
  if (!db) return { followGraph: new InMemoryFollowGraphRepository() };
  const followGraph = new MongoFollowGraphRepository(db);
  await followGraph.ensureIndexes();
  return { followGraph };
}

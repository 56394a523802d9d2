import type { Db } from 'mongodb';
import { InMemoryFollowRepository } from './memory/follows.js';
import { InMemoryUserRepository } from './memory/users.js';
import { MongoFollowRepository } from './mongo/follows.js';
import { MongoUserRepository } from './mongo/users.js';
import type { UsersRepositories } from './types.js';

export * from './types.js';
export { InMemoryFollowRepository, InMemoryUserRepository, MongoFollowRepository, MongoUserRepository };

/** MongoDB when there is a database, in-memory otherwise. */
export async function createRepositories(db: Db | undefined): Promise<UsersRepositories> {
  if (!db) return { users: new InMemoryUserRepository(), follows: new InMemoryFollowRepository() };
  const users = new MongoUserRepository(db);
  const follows = new MongoFollowRepository(db);
  await Promise.all([users.ensureIndexes(), follows.ensureIndexes()]);
  return { users, follows };
}

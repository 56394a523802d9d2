import type { Db } from 'mongodb';
import type { VersionedCache } from '@chirp/platform';
import { CachedUserRepository } from './cached/users.js';
import { InMemoryFollowRepository } from './memory/follows.js';
import { InMemoryUserRepository } from './memory/users.js';
import { MongoFollowRepository } from './mongo/follows.js';
import { MongoUserRepository } from './mongo/users.js';
import type { UsersRepositories } from './types.js';

export * from './types.js';
export { CachedUserRepository, InMemoryFollowRepository, InMemoryUserRepository, MongoFollowRepository, MongoUserRepository };

/** MongoDB when there is a database, in-memory otherwise; users either way behind the Redis cache. */
export async function createRepositories(db: Db | undefined, cache: VersionedCache): Promise<UsersRepositories> {
  const stores = db ? await mongoRepositories(db) : { users: new InMemoryUserRepository(), follows: new InMemoryFollowRepository() };
  return { users: new CachedUserRepository(stores.users, cache), follows: stores.follows };
}

async function mongoRepositories(db: Db): Promise<UsersRepositories> {
  const users = new MongoUserRepository(db);
  const follows = new MongoFollowRepository(db);
  await Promise.all([users.ensureIndexes(), follows.ensureIndexes()]);
  return { users, follows };
}

import type { Db } from 'mongodb';
import type { VersionedCache } from '@chirp/platform';
import { CachedUserRepository } from './cached/users.js';
import { InMemoryFollowRepository } from './memory/follows.js';
import { InMemoryMediaUploadRepository } from './memory/uploads.js';
import { InMemoryUserRepository } from './memory/users.js';
import { MongoFollowRepository } from './mongo/follows.js';
import { MongoMediaUploadRepository } from './mongo/uploads.js';
import { MongoUserRepository } from './mongo/users.js';
import type { UsersRepositories } from './types.js';

export * from './types.js';
export {
  CachedUserRepository,
  InMemoryFollowRepository,
  InMemoryMediaUploadRepository,
  InMemoryUserRepository,
  MongoFollowRepository,
  MongoMediaUploadRepository,
  MongoUserRepository,
};

/** MongoDB when there is a database, in-memory otherwise; users either way behind the Redis cache. */
export async function createRepositories(db: Db | undefined, cache: VersionedCache): Promise<UsersRepositories> {
  const stores = db
    ? await mongoRepositories(db)
    : { users: new InMemoryUserRepository(), follows: new InMemoryFollowRepository(), uploads: new InMemoryMediaUploadRepository() };
  return { ...stores, users: new CachedUserRepository(stores.users, cache) };
}

async function mongoRepositories(db: Db): Promise<UsersRepositories> {
  const users = new MongoUserRepository(db);
  const follows = new MongoFollowRepository(db);
  const uploads = new MongoMediaUploadRepository(db);
  await Promise.all([users.ensureIndexes(), follows.ensureIndexes(), uploads.ensureIndexes()]);
  return { users, follows, uploads };
}

import { MongoClient } from 'mongodb';
import { InMemoryVersionedCache, RedisVersionedCache, createRedisClient } from '@chirp/platform';
import { realServers, uniqueName } from '@chirp/testing';
import {
  CachedUserRepository,
  InMemoryFollowRepository,
  InMemoryMediaUploadRepository,
  InMemoryUserRepository,
  MongoFollowRepository,
  MongoMediaUploadRepository,
  MongoUserRepository,
} from '../src/repositories/index.js';
import { describeFollowRepositoryContract, describeMediaUploadRepositoryContract, describeUserRepositoryContract } from './repository-contract.js';

describeUserRepositoryContract('in-memory', async () => new InMemoryUserRepository());
describeFollowRepositoryContract('in-memory', async () => new InMemoryFollowRepository());
describeMediaUploadRepositoryContract('in-memory', async () => new InMemoryMediaUploadRepository());
// The cache must not change what the repository answers.
describeUserRepositoryContract('cached, in-memory', async () => new CachedUserRepository(new InMemoryUserRepository(), new InMemoryVersionedCache()));

describe('on MongoDB', () => {
  let client: MongoClient;
  const database = uniqueName('users_repositories');

  beforeAll(async () => {
    client = await MongoClient.connect(realServers().mongoUrl);
  });
  afterAll(async () => {
    await client.db(database).dropDatabase();
    await client.close();
  });

  describeUserRepositoryContract('MongoDB', async () => {
    const repository = new MongoUserRepository(client.db(database));
    await repository.ensureIndexes();
    return repository;
  });
  describeFollowRepositoryContract('MongoDB', async () => {
    const repository = new MongoFollowRepository(client.db(database));
    await repository.ensureIndexes();
    return repository;
  });
  describeMediaUploadRepositoryContract('MongoDB', async () => {
    const repository = new MongoMediaUploadRepository(client.db(database));
    await repository.ensureIndexes();
    return repository;
  });

  describe('behind the Redis cache', () => {
    let redis: ReturnType<typeof createRedisClient>;
    beforeAll(() => {
      redis = createRedisClient(realServers().redisUrl, `${uniqueName('users_cache')}:`);
    });
    afterAll(async () => {
      await client.db(`${database}_cached`).dropDatabase();
      await redis.quit();
    });
    describeUserRepositoryContract('cached, MongoDB + Redis', async () => {
      const repository = new MongoUserRepository(client.db(`${database}_cached`));
      await repository.ensureIndexes();
      return new CachedUserRepository(repository, new RedisVersionedCache(redis));
    });
  });
});

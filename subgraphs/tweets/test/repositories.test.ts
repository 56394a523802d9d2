import { MongoClient } from 'mongodb';
import { InMemoryVersionedCache, RedisVersionedCache, createRedisClient } from '@chirp/platform';
import { realServers, uniqueName } from '@chirp/testing';
import {
  CachedLikeRepository,
  CachedTweetRepository,
  InMemoryLikeRepository,
  InMemoryTweetRepository,
  MongoLikeRepository,
  MongoTweetRepository,
} from '../src/repositories/index.js';
import { describeLikeRepositoryContract, describeTweetRepositoryContract } from './repository-contract.js';

describeTweetRepositoryContract('in-memory', async () => new InMemoryTweetRepository());
describeLikeRepositoryContract('in-memory', async () => new InMemoryLikeRepository());
// The caches must not change what a repository answers.
describeTweetRepositoryContract('cached, in-memory', async () => new CachedTweetRepository(new InMemoryTweetRepository(), new InMemoryVersionedCache()));
describeLikeRepositoryContract('cached, in-memory', async () => new CachedLikeRepository(new InMemoryLikeRepository(), new InMemoryVersionedCache()));

describe('on MongoDB', () => {
  let client: MongoClient;
  const database = uniqueName('tweets_repositories');
  beforeAll(async () => {
    client = await MongoClient.connect(realServers().mongoUrl);
  });
  afterAll(async () => {
    await client.db(database).dropDatabase();
    await client.close();
  });
  describeTweetRepositoryContract('MongoDB', async () => {
    const repository = new MongoTweetRepository(client.db(database));
    await repository.ensureIndexes();
    return repository;
  });
  describeLikeRepositoryContract('MongoDB', async () => {
    const repository = new MongoLikeRepository(client.db(database));
    await repository.ensureIndexes();
    return repository;
  });

  describe('behind the Redis caches', () => {
    const clients: Array<ReturnType<typeof createRedisClient>> = [];
    const redis = () => {
      const client = createRedisClient(realServers().redisUrl, `${uniqueName('tweets_cache')}:`);
      clients.push(client);
      return client;
    };
    afterAll(async () => {
      await Promise.all(clients.map((client) => client.quit()));
    });
    describeTweetRepositoryContract('cached, MongoDB + Redis', async () => {
      const repository = new MongoTweetRepository(client.db(`${database}_cached`));
      await repository.ensureIndexes();
      return new CachedTweetRepository(repository, new RedisVersionedCache(redis()));
    });
    describeLikeRepositoryContract('cached, MongoDB + Redis', async () => {
      const repository = new MongoLikeRepository(client.db(`${database}_cached`));
      await repository.ensureIndexes();
      return new CachedLikeRepository(repository, new RedisVersionedCache(redis()));
    });
  });
});

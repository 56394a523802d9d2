import { MongoClient } from 'mongodb';
import { realServers, uniqueName } from '@chirp/testing';
import { InMemoryLikeRepository, InMemoryTweetRepository, MongoLikeRepository, MongoTweetRepository } from '../src/repositories/index.js';
import { describeLikeRepositoryContract, describeTweetRepositoryContract } from './repository-contract.js';

describeTweetRepositoryContract('in-memory', async () => new InMemoryTweetRepository());
describeLikeRepositoryContract('in-memory', async () => new InMemoryLikeRepository());

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
});

import { MongoClient } from 'mongodb';
import { realServers, uniqueName } from '@chirp/testing';
import {
  InMemoryFollowRepository,
  InMemoryUserRepository,
  MongoFollowRepository,
  MongoUserRepository,
} from '../src/repositories/index.js';
import { describeFollowRepositoryContract, describeUserRepositoryContract } from './repository-contract.js';

describeUserRepositoryContract('in-memory', async () => new InMemoryUserRepository());
describeFollowRepositoryContract('in-memory', async () => new InMemoryFollowRepository());

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
});

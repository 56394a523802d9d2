import { MongoClient } from 'mongodb';
import { realServers, uniqueName } from '@chirp/testing';
import {
  InMemoryDeletedTweetRepository,
  InMemoryEdgeRepository,
  InMemoryNotificationRepository,
  MongoDeletedTweetRepository,
  MongoEdgeRepository,
  MongoNotificationRepository,
} from '../src/repositories/index.js';
import {
  describeDeletedTweetRepositoryContract,
  describeEdgeRepositoryContract,
  describeNotificationRepositoryContract,
} from './repository-contract.js';

describeNotificationRepositoryContract('in-memory', async () => new InMemoryNotificationRepository());
describeEdgeRepositoryContract('in-memory', async () => new InMemoryEdgeRepository());
describeDeletedTweetRepositoryContract('in-memory', async () => new InMemoryDeletedTweetRepository());

describe('on MongoDB', () => {
  let client: MongoClient;
  const database = uniqueName('notifications_repositories');

  beforeAll(async () => {
    client = await MongoClient.connect(realServers().mongoUrl);
  });
  afterAll(async () => {
    await client.db(database).dropDatabase();
    await client.close();
  });

  describeNotificationRepositoryContract('MongoDB', async () => {
    const repository = new MongoNotificationRepository(client.db(database));
    await repository.ensureIndexes();
    await repository.ensureIndexes(); // again, as every restart does (FerretDB once choked on that)
    return repository;
  });
  describeEdgeRepositoryContract('MongoDB', async () => new MongoEdgeRepository(client.db(database)));
  describeDeletedTweetRepositoryContract('MongoDB', async () => new MongoDeletedTweetRepository(client.db(database)));
});

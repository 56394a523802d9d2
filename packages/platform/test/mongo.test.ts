import { MongoClient, type IndexDescription } from 'mongodb';
import { ensureIndexes, isDuplicateKeyError } from '@chirp/platform';
import { realServers, uniqueName } from '@chirp/testing';

describe('MongoDB helpers, on the real server', () => {
  let client: MongoClient;
  const database = uniqueName('platform_mongo');
  beforeAll(async () => {
    client = await MongoClient.connect(realServers().mongoUrl);
  });
  afterAll(async () => {
    await client.db(database).dropDatabase();
    await client.close();
  });

  it('ensures indexes again and again (as every restart does)', async () => {
    const collection = client.db(database).collection('things');
    const indexes: IndexDescription[] = [
      { key: { a: 1, b: -1 }, name: 'a_b' },
      { key: { c: 1 }, name: 'c_unique', unique: true },
    ];
    await ensureIndexes(collection, indexes);
    await ensureIndexes(collection, indexes);
    const names = (await collection.indexes()).map((index) => index.name);
    expect(names).toEqual(expect.arrayContaining(['a_b', 'c_unique']));
  });

  it('recognises a unique index refusing a write', async () => {
    const collection = client.db(database).collection('unique_things');
    await ensureIndexes(collection, [{ key: { c: 1 }, name: 'c_unique', unique: true }]);
    await collection.insertOne({ c: 1 });
    const error = await collection.insertOne({ c: 1 }).catch((caught: unknown) => caught);
    expect(isDuplicateKeyError(error)).toBe(true);
    expect(isDuplicateKeyError(new Error('other'))).toBe(false);
  });
});

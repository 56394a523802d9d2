import { MongoClient, type IndexDescription } from 'mongodb';
import { RotatingMongo, ensureIndexes, isDuplicateKeyError } from '@chirp/platform';
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

describe('RotatingMongo: a rotated URI taken without a restart', () => {
  const settings = (url: string) => ({ url, database: uniqueName('platform_rotation'), serverSelectionTimeoutMs: 500 });
  // The same server under another name: what a rotated password looks like from here.
  const rotatedUrl = () => realServers().mongoUrl.replace('127.0.0.1', 'localhost');

  it('moves the collections made at start to the new client, and closes the old one after its grace', async () => {
    const first = settings(realServers().mongoUrl);
    const mongo = await RotatingMongo.connect(first, 'rotation-test', 50);
    try {
      const things = mongo.db.collection<{ _id: string; n: number }>('things'); // made once, as repositories do
      await things.insertOne({ _id: 'a', n: 1 });
      const before = mongo.client;
      const closed = new Promise((resolve) => before.once('topologyClosed', resolve));
      await mongo.rotate(rotatedUrl());
      expect(mongo.client).not.toBe(before);
      const sentOnNew: string[] = [];
      mongo.client.on('commandStarted', (event) => sentOnNew.push(event.commandName));
      expect(await things.findOne({ _id: 'a' })).toEqual({ _id: 'a', n: 1 });
      expect(sentOnNew).toContain('find');
      await closed;
      await mongo.db.dropDatabase();
    } finally {
      await mongo.close();
    }
  });

  it('stays on the client in use when the new URI cannot be reached', async () => {
    const mongo = await RotatingMongo.connect(settings(realServers().mongoUrl), 'rotation-test', 50);
    try {
      const before = mongo.client;
      await expect(mongo.rotate('mongodb://127.0.0.1:1/')).rejects.toThrow();
      expect(mongo.client).toBe(before);
      expect(await mongo.db.command({ ping: 1 })).toMatchObject({ ok: 1 });
    } finally {
      await mongo.close();
    }
  });
});

import { MongoClient } from 'mongodb';
import { realServers, uniqueName } from '@chirp/testing';
import { InMemoryLikeProjectionRepository, MongoLikeProjectionRepository, type LikeProjectionRepository } from '../src/repositories/index.js';

/** What every LikeProjectionRepository must do, in memory and on MongoDB alike. */
function describeLikeProjectionContract(name: string, create: () => Promise<LikeProjectionRepository>): void {
  describe(`LikeProjectionRepository contract: ${name}`, () => {
    let likes: LikeProjectionRepository;
    beforeAll(async () => {
      likes = await create();
    });
    const id = (prefix: string) => uniqueName(prefix);
    const edge = (tweetId: string, userId: string, seq: number) => ({ tweetId, userId, active: seq % 2 === 1, seq });

    it('stores a newer state, ignores an equal or older one, and returns the edge as stored', async () => {
      const [tweet, user] = [id('t'), id('u')];
      expect(await likes.apply(edge(tweet, user, 1))).toEqual(edge(tweet, user, 1));
      expect(await likes.apply(edge(tweet, user, 2))).toEqual(edge(tweet, user, 2));
      expect(await likes.apply(edge(tweet, user, 1))).toEqual(edge(tweet, user, 2)); // late, stale
      expect(await likes.apply(edge(tweet, user, 2))).toEqual(edge(tweet, user, 2)); // redelivered
      expect(await likes.states(user, [tweet])).toEqual([edge(tweet, user, 2)]);
    });

    it('answers a user’s edges in the order asked, an edge never made as inactive at seq 0', async () => {
      const [liked, never, user] = [id('t'), id('t'), id('u')];
      await likes.apply(edge(liked, user, 3));
      expect(await likes.states(user, [never, liked])).toEqual([
        { tweetId: never, userId: user, active: false, seq: 0 },
        edge(liked, user, 3),
      ]);
      expect(await likes.states(user, [])).toEqual([]);
    });

    it('settles a count of the active edges, with a version that grows with each settle', async () => {
      const tweet = id('t');
      expect(await likes.counts([tweet])).toEqual([{ tweetId: tweet, count: 0, version: 0 }]);
      const users = [id('u'), id('u'), id('u')];
      for (const user of users) await likes.apply(edge(tweet, user, 1));
      await likes.apply(edge(tweet, users[0]!, 2)); // unliked
      const first = await likes.settleCount(tweet);
      expect(first).toEqual({ tweetId: tweet, count: 2, version: expect.any(Number) });
      const second = await likes.settleCount(tweet); // a redelivery settles again: same count, newer version
      expect(second).toEqual({ tweetId: tweet, count: 2, version: expect.any(Number) });
      expect(second!.version).toBeGreaterThan(first!.version);
      expect(await likes.counts([tweet, id('t')])).toEqual([second, expect.objectContaining({ count: 0, version: 0 })]);
    });

    it('ends with the exact count when settles of one tweet run side by side', async () => {
      const tweet = id('t');
      const users = Array.from({ length: 12 }, () => id('u'));
      await Promise.all(
        users.map(async (user, index) => {
          await likes.apply(edge(tweet, user, index % 3 === 0 ? 2 : 1));
          await likes.settleCount(tweet);
        }),
      );
      expect((await likes.counts([tweet]))[0]?.count).toBe(8);
    });
  });
}

describeLikeProjectionContract('in-memory', async () => new InMemoryLikeProjectionRepository());

describe('InMemoryLikeProjectionRepository', () => {
  it('drops the count of a settle that a later one overtook, as the MongoDB adapter does', async () => {
    // Here the steps' interleaving is certain: both settles start, then both
    // count, then each tries to store; only the one that started last may.
    const likes = new InMemoryLikeProjectionRepository();
    await likes.apply({ tweetId: 't', userId: 'u', active: true, seq: 1 });
    const early = likes.settleCount('t');
    const late = likes.apply({ tweetId: 't', userId: 'u', active: false, seq: 2 }).then(() => likes.settleCount('t'));
    expect(await Promise.all([early, late])).toEqual([null, { tweetId: 't', count: 0, version: 2 }]);
    expect(await likes.counts(['t'])).toEqual([{ tweetId: 't', count: 0, version: 2 }]);
  });
});

describe('on MongoDB', () => {
  let client: MongoClient;
  const database = uniqueName('timeline_likes');
  beforeAll(async () => {
    client = await MongoClient.connect(realServers().mongoUrl);
  });
  afterAll(async () => {
    await client.db(database).dropDatabase();
    await client.close();
  });
  describeLikeProjectionContract('MongoDB', async () => {
    const repository = new MongoLikeProjectionRepository(client.db(database));
    await repository.ensureIndexes();
    return repository;
  });
});

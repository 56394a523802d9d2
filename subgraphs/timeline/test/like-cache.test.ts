import { createRedisClient, type RedisClient } from '@chirp/platform';
import { REDIS_TARGETS, uniqueName } from '@chirp/testing';
import type { LikeCache } from '../src/stores/like-cache.js';
import { InMemoryLikeCache } from '../src/stores/memory-like-cache.js';
import { RedisLikeCache } from '../src/stores/redis-like-cache.js';

const TTL_SECONDS = 60;

/** What every LikeCache must do, in memory and on Redis alike. */
function describeLikeCacheContract(name: string, create: () => Promise<LikeCache>): void {
  describe(`LikeCache contract: ${name}`, () => {
    let cache: LikeCache;
    beforeAll(async () => {
      cache = await create();
    });
    const id = (prefix: string) => uniqueName(prefix);

    it('knows nothing until told', async () => {
      expect(await cache.read(id('u'), [id('t'), id('t')])).toEqual([
        { count: null, liked: null },
        { count: null, liked: null },
      ]);
      expect(await cache.read(id('u'), [])).toEqual([]);
    });

    it('keeps the count of the highest version, whatever order they arrive in', async () => {
      const [tweet, other, viewer] = [id('t'), id('t'), id('u')];
      await cache.putCounts([{ tweetId: tweet, count: 5, version: 3 }]);
      await cache.putCounts([{ tweetId: tweet, count: 4, version: 2 }]); // a fill that read before the settle
      await cache.putCounts([{ tweetId: tweet, count: 9, version: 3 }]); // equal version: already there
      await cache.putCounts([{ tweetId: other, count: 0, version: 0 }]); // never liked, cached
      expect(await cache.read(viewer, [tweet, other])).toEqual([
        { count: 5, liked: null },
        { count: 0, liked: null },
      ]);
      await cache.putCounts([{ tweetId: other, count: 1, version: 1 }]);
      expect((await cache.read(viewer, [other]))[0]?.count).toBe(1);
    });

    it('reads and writes the counts of many tweets at once (on a cluster: keys of many slots, on every node)', async () => {
      const [tweets, viewer] = [Array.from({ length: 40 }, () => id('t')), id('u')];
      await cache.putCounts(tweets.map((tweetId, index) => ({ tweetId, count: index, version: 1 })));
      await cache.putStates(viewer, [{ tweetId: tweets[3]!, active: true, seq: 1 }]);
      expect(await cache.read(viewer, tweets)).toEqual(tweets.map((_, index) => ({ count: index, liked: index === 3 ? true : null })));
    });

    it('keeps each of a viewer’s edges at its highest seq; seq 0 caches "never liked"', async () => {
      const [a, b, c, viewer, someoneElse] = [id('t'), id('t'), id('t'), id('u'), id('u')];
      await cache.putStates(viewer, [
        { tweetId: a, active: false, seq: 0 },
        { tweetId: b, active: true, seq: 1 },
      ]);
      expect(await cache.read(viewer, [a, b, c])).toEqual([
        { count: null, liked: false },
        { count: null, liked: true },
        { count: null, liked: null },
      ]);
      await cache.putStates(viewer, [{ tweetId: a, active: true, seq: 1 }]); // a like beats "never"
      await cache.putStates(viewer, [{ tweetId: b, active: false, seq: 2 }]);
      await cache.putStates(viewer, [{ tweetId: b, active: true, seq: 1 }]); // late, stale
      await cache.putStates(viewer, [{ tweetId: b, active: false, seq: 0 }]); // a fill that read before the like
      expect((await cache.read(viewer, [a, b])).map((likes) => likes.liked)).toEqual([true, false]);
      expect((await cache.read(someoneElse, [a, b])).map((likes) => likes.liked)).toEqual([null, null]);
    });
  });
}

describeLikeCacheContract('in-memory', async () => new InMemoryLikeCache(TTL_SECONDS));

for (const target of REDIS_TARGETS) {
  describe(`on ${target.name}`, () => {
    let redis: RedisClient;
    beforeAll(() => {
      redis = createRedisClient(target.connection(), `${uniqueName('likes')}:`);
    });
    afterAll(async () => {
      await redis.quit();
    });
    describeLikeCacheContract(target.name, async () => new RedisLikeCache(redis, TTL_SECONDS));

    it('lets a viewer’s states expire a while after they were first cached, however often they are written', async () => {
      const cache = new RedisLikeCache(redis, TTL_SECONDS);
      const viewer = uniqueName('u');
      await cache.putStates(viewer, [{ tweetId: '1', active: true, seq: 1 }]);
      await redis.expire(`liked:${viewer}`, 5);
      await cache.putStates(viewer, [{ tweetId: '2', active: true, seq: 1 }]);
      expect(await redis.ttl(`liked:${viewer}`)).toBeLessThanOrEqual(5);
    });
  });
}

describe('InMemoryLikeCache', () => {
  it('forgets counts and states when their time is up', async () => {
    let now = 0;
    const cache = new InMemoryLikeCache(10, () => now);
    await cache.putCounts([{ tweetId: 't', count: 1, version: 1 }]);
    await cache.putStates('u', [{ tweetId: 't', active: true, seq: 1 }]);
    now = 9_000;
    await cache.putStates('u', [{ tweetId: 'other', active: true, seq: 1 }]); // writes do not renew it
    expect(await cache.read('u', ['t'])).toEqual([{ count: 1, liked: true }]);
    now = 10_000;
    expect(await cache.read('u', ['t', 'other'])).toEqual([
      { count: null, liked: null },
      { count: null, liked: null },
    ]);
  });
});

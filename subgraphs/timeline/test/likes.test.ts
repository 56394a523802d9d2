import { MongoClient } from 'mongodb';
import { createRedisClient, type LikeChangedPayload } from '@chirp/platform';
import { randomSource, realServers, uniqueName } from '@chirp/testing';
import type { Redis } from 'ioredis';
import { LikesProjection } from '../src/domain/likes.js';
import { InMemoryLikeProjectionRepository, MongoLikeProjectionRepository, type LikeProjectionRepository } from '../src/repositories/index.js';
import type { LikeCache } from '../src/stores/like-cache.js';
import { InMemoryLikeCache } from '../src/stores/memory-like-cache.js';
import { RedisLikeCache } from '../src/stores/redis-like-cache.js';

/** Lets other work run for a few turns of the event loop first. */
async function afterTurns(turns: number): Promise<void> {
  for (let turn = 0; turn < turns; turn += 1) await new Promise((resolve) => setImmediate(resolve));
}

/**
 * A like history: every user toggles their like of every tweet a few times
 * (seq 1 likes, 2 unlikes, ...). The events of it, and what they must add
 * up to: each edge in its last state, each tweet with its active likes.
 */
function likeHistory(tweets: readonly string[], users: readonly string[]) {
  const events: LikeChangedPayload[] = [];
  const finalSeq = new Map<string, number>();
  tweets.forEach((tweetId, t) =>
    users.forEach((userId, u) => {
      const changes = (t * 7 + u * 3) % 4; // 0..3 changes: never liked, liked, unliked, liked again
      finalSeq.set(`${tweetId}:${userId}`, changes);
      for (let seq = 1; seq <= changes; seq += 1) {
        events.push({ tweetId, tweetAuthorId: 'author', userId, active: seq % 2 === 1, seq, changedAt: new Date().toISOString() });
      }
    }),
  );
  const liked = (tweetId: string, userId: string) => (finalSeq.get(`${tweetId}:${userId}`) ?? 0) % 2 === 1;
  const count = (tweetId: string) => users.filter((userId) => liked(tweetId, userId)).length;
  return { events, liked, count };
}

type Adapters = () => Promise<{ repository: LikeProjectionRepository; cache: LikeCache; loseCache: () => Promise<LikeCache> }>;

function describeLikesProjection(name: string, adapters: Adapters): void {
  describe(`LikesProjection (${name})`, () => {
    const tweets = Array.from({ length: 5 }, () => uniqueName('t'));
    const users = Array.from({ length: 6 }, () => uniqueName('u'));
    const history = likeHistory(tweets, users);
    const random = randomSource(12345);
    const shuffle = random.shuffle;

    /** Every viewer's view of every tweet equals the history's outcome. */
    async function expectExact(projection: LikesProjection): Promise<void> {
      for (const viewer of users) {
        const seen = await projection.forViewer(viewer, tweets);
        expect(tweets.map((tweetId) => seen.get(tweetId))).toEqual(
          tweets.map((tweetId) => ({ likeCount: history.count(tweetId), likedByViewer: history.liked(tweetId, viewer) })),
        );
      }
    }

    it('is exact after every event arrives three times, shuffled, on two consumers at once, with reads racing the writes', async () => {
      const { repository, cache, loseCache } = await adapters();
      // Two consumers on the same projection: a rebalance hands an edge's
      // events to both, and each delivery may run beside any other.
      const consumers = [new LikesProjection(repository, cache), new LikesProjection(repository, cache)];
      const deliveries = shuffle([...history.events, ...history.events, ...history.events]);
      // Each delivery and each read starts a few turns late, so changes,
      // counts and cache fills of one tweet interleave every which way.
      await Promise.all([
        ...deliveries.map(async (event, index) => {
          await afterTurns(random.int(8));
          await consumers[index % 2]!.onLikeChanged(event);
        }),
        ...users.map(async (viewer) => {
          await afterTurns(random.int(8));
          await consumers[0]!.forViewer(viewer, tweets); // a fill from MongoDB racing the events
        }),
      ]);
      await expectExact(consumers[0]!);
      // The cache lost (Redis flushed, entries expired): read through from MongoDB again.
      await expectExact(new LikesProjection(repository, await loseCache()));
    });

    it('is rebuilt exact by replaying the events, in any order, into an empty projection', async () => {
      const { repository, cache } = await adapters();
      const projection = new LikesProjection(repository, cache);
      for (const event of shuffle(history.events)) await projection.onLikeChanged(event);
      await expectExact(projection);
    });

    it('shows a change on the next read once its event is applied, over what a read cached before', async () => {
      const { repository, cache } = await adapters();
      const projection = new LikesProjection(repository, cache);
      const [tweet, fan] = [uniqueName('t'), uniqueName('u')];
      expect(await projection.forViewer(fan, [tweet])).toEqual(new Map([[tweet, { likeCount: 0, likedByViewer: false }]]));
      await projection.onLikeChanged({ tweetId: tweet, tweetAuthorId: 'a', userId: fan, active: true, seq: 1, changedAt: '' });
      expect(await projection.forViewer(fan, [tweet])).toEqual(new Map([[tweet, { likeCount: 1, likedByViewer: true }]]));
      await projection.onLikeChanged({ tweetId: tweet, tweetAuthorId: 'a', userId: fan, active: false, seq: 2, changedAt: '' });
      expect(await projection.forViewer(fan, [tweet])).toEqual(new Map([[tweet, { likeCount: 0, likedByViewer: false }]]));
    });
  });
}

const TTL_SECONDS = 600;

describeLikesProjection('in memory', async () => ({
  repository: new InMemoryLikeProjectionRepository(),
  cache: new InMemoryLikeCache(TTL_SECONDS),
  loseCache: async () => new InMemoryLikeCache(TTL_SECONDS),
}));

describe('on MongoDB and Redis', () => {
  let client: MongoClient;
  const databases: string[] = [];
  const redisClients: Redis[] = [];
  /** An empty cache: a Redis namespace of its own, as good as a flushed one. */
  const emptyRedisCache = () => {
    const redis = createRedisClient(realServers().redisUrl, `${uniqueName('likes')}:`);
    redisClients.push(redis);
    return new RedisLikeCache(redis, TTL_SECONDS);
  };
  beforeAll(async () => {
    client = await MongoClient.connect(realServers().mongoUrl);
  });
  afterAll(async () => {
    for (const database of databases) await client.db(database).dropDatabase();
    await client.close();
    await Promise.all(redisClients.map((redis) => redis.quit()));
  });
  describeLikesProjection('MongoDB and Redis', async () => {
    const database = uniqueName('timeline_likes_rule');
    databases.push(database);
    const repository = new MongoLikeProjectionRepository(client.db(database));
    await repository.ensureIndexes();
    return { repository, cache: emptyRedisCache(), loseCache: async () => emptyRedisCache() };
  });
});

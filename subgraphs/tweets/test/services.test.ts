import {
  ForbiddenError,
  IdGenerator,
  InMemoryEventBus,
  InvalidInputError,
  NotFoundError,
  OutboxRelay,
  Topics,
  UnauthenticatedError,
  UNLIMITED,
  createLogger,
  memoryRateLimiter,
  type RateLimiter,
  type EventEnvelope,
  type Viewer,
} from '@chirp/platform';
import { LikeService } from '../src/domain/likes.js';
import { TweetService } from '../src/domain/tweets.js';
import { outboxSources } from '../src/events/producers.js';
import { InMemoryLikeRepository, InMemoryTweetRepository } from '../src/repositories/index.js';

function setUp(limits: { post: RateLimiter; like: RateLimiter } = { post: UNLIMITED, like: UNLIMITED }) {
  const tweets = new InMemoryTweetRepository();
  const likes = new InMemoryLikeRepository();
  const bus = new InMemoryEventBus();
  const now = () => new Date();
  const ids = new IdGenerator();
  let likeService: LikeService;
  const relay = new OutboxRelay(bus, outboxSources(tweets, likes, (id) => likeService.settleLikeCount(id)), { sweepIntervalMs: 1000, graceMs: 0 }, createLogger('test', 'silent'));
  likeService = new LikeService({ tweets, likes, relay, likeLimit: limits.like, now });
  const tweetService = new TweetService({ tweets, relay, postLimit: limits.post, newId: () => ids.next(), now });
  const published: Array<{ topic: string; event: EventEnvelope }> = [];
  void bus.subscribe({ group: 'spy', topics: [Topics.tweets, Topics.tweetLikes], handler: async (event, topic) => void published.push({ topic, event }) });
  return { tweetService, likeService, bus, relay, published, repositories: { tweets, likes } };
}

const ada: Viewer = { id: '1', handle: 'ada' };
const bob: Viewer = { id: '2', handle: 'bob' };

describe('TweetService', () => {
  it('posts, edits and deletes, publishing each version', async () => {
    const { tweetService, published, bus } = setUp();
    const tweet = await tweetService.post(ada, '  Hello, world  ');
    expect(tweet).toMatchObject({ authorId: '1', text: 'Hello, world', version: 1, likeCount: 0, editedAt: null });
    await tweetService.edit(ada, tweet.id, 'Hello, Chirp');
    expect(await tweetService.delete(ada, tweet.id)).toBe(tweet.id);
    expect(await tweetService.byId(tweet.id)).toBeNull();
    await bus.drain();
    expect(published.map(({ event }) => [event.type, event.id])).toEqual([
      ['tweet.posted', `tweet:${tweet.id}:v1`],
      ['tweet.edited', `tweet:${tweet.id}:v2`],
      ['tweet.deleted', `tweet:${tweet.id}:v3`],
    ]);
    expect(published[2]?.event.payload).toMatchObject({ deleted: true, text: null });
  });

  it('draws a fresh id when an id clashes with another instance’s', async () => {
    const tweets = new InMemoryTweetRepository();
    const bus = new InMemoryEventBus();
    const relay = new OutboxRelay(bus, [], { sweepIntervalMs: 1000, graceMs: 0 }, createLogger('test', 'silent'));
    const taken = new IdGenerator().next();
    await tweets.create({ id: taken, authorId: '9', text: 'first', createdAt: new Date() });
    const ids = [taken, new IdGenerator().next()];
    const service = new TweetService({ tweets, relay, postLimit: UNLIMITED, newId: () => ids.shift() as string, now: () => new Date() });
    expect((await service.post(ada, 'second')).id).not.toBe(taken);
  });

  it('lets only the author edit or delete', async () => {
    const { tweetService } = setUp();
    const tweet = await tweetService.post(ada, 'mine');
    await expect(tweetService.edit(bob, tweet.id, 'yours')).rejects.toThrow(ForbiddenError);
    await expect(tweetService.delete(bob, tweet.id)).rejects.toThrow(ForbiddenError);
    await expect(tweetService.edit(null, tweet.id, 'x')).rejects.toThrow(UnauthenticatedError);
  });

  it('refuses bad text and missing tweets', async () => {
    const { tweetService } = setUp();
    await expect(tweetService.post(ada, ' ')).rejects.toThrow(InvalidInputError);
    await expect(tweetService.edit(ada, '123', 'x')).rejects.toThrow(NotFoundError);
    await expect(tweetService.edit(ada, 'x'.repeat(100_000), 'x')).rejects.toThrow('There is no tweet with that id.');
    expect(await tweetService.byId('not an id')).toBeNull();
    const tweet = await tweetService.post(ada, 'soon gone');
    await tweetService.delete(ada, tweet.id);
    await expect(tweetService.delete(ada, tweet.id)).rejects.toThrow(NotFoundError);
  });
});

describe('LikeService', () => {
  it('likes idempotently with an exact count and one event per change', async () => {
    const { tweetService, likeService, published, bus } = setUp();
    const tweet = await tweetService.post(ada, 'like me');
    expect((await likeService.like(bob, tweet.id)).likeCount).toBe(1);
    expect((await likeService.like(bob, tweet.id)).likeCount).toBe(1);
    expect((await likeService.like(ada, tweet.id)).likeCount).toBe(2);
    expect(await likeService.likedBy(bob.id, [tweet.id, '999'])).toEqual([true, false]);
    expect((await likeService.unlike(bob, tweet.id)).likeCount).toBe(1);
    expect((await likeService.unlike(bob, tweet.id)).likeCount).toBe(1);
    await bus.drain();
    const likeEvents = published.filter(({ topic }) => topic === Topics.tweetLikes).map(({ event }) => event);
    expect(likeEvents.map((event) => event.type)).toEqual(['tweet.liked', 'tweet.liked', 'tweet.unliked']);
    expect(likeEvents[0]?.payload).toMatchObject({ tweetAuthorId: ada.id, userId: bob.id });
  });

  it('keeps the count exact under many concurrent likes and unlikes', async () => {
    const { tweetService, likeService } = setUp();
    const tweet = await tweetService.post(ada, 'popular');
    const fans = Array.from({ length: 30 }, (_, n): Viewer => ({ id: `f${n}`, handle: `f${n}` }));
    await Promise.all(fans.flatMap((fan) => [likeService.like(fan, tweet.id), likeService.like(fan, tweet.id)]));
    await Promise.all(fans.slice(0, 10).map((fan) => likeService.unlike(fan, tweet.id)));
    expect((await tweetService.byId(tweet.id))?.likeCount).toBe(20);
  });

  it('settles the count and publishes, through the sweeper, a like whose command died', async () => {
    const { tweetService, relay, repositories, published, bus } = setUp();
    const tweet = await tweetService.post(ada, 'crash');
    await relay.sweepOnce();
    await repositories.likes.setActive(tweet.id, bob.id, true, new Date()); // then the process died
    expect((await tweetService.byId(tweet.id))?.likeCount).toBe(0);
    expect(await relay.sweepOnce()).toBe(1);
    expect((await tweetService.byId(tweet.id))?.likeCount).toBe(1);
    await bus.drain();
    expect(published.filter(({ topic }) => topic === Topics.tweetLikes)).toHaveLength(1);
  });

  it('refuses liking a missing or deleted tweet', async () => {
    const { tweetService, likeService } = setUp();
    await expect(likeService.like(bob, '42')).rejects.toThrow(NotFoundError);
    const tweet = await tweetService.post(ada, 'gone');
    await tweetService.delete(ada, tweet.id);
    await expect(likeService.like(bob, tweet.id)).rejects.toThrow(NotFoundError);
  });
});

describe('write limits', () => {
  const tight = () => ({ post: memoryRateLimiter('post', { points: 2, durationSeconds: 60 }), like: memoryRateLimiter('like', { points: 3, durationSeconds: 60 }) });

  it('refuses posts past the limit per user with RATE_LIMITED, counting only valid ones, each author apart', async () => {
    const { tweetService } = setUp(tight());
    await expect(tweetService.post(ada, ' ')).rejects.toThrow(InvalidInputError);
    await tweetService.post(ada, 'one');
    await tweetService.post(ada, 'two');
    await expect(tweetService.post(ada, 'three')).rejects.toMatchObject({ code: 'RATE_LIMITED', retryAfterSeconds: expect.any(Number) });
    await expect(tweetService.post(bob, 'mine')).resolves.toMatchObject({ authorId: bob.id });
  });

  it('counts likes and unlikes together per user, concurrent ones included', async () => {
    const { tweetService, likeService } = setUp(tight());
    const tweet = await tweetService.post(ada, 'likeable');
    const attempts = await Promise.allSettled(Array.from({ length: 10 }, (_, n) => (n % 2 ? likeService.unlike(bob, tweet.id) : likeService.like(bob, tweet.id))));
    expect(attempts.filter((attempt) => attempt.status === 'fulfilled')).toHaveLength(3);
    expect(attempts.find((attempt) => attempt.status === 'rejected')).toMatchObject({ reason: { code: 'RATE_LIMITED' } });
    await expect(likeService.like(ada, tweet.id)).resolves.toBeDefined();
  });
});

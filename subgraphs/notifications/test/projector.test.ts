import { jest } from '@jest/globals';
import {
  EventTypes,
  IdGenerator,
  InMemoryEventBus,
  InMemoryLiveBus,
  LiveStreams,
  Topics,
  UnauthenticatedError,
  createLogger,
  type EventEnvelope,
  type FollowChangedPayload,
  type LikeChangedPayload,
  type LiveBus,
  type TweetChangedPayload,
  type Viewer,
} from '@chirp/platform';
import { NotificationInbox } from '../src/domain/inbox.js';
import { NotificationProjector } from '../src/domain/projector.js';
import { RESTORE_WINDOW_MS, nextEdge } from '../src/domain/rules.js';
import { startConsumers } from '../src/events/consumers.js';
import {
  InMemoryDeletedTweetRepository,
  InMemoryEdgeRepository,
  InMemoryNotificationRepository,
  type NotificationRepository,
} from '../src/repositories/index.js';

const T0 = Date.parse('2026-01-01T12:00:00.000Z');
const HOUR = 60 * 60 * 1000;
const time = (ms = 0) => new Date(T0 + ms).toISOString();

/** A follow edge's state after its seq-th change: odd seqs follow, even ones unfollow, as the users subgraph numbers them. */
function follow(followerId: string, followeeId: string, seq: number, at = time()): EventEnvelope<FollowChangedPayload> {
  const active = seq % 2 === 1;
  return {
    id: `follow:${followerId}:${followeeId}:${seq}`,
    type: active ? EventTypes.userFollowed : EventTypes.userUnfollowed,
    occurredAt: at,
    key: followerId,
    payload: { followerId, followeeId, active, seq, changedAt: at },
  };
}

function like(tweetId: string, tweetAuthorId: string, userId: string, seq: number, at = time()): EventEnvelope<LikeChangedPayload> {
  const active = seq % 2 === 1;
  return {
    id: `like:${tweetId}:${userId}:${seq}`,
    type: active ? EventTypes.tweetLiked : EventTypes.tweetUnliked,
    occurredAt: at,
    key: tweetId,
    payload: { tweetId, tweetAuthorId, userId, active, seq, changedAt: at },
  };
}

function tweetDeleted(tweetId: string, authorId: string): EventEnvelope<TweetChangedPayload> {
  return {
    id: `tweet:${tweetId}:v2`,
    type: EventTypes.tweetDeleted,
    occurredAt: time(),
    key: authorId,
    payload: { tweetId, authorId, version: 2, text: null, createdAt: time(), editedAt: null, deleted: true },
  };
}

const viewer = (id: string): Viewer => ({ id, handle: id });

/** The notifications domain on its in-memory adapters, fed through the in-process bus, with every live push recorded. */
async function setUp(options: { live?: LiveBus; notifications?: NotificationRepository } = {}) {
  const logger = createLogger('test', 'silent');
  const notifications = options.notifications ?? new InMemoryNotificationRepository();
  const live = options.live ?? new InMemoryLiveBus();
  const ids = new IdGenerator();
  const repositories = { notifications, edges: new InMemoryEdgeRepository(), deletedTweets: new InMemoryDeletedTweetRepository() };
  const projector = new NotificationProjector({ ...repositories, live, logger, newId: () => ids.next() });
  const inbox = new NotificationInbox(notifications);
  const bus = new InMemoryEventBus(logger);
  await startConsumers(bus, projector, logger);
  const pushes: Array<{ userId: string; id: string }> = [];
  const listen = (userId: string) => live.listen(LiveStreams.notifications, userId, (id) => void pushes.push({ userId, id }));
  /** Publishes, then waits until the consumer has handled everything and live pushes have landed. */
  const deliver = async (topic: string, ...events: EventEnvelope[]) => {
    await bus.publish(topic, events);
    await bus.drain();
    await new Promise((resolve) => setImmediate(resolve));
  };
  const list = async (userId: string) => (await inbox.page(viewer(userId), 100)).items;
  return { bus, projector, inbox, pushes, listen, deliver, list, logger, repositories };
}

describe('follow notifications', () => {
  it('tells the followee who followed them, unread, and pushes it once', async () => {
    const { deliver, list, listen, pushes, inbox } = await setUp();
    await listen('bob');
    await deliver(Topics.userFollows, follow('ada', 'bob', 1));
    const [notification] = await list('bob');
    expect(notification).toMatchObject({ kind: 'FOLLOW', recipientId: 'bob', actorId: 'ada', tweetId: null, read: false, createdAt: new Date(T0) });
    expect(notification!.id).toMatch(/^\d{19}$/);
    expect(pushes).toEqual([{ userId: 'bob', id: notification!.id }]);
    expect(await list('ada')).toEqual([]);
    expect(await inbox.unreadCount(viewer('bob'))).toBe(1);
  });

  it('ignores following yourself', async () => {
    const { deliver, list, listen, pushes } = await setUp();
    await listen('ada');
    await deliver(Topics.userFollows, follow('ada', 'ada', 1));
    expect(await list('ada')).toEqual([]);
    expect(pushes).toEqual([]);
  });

  it('makes one notification and one push when the same event comes twice or thrice', async () => {
    const { deliver, list, listen, pushes, projector } = await setUp();
    await listen('bob');
    await deliver(Topics.userFollows, follow('ada', 'bob', 1), follow('ada', 'bob', 1));
    await deliver(Topics.userFollows, follow('ada', 'bob', 1));
    // Concurrent copies too, as two consumer instances during a rebalance would handle them.
    const change = { kind: 'FOLLOW', recipientId: 'bob', actorId: 'ada', tweetId: null, active: true, seq: 1, at: new Date(T0) } as const;
    await Promise.all([projector.applyEdgeChange(change), projector.applyEdgeChange(change)]);
    expect(await list('bob')).toHaveLength(1);
    expect(pushes).toHaveLength(1);
  });

  it('ignores a change older than one applied: an unfollow that overtook its follow leaves nothing', async () => {
    const { deliver, list, listen, pushes } = await setUp();
    await listen('bob');
    await deliver(Topics.userFollows, follow('ada', 'bob', 2), follow('ada', 'bob', 1));
    expect(await list('bob')).toEqual([]);
    expect(pushes).toEqual([]);
  });

  it('ends in the latest state whatever the order: follow 1, follow 3, unfollow 2 late', async () => {
    const { deliver, list, listen, pushes } = await setUp();
    await listen('bob');
    await deliver(Topics.userFollows, follow('ada', 'bob', 1), follow('ada', 'bob', 3, time(HOUR)), follow('ada', 'bob', 2));
    expect(await list('bob')).toHaveLength(1);
    expect(pushes).toHaveLength(1);
  });

  it('retracts the notification when the follower unfollows soon after', async () => {
    const { deliver, list, inbox } = await setUp();
    await deliver(Topics.userFollows, follow('ada', 'bob', 1));
    const [notification] = await list('bob');
    await deliver(Topics.userFollows, follow('ada', 'bob', 2, time(60_000)));
    expect(await list('bob')).toEqual([]);
    expect(await inbox.unreadCount(viewer('bob'))).toBe(0);
    expect(await inbox.byId(viewer('bob'), notification!.id)).toBeNull();
  });

  it('restores the same notification, without a push, when they follow again within the window', async () => {
    const { deliver, list, listen, pushes, inbox } = await setUp();
    await listen('bob');
    await deliver(Topics.userFollows, follow('ada', 'bob', 1));
    const [first] = await list('bob');
    await inbox.markAllRead(viewer('bob'));
    await deliver(Topics.userFollows, follow('ada', 'bob', 2, time(HOUR)), follow('ada', 'bob', 3, time(2 * HOUR)));
    expect(await list('bob')).toEqual([{ ...first, read: true }]);
    expect(pushes).toHaveLength(1);
  });

  it('makes a new notification, pushed, when they follow again after the window', async () => {
    const { deliver, list, listen, pushes, inbox } = await setUp();
    await listen('bob');
    await deliver(Topics.userFollows, follow('ada', 'bob', 1));
    const [first] = await list('bob');
    await deliver(Topics.userFollows, follow('ada', 'bob', 2, time(HOUR)), follow('ada', 'bob', 3, time(RESTORE_WINDOW_MS + HOUR)));
    const [second, ...rest] = await list('bob');
    expect(rest).toEqual([]);
    expect(second).toMatchObject({ kind: 'FOLLOW', actorId: 'ada', read: false, createdAt: new Date(T0 + RESTORE_WINDOW_MS + HOUR) });
    expect(second!.id > first!.id).toBe(true);
    expect(pushes.map((push) => push.id)).toEqual([first!.id, second!.id]);
    expect(await inbox.byId(viewer('bob'), first!.id)).toBeNull();
  });

  it('retires the old notification when a late follow replaces it while its unfollow is still on the way', async () => {
    const { deliver, list } = await setUp();
    await deliver(Topics.userFollows, follow('ada', 'bob', 1), follow('ada', 'bob', 3, time(2 * RESTORE_WINDOW_MS)));
    await deliver(Topics.userFollows, follow('ada', 'bob', 2, time(RESTORE_WINDOW_MS)));
    expect(await list('bob')).toEqual([expect.objectContaining({ createdAt: new Date(T0 + 2 * RESTORE_WINDOW_MS) })]);
  });

  it('finishes the job when a redelivery follows a crash between its two writes, and pushes then', async () => {
    const notifications = new InMemoryNotificationRepository();
    jest.spyOn(notifications, 'write').mockRejectedValueOnce(new Error('connection lost'));
    const { deliver, list, listen, pushes } = await setUp({ notifications });
    await listen('bob');
    await deliver(Topics.userFollows, follow('ada', 'bob', 1)); // the bus redelivers after the failure
    const [notification] = await list('bob');
    expect(notification).toBeDefined();
    expect(pushes).toEqual([{ userId: 'bob', id: notification!.id }]);
  });
});

describe('like notifications', () => {
  it('tells the author who liked which tweet; liking your own tweet tells nobody', async () => {
    const { deliver, list, listen, pushes } = await setUp();
    await listen('ada');
    await deliver(Topics.tweetLikes, like('100', 'ada', 'ada', 1), like('100', 'ada', 'bob', 1), like('200', 'ada', 'bob', 1));
    const notifications = await list('ada');
    expect(notifications.map(({ kind, actorId, tweetId }) => ({ kind, actorId, tweetId }))).toEqual([
      { kind: 'LIKE', actorId: 'bob', tweetId: '200' },
      { kind: 'LIKE', actorId: 'bob', tweetId: '100' },
    ]);
    expect(pushes).toHaveLength(2);
  });

  it('notifies once for like, unlike, like spam', async () => {
    const { deliver, list, listen, pushes } = await setUp();
    await listen('ada');
    await deliver(Topics.tweetLikes, ...[1, 2, 3, 4, 5].map((seq) => like('100', 'ada', 'bob', seq, time(seq * 1000))));
    expect(await list('ada')).toHaveLength(1);
    expect(pushes).toHaveLength(1);
  });

  it('retracts the likes of a deleted tweet, and a like that arrives after the deletion notifies nobody', async () => {
    const { deliver, list, listen, pushes } = await setUp();
    await listen('ada');
    await deliver(Topics.tweetLikes, like('100', 'ada', 'bob', 1), like('100', 'ada', 'cy', 1), like('200', 'ada', 'bob', 1));
    await deliver(Topics.userFollows, follow('bob', 'ada', 1));
    await deliver(Topics.tweets, tweetDeleted('100', 'ada'));
    expect((await list('ada')).map(({ kind, tweetId }) => [kind, tweetId])).toEqual([
      ['FOLLOW', null],
      ['LIKE', '200'],
    ]);
    await deliver(Topics.tweetLikes, like('100', 'ada', 'dee', 1), like('100', 'ada', 'bob', 3, time(HOUR)));
    expect(await list('ada')).toHaveLength(2);
    expect(pushes).toHaveLength(4);
  });
});

describe('live pushes', () => {
  it('are best effort: a failed push is logged and the notification stays', async () => {
    const live = new InMemoryLiveBus();
    jest.spyOn(live, 'publish').mockRejectedValue(new Error('redis down'));
    const { deliver, list, logger } = await setUp({ live });
    const warn = jest.spyOn(logger, 'warn');
    await deliver(Topics.userFollows, follow('ada', 'bob', 1));
    expect(await list('bob')).toHaveLength(1);
    expect(warn).toHaveBeenCalledWith(expect.objectContaining({ recipientId: 'bob' }), 'live push of a notification failed');
  });
});

describe('the inbox', () => {
  it('pages newest first, counts unread, marks all read, and shows only the viewer their own', async () => {
    const { deliver, inbox } = await setUp();
    await deliver(Topics.userFollows, ...['a', 'b', 'c'].map((follower) => follow(follower, 'bob', 1)));
    const first = await inbox.page(viewer('bob'), 2);
    expect(first.items.map((n) => n.actorId)).toEqual(['c', 'b']);
    expect(first.hasNextPage).toBe(true);
    const second = await inbox.page(viewer('bob'), 2, first.items[1]!.id);
    expect(second).toEqual({ items: [expect.objectContaining({ actorId: 'a' })], hasNextPage: false });
    expect(await inbox.unreadCount(viewer('bob'))).toBe(3);
    expect(await inbox.markAllRead(viewer('bob'))).toBe(3);
    expect(await inbox.unreadCount(viewer('bob'))).toBe(0);
    expect(await inbox.markAllRead(viewer('bob'))).toBe(0);
    const id = first.items[0]!.id;
    expect(await inbox.byId(viewer('bob'), id)).toMatchObject({ id, read: true });
    expect(await inbox.byId(viewer('a'), id)).toBeNull();
  });

  it('refuses anyone not signed in', async () => {
    const { inbox } = await setUp();
    await expect(inbox.page(null, 20)).rejects.toBeInstanceOf(UnauthenticatedError);
    await expect(inbox.unreadCount(null)).rejects.toBeInstanceOf(UnauthenticatedError);
    await expect(inbox.markAllRead(null)).rejects.toBeInstanceOf(UnauthenticatedError);
    await expect(inbox.byId(null, '1')).rejects.toBeInstanceOf(UnauthenticatedError);
  });
});

describe('the rules', () => {
  const change = { kind: 'LIKE', recipientId: 'ada', actorId: 'bob', tweetId: '100', active: true, seq: 1, at: new Date(T0) } as const;
  const newId = () => 'new';

  it('a first activation makes a notification; a first deactivation records the edge without one', () => {
    expect(nextEdge(null, change, newId)).toEqual({
      key: 'LIKE:ada:bob:100',
      seq: 1,
      active: true,
      notification: { id: 'new', createdAt: new Date(T0), seq: 1 },
      retiredNotificationId: null,
    });
    expect(nextEdge(null, { ...change, active: false, seq: 2 }, newId)).toMatchObject({ active: false, notification: null });
  });

  it('keeps the notification just inside the window and replaces it at the window', () => {
    const stored = nextEdge(null, change, () => 'old');
    const again = (ms: number) => nextEdge(stored, { ...change, seq: 3, at: new Date(T0 + ms) }, newId);
    expect(again(RESTORE_WINDOW_MS - 1).notification?.id).toBe('old');
    expect(again(RESTORE_WINDOW_MS)).toMatchObject({ notification: { id: 'new', seq: 3 }, retiredNotificationId: 'old' });
  });
});

import { IdGenerator } from '@chirp/platform';
import type { EdgeRecord, NotificationState } from '../src/domain/model.js';
import type { DeletedTweetRepository, EdgeRepository, NotificationRepository } from '../src/repositories/types.js';

const ids = new IdGenerator();
let counter = 0;
/** A user id no other test uses, so tests can share one database. */
const someone = () => `user${Date.now()}${(counter += 1)}`;
const at = (ms: number) => new Date(1_700_000_000_000 + ms);

function notification(recipientId: string, overrides: Partial<NotificationState> = {}): NotificationState {
  return { id: ids.next(), recipientId, kind: 'FOLLOW', actorId: someone(), tweetId: null, createdAt: at(counter), visible: true, ...overrides };
}

/** What every NotificationRepository must do, in memory and on MongoDB alike. */
export function describeNotificationRepositoryContract(name: string, create: () => Promise<NotificationRepository>): void {
  describe(`NotificationRepository contract: ${name}`, () => {
    let notifications: NotificationRepository;
    beforeAll(async () => {
      notifications = await create();
    });

    it('creates a notification unread, and finds it by id', async () => {
      const state = notification(someone(), { kind: 'LIKE', tweetId: '1234567890123456789' });
      expect(await notifications.write(state, 1)).toBe('created');
      expect(await notifications.findById(state.recipientId, state.id)).toEqual({ ...state, read: false });
      expect(await notifications.findById(state.recipientId, '1')).toBeNull();
      expect(await notifications.findById(someone(), state.id)).toBeNull(); // not theirs
    });

    it('applies only a newer edge change: the same or an older one leaves it unchanged', async () => {
      const state = notification(someone());
      await notifications.write(state, 3);
      expect(await notifications.write({ ...state, visible: false }, 3)).toBe('unchanged');
      expect(await notifications.write({ ...state, visible: false }, 2)).toBe('unchanged');
      expect((await notifications.findById(state.recipientId, state.id))?.visible).toBe(true);
      expect(await notifications.write({ ...state, visible: false }, 4)).toBe('updated');
      expect((await notifications.findById(state.recipientId, state.id))?.visible).toBe(false);
    });

    it('never changes read when it writes, so a restored notification keeps it', async () => {
      const recipient = someone();
      const state = notification(recipient);
      await notifications.write(state, 1);
      await notifications.markAllRead(recipient);
      await notifications.write({ ...state, visible: false }, 2);
      await notifications.write({ ...state, visible: true }, 3);
      expect(await notifications.findById(state.recipientId, state.id)).toMatchObject({ read: true, visible: true });
    });

    it("lists a recipient's visible notifications newest first, in pages", async () => {
      const recipient = someone();
      const [first, hidden, second, third] = [notification(recipient), notification(recipient), notification(recipient), notification(recipient)];
      for (const state of [first, hidden, second, third]) await notifications.write(state, 1);
      await notifications.write(notification(someone()), 1); // someone else's
      await notifications.write({ ...hidden, visible: false }, 2);
      expect((await notifications.listVisible(recipient, 10)).map((n) => n.id)).toEqual([third.id, second.id, first.id]);
      expect((await notifications.listVisible(recipient, 2)).map((n) => n.id)).toEqual([third.id, second.id]);
      expect((await notifications.listVisible(recipient, 2, second.id)).map((n) => n.id)).toEqual([first.id]);
      expect(await notifications.listVisible(recipient, 2, first.id)).toEqual([]);
    });

    it('counts and marks read only the visible unread ones of the recipient', async () => {
      const recipient = someone();
      const states = [notification(recipient), notification(recipient), notification(recipient)];
      for (const state of states) await notifications.write(state, 1);
      await notifications.hide(states[0]!.recipientId, states[0]!.id);
      await notifications.write(notification(someone()), 1);
      expect(await notifications.countUnread(recipient)).toBe(2);
      expect(await notifications.markAllRead(recipient)).toBe(2);
      expect(await notifications.countUnread(recipient)).toBe(0);
      expect(await notifications.markAllRead(recipient)).toBe(0);
      expect((await notifications.findById(states[1]!.recipientId, states[1]!.id))?.read).toBe(true);
    });

    it('hides one notification, and every LIKE of a tweet', async () => {
      const recipient = someone();
      const tweetId = ids.next();
      const likes = [notification(recipient, { kind: 'LIKE', tweetId }), notification(recipient, { kind: 'LIKE', tweetId })];
      const otherTweet = notification(recipient, { kind: 'LIKE', tweetId: ids.next() });
      const follow = notification(recipient);
      for (const state of [...likes, otherTweet, follow]) await notifications.write(state, 1);
      expect(await notifications.hideLikesOfTweet(tweetId)).toBe(2);
      expect(await notifications.hideLikesOfTweet(tweetId)).toBe(0);
      await notifications.hide(follow.recipientId, follow.id);
      expect((await notifications.listVisible(recipient, 10)).map((n) => n.id)).toEqual([otherTweet.id]);
    });
  });
}

function edge(key: string, seq: number, overrides: Partial<EdgeRecord> = {}): EdgeRecord {
  return { key, seq, active: seq % 2 === 1, notification: null, retiredNotificationId: null, ...overrides };
}

export function describeEdgeRepositoryContract(name: string, create: () => Promise<EdgeRepository>): void {
  describe(`EdgeRepository contract: ${name}`, () => {
    let edges: EdgeRepository;
    beforeAll(async () => {
      edges = await create();
    });

    it('stores a first edge once, and finds it by key', async () => {
      const key = `FOLLOW:${someone()}:${someone()}:-`;
      const first = edge(key, 1, { notification: { id: ids.next(), createdAt: at(5), seq: 1 } });
      expect(await edges.findByKey(key)).toBeNull();
      expect(await edges.save(first, null)).toBe(true);
      expect(await edges.save(edge(key, 2), null)).toBe(false);
      expect(await edges.findByKey(key)).toEqual(first);
    });

    it('compares and sets on seq: a write based on a stale read is refused', async () => {
      const key = `LIKE:${someone()}:${someone()}:${ids.next()}`;
      await edges.save(edge(key, 1), null);
      const retired = edge(key, 3, { notification: { id: ids.next(), createdAt: at(9), seq: 3 }, retiredNotificationId: ids.next() });
      expect(await edges.save(edge(key, 2), 1)).toBe(true);
      expect(await edges.save(edge(key, 3), 1)).toBe(false);
      expect(await edges.save(retired, 2)).toBe(true);
      expect(await edges.findByKey(key)).toEqual(retired);
    });
  });
}

export function describeDeletedTweetRepositoryContract(name: string, create: () => Promise<DeletedTweetRepository>): void {
  describe(`DeletedTweetRepository contract: ${name}`, () => {
    it('remembers deleted tweets, and adding one twice is harmless', async () => {
      const deletedTweets = await create();
      const tweetId = ids.next();
      expect(await deletedTweets.has(tweetId)).toBe(false);
      await deletedTweets.add(tweetId);
      await deletedTweets.add(tweetId);
      expect(await deletedTweets.has(tweetId)).toBe(true);
    });
  });
}

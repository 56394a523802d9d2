import { IdGenerator, createRedisClient, type RedisClient } from '@chirp/platform';
import { REDIS_TARGETS, uniqueName } from '@chirp/testing';
import { InMemoryTimelineStore } from '../src/stores/memory-timeline-store.js';
import { RedisTimelineStore, TIMELINE_KEYS } from '../src/stores/redis-timeline-store.js';
import { UNFOLLOW_MEMORY_SECONDS, type TimelineStore, type TimelineStoreSettings } from '../src/stores/types.js';

const settings: TimelineStoreSettings = { maxLength: 5, activeWindowSeconds: 60 };
const ids = new IdGenerator();
/** Tweet ids in time order: made[0] oldest. */
const tweets = (count: number) => Array.from({ length: count }, () => ids.next());
const user = () => uniqueName('u');

/** What every TimelineStore must do, in memory and on Redis alike. */
function describeTimelineStoreContract(name: string, create: (given?: TimelineStoreSettings) => Promise<TimelineStore>): void {
  describe(`TimelineStore contract: ${name}`, () => {
    let store: TimelineStore;
    beforeAll(async () => {
      store = await create();
    });

    const build = async (userId: string, home: { ids: string[]; celebrities?: string[]; complete?: boolean }) =>
      store.replaceHome(userId, await store.generation(userId), { celebrities: [], complete: false, ...home });

    it('has no timeline for a user until one is built; pushes to it are skipped', async () => {
      const viewer = user();
      await store.addToHomes([viewer], ids.next());
      expect(await store.readHome(viewer)).toBeNull();
    });

    it('keeps a built timeline sorted newest first, without duplicates, whatever the arrival order', async () => {
      const viewer = user();
      const [a, b, c, d] = tweets(4);
      expect(await build(viewer, { ids: [b!], complete: true })).toBe(true);
      await store.addToHomes([viewer], d!);
      await store.addToHomes([viewer], a!); // late
      await store.addToHomes([viewer], c!); // late, in the middle
      await store.addToHomes([viewer], d!); // redelivered
      await store.addManyToHome(viewer, [c!, a!]);
      expect(await store.readHome(viewer)).toEqual({ ids: [d, c, b, a], celebrities: [], complete: true });
    });

    it('places late tweets at any depth of a long timeline, as a backlogged fan-out delivers them', async () => {
      const long = await create({ maxLength: 800, activeWindowSeconds: 60 });
      const viewer = user();
      const made = tweets(700); // deeper than the first chunks the insert reads (32, then 128 more)
      await long.replaceHome(viewer, await long.generation(viewer), { ids: made.filter((_, i) => i % 2 === 1).reverse(), celebrities: [], complete: true });
      const late = made.filter((_, i) => i % 2 === 0);
      for (let i = late.length - 1; i > 0; i -= 1) {
        const j = (i * 7919) % (i + 1);
        [late[i], late[j]] = [late[j]!, late[i]!];
      }
      for (const id of [...late, ...late.slice(0, 50)]) await long.addToHomes([viewer], id); // every late one, some twice
      expect((await long.readHome(viewer))?.ids).toEqual([...made].reverse());
    });

    it('keeps only the newest maxLength ids, and is no longer complete once trimmed', async () => {
      const viewer = user();
      const made = tweets(7);
      await build(viewer, { ids: [], complete: true });
      for (const id of made.slice(1)) await store.addToHomes([viewer], id);
      await store.addToHomes([viewer], made[0]!); // older than everything: dropped by the trim
      expect(await store.readHome(viewer)).toEqual({ ids: made.slice(2).reverse(), celebrities: [], complete: false });
    });

    it('pushes to many timelines at once, skipping those not cached', async () => {
      const viewers = Array.from({ length: 250 }, () => user());
      const cached = viewers.filter((_, index) => index % 3 === 0);
      for (const viewer of cached) await build(viewer, { ids: [], complete: true });
      const tweet = ids.next();
      await store.addToHomes(viewers, tweet);
      for (const viewer of viewers) {
        expect(await store.readHome(viewer)).toEqual(cached.includes(viewer) ? { ids: [tweet], celebrities: [], complete: true } : null);
      }
    });

    it('reads just the newest part of a timeline when asked', async () => {
      const viewer = user();
      const made = tweets(4);
      await build(viewer, { ids: [...made].reverse(), complete: true });
      expect(await store.readHome(viewer, 2)).toEqual({ ids: [made[3], made[2]], celebrities: [], complete: false, partial: true });
      expect(await store.readHome(viewer, 10)).toEqual({ ids: [...made].reverse(), celebrities: [], complete: true });
      const star = user();
      await store.mergeRecent(star, [...made].reverse());
      expect(await store.readRecent([star], 3)).toEqual([{ ids: [made[3], made[2], made[1]], complete: false, partial: true }]);
    });

    it('reads a later page below its cursor, whether the cursor is in the list or not', async () => {
      const viewer = user();
      const made = tweets(6); // made[0] oldest
      const stored = [made[5]!, made[3]!, made[2]!, made[1]!];
      await build(viewer, { ids: stored, complete: false });
      const read = (limit: number | undefined, olderThan: string) => store.readHome(viewer, limit, olderThan);
      expect(await read(2, made[3]!)).toEqual({ ids: [made[2], made[1]], celebrities: [], complete: false, partial: true, olderThan: made[3] });
      expect(await read(undefined, made[4]!)).toEqual({ ids: [made[3], made[2], made[1]], celebrities: [], complete: false, olderThan: made[4] });
      expect(await read(5, made[1]!)).toEqual({ ids: [], celebrities: [], complete: false, olderThan: made[1] }); // below the cached part
      expect(await read(5, made[0]!)).toEqual({ ids: [], celebrities: [], complete: false, olderThan: made[0] });
      const whole = user();
      await build(whole, { ids: [made[5]!, made[1]!], complete: true });
      expect(await store.readHome(whole, 5, made[5])).toEqual({ ids: [made[1]], celebrities: [], complete: true, olderThan: made[5] });
      expect(await store.readHome(whole, 5, made[1])).toEqual({ ids: [], celebrities: [], complete: true, olderThan: made[1] });
      expect(await store.readHome(user(), 5, made[1])).toBeNull();
    });

    it('refuses a rebuild that an invalidation overtook', async () => {
      const viewer = user();
      const generation = await store.generation(viewer);
      await store.invalidateHomes([viewer]);
      expect(await store.replaceHome(viewer, generation, { ids: tweets(1), celebrities: [], complete: true })).toBe(false);
      expect(await store.readHome(viewer)).toBeNull();
      expect(await build(viewer, { ids: tweets(1) })).toBe(true);
    });

    it('drops invalidated timelines', async () => {
      const [one, two] = [user(), user()];
      await build(one, { ids: tweets(2) });
      await build(two, { ids: tweets(2), celebrities: ['c1'] });
      await store.invalidateHomes([one, two]);
      expect(await store.readHome(one)).toBeNull();
      expect(await store.readHome(two)).toBeNull();
    });

    it('drops the home on a follow change, and remembers an unfollow until a follow again', async () => {
      const [viewer, other, author] = [user(), user(), user()];
      await build(viewer, { ids: tweets(1) });
      const generation = await store.generation(viewer);
      await store.followChanged(viewer, author, false);
      await store.followChanged(other, author, false);
      expect(await store.readHome(viewer)).toBeNull();
      expect(await store.replaceHome(viewer, generation, { ids: tweets(1), celebrities: [], complete: true })).toBe(false);
      expect((await store.recentUnfollowers(author)).sort()).toEqual([viewer, other].sort());
      expect(await store.recentUnfollowers(user())).toEqual([]);
      await store.followChanged(viewer, author, true);
      expect(await store.recentUnfollowers(author)).toEqual([other]);
    });

    it('takes a tweet out of the cached homes that hold it, and leaves the others alone', async () => {
      const [one, two, uncached] = [user(), user(), user()];
      const [older, tweet] = tweets(2);
      await build(one, { ids: [tweet!, older!] });
      await build(two, { ids: [older!] });
      await store.removeFromHomes([one, two, uncached], tweet!);
      expect((await store.readHome(one))?.ids).toEqual([older]);
      expect((await store.readHome(two))?.ids).toEqual([older]);
      expect(await store.readHome(uncached)).toBeNull();
    });

    it('keeps the celebrities a user follows with their timeline', async () => {
      const viewer = user();
      await build(viewer, { ids: tweets(1), celebrities: ['c1', 'c2'] });
      expect((await store.readHome(viewer))?.celebrities.sort()).toEqual(['c1', 'c2']);
    });

    it('keeps celebrities', async () => {
      const [star, other] = [user(), user()];
      expect(await store.isCelebrity([star, other])).toEqual([false, false]);
      await store.markCelebrity(star);
      expect(await store.isCelebrity([star, other])).toEqual([true, false]);
    });

    it("keeps an author's recent tweets once the list is made; pushes to a missing list are skipped and say so", async () => {
      const [author, other] = [user(), user()];
      const [a, b, c] = tweets(3);
      expect(await store.pushRecent(author, a!)).toBe(false);
      expect(await store.readRecent([author])).toEqual([null]);
      await store.mergeRecent(author, [b!, a!]);
      expect(await store.pushRecent(author, c!)).toBe(true);
      expect(await store.pushRecent(author, c!)).toBe(true); // redelivered
      expect(await store.readRecent([author, other])).toEqual([{ ids: [c, b, a], complete: true }, null]);
      const none = user();
      await store.mergeRecent(none, []);
      expect(await store.readRecent([none])).toEqual([{ ids: [], complete: true }]);
    });

    it("merges an author's list as a union, sorted, without duplicates, trimmed to maxLength", async () => {
      const author = user();
      const made = tweets(7); // maxLength is 5
      await store.mergeRecent(author, [made[5]!, made[3]!]); // fewer than maxLength: the author's whole history
      await store.mergeRecent(author, [made[6]!, made[5]!, made[4]!, made[2]!]); // a racing writer's read
      expect(await store.readRecent([author])).toEqual([{ ids: [made[6], made[5], made[4], made[3], made[2]], complete: false }]);
      await store.mergeRecent(author, [...made].reverse().slice(0, 5)); // a full read: not complete
      expect(await store.readRecent([author])).toEqual([{ ids: [...made].reverse().slice(0, 5), complete: false }]);
      const small = user();
      await store.mergeRecent(small, [made[1]!]);
      await store.mergeRecent(small, [made[2]!, made[1]!]);
      expect(await store.readRecent([small])).toEqual([{ ids: [made[2], made[1]], complete: true }]);
    });

    it('remembers a follower count for a while', async () => {
      const [author, other] = [user(), user()];
      expect(await store.cachedFollowerCount(author)).toBeNull();
      await store.cacheFollowerCount(author, 12, 60);
      expect(await store.cachedFollowerCount(author)).toBe(12);
      expect(await store.cachedFollowerCount(other)).toBeNull();
    });
  });
}

describeTimelineStoreContract('in-memory', async (given = settings) => new InMemoryTimelineStore(given));

for (const target of REDIS_TARGETS) {
  describe(`on ${target.name}`, () => {
    let redis: RedisClient;
    beforeAll(() => {
      redis = createRedisClient(target.connection(), `${uniqueName('timeline')}:`);
    });
    afterAll(async () => {
      await redis.quit();
    });
    describeTimelineStoreContract(target.name, async (given = settings) => new RedisTimelineStore(redis, given));

    it('keeps only the last window of unfollows, however steadily an account loses followers', async () => {
      const store = new RedisTimelineStore(redis, settings);
      const author = user();
      const key = TIMELINE_KEYS.unfollowers(author);
      // Unfollows from before the window, as a set renewed by every new unfollow would keep them forever.
      await redis.zadd(key, Date.now() - 1000, 'long-ago-1', Date.now() - 1, 'long-ago-2');
      expect(await store.recentUnfollowers(author)).toEqual([]);
      await store.followChanged('recent', author, false);
      expect(await store.recentUnfollowers(author)).toEqual(['recent']);
      expect(await redis.zcard(key)).toBe(1); // the old ones dropped by the new unfollow's write
      expect(await redis.ttl(key)).toBeGreaterThan(UNFOLLOW_MEMORY_SECONDS - 5);
    });
  });
}

describe('InMemoryTimelineStore', () => {
  it('lets an unread timeline expire after the activity window', async () => {
    let now = 0;
    const store = new InMemoryTimelineStore({ maxLength: 5, activeWindowSeconds: 10 }, () => now);
    await store.replaceHome('u', '', { ids: tweets(1), celebrities: [], complete: true });
    now = 9_000;
    expect(await store.readHome('u')).not.toBeNull(); // reading renews the window
    now = 18_000;
    expect(await store.readHome('u')).not.toBeNull();
    now = 30_000;
    expect(await store.readHome('u')).toBeNull();
  });

  it('forgets an unfollow when its window is over', async () => {
    let now = 0;
    const store = new InMemoryTimelineStore({ maxLength: 5, activeWindowSeconds: 10 }, () => now);
    await store.followChanged('follower', 'author', false);
    now = UNFOLLOW_MEMORY_SECONDS * 1000 - 1;
    expect(await store.recentUnfollowers('author')).toEqual(['follower']);
    now = UNFOLLOW_MEMORY_SECONDS * 1000;
    expect(await store.recentUnfollowers('author')).toEqual([]);
  });

  it('forgets a follower count when its time is up', async () => {
    let now = 0;
    const store = new InMemoryTimelineStore({ maxLength: 5, activeWindowSeconds: 10 }, () => now);
    await store.cacheFollowerCount('author', 3, 60);
    now = 59_000;
    expect(await store.cachedFollowerCount('author')).toBe(3);
    now = 60_000;
    expect(await store.cachedFollowerCount('author')).toBeNull();
  });
});

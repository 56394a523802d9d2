import { IdGenerator, InMemoryLiveBus, InMemoryVersionedCache, createLogger } from '@chirp/platform';
import { CardService } from '../src/domain/cards.js';
import { FanoutService } from '../src/domain/fanout.js';
import { HomeTimelineService } from '../src/domain/home-timeline.js';
import { LikesProjection } from '../src/domain/likes.js';
import { loadTimelineSettings } from '../src/domain/settings.js';
import {
  InMemoryAuthorRepository,
  InMemoryFollowGraphRepository,
  InMemoryLikeProjectionRepository,
  InMemoryTweetProjectionRepository,
} from '../src/repositories/index.js';
import { InMemoryLikeCache } from '../src/stores/memory-like-cache.js';
import { InMemoryTimelineStore } from '../src/stores/memory-timeline-store.js';
import type { CachedHome } from '../src/stores/types.js';

/** The tweets projection, counting the reads of durable data a rebuild would make. */
class CountingTweets extends InMemoryTweetProjectionRepository {
  latestReads = 0;
  override async latestIds(authorIds: readonly string[], limit: number, beforeId?: string): Promise<string[]> {
    this.latestReads += 1;
    return super.latestIds(authorIds, limit, beforeId);
  }
}

/** The store, running `beforeReplace` once, just before the next rebuild is stored. */
class RacingStore extends InMemoryTimelineStore {
  beforeReplace: (() => Promise<void>) | null = null;
  override async replaceHome(userId: string, generation: string, home: CachedHome): Promise<boolean> {
    const race = this.beforeReplace;
    this.beforeReplace = null;
    await race?.();
    return super.replaceHome(userId, generation, home);
  }
}

/** Cold reads: a home timeline not cached is rebuilt from its authors' recent lists, and equals a warm one. */
describe('HomeTimelineService, cold', () => {
  const ids = new IdGenerator();
  const settings = { ...loadTimelineSettings({}), maxLength: 10 };
  const [viewer, alice, bob, stranger] = ['viewer', 'alice', 'bob', 'stranger'];

  async function setUp() {
    const store = new RacingStore(settings);
    const followGraph = new InMemoryFollowGraphRepository();
    const tweets = new CountingTweets();
    const authors = new InMemoryAuthorRepository();
    const likes = new LikesProjection(new InMemoryLikeProjectionRepository(), new InMemoryLikeCache(60));
    const cards = new CardService(new InMemoryVersionedCache(), tweets, authors, likes);
    const logger = createLogger('test', 'silent');
    const fanout = new FanoutService({ store, followGraph, tweets, authors, cards, live: new InMemoryLiveBus(), settings, logger });
    const home = new HomeTimelineService({ store, followGraph, tweets, cards, settings });
    for (const id of [viewer, alice, bob, stranger]) {
      await authors.apply({ id, handle: id, firstName: id, lastName: '', avatarUrl: null, version: 1 });
    }
    for (const followee of [alice, bob]) await followGraph.apply({ followerId: viewer, followeeId: followee, active: true, seq: 1 });
    const post = async (authorId: string) => {
      const tweetId = ids.next();
      const createdAt = new Date().toISOString();
      await fanout.onTweetChanged({ tweetId, authorId, version: 1, text: 'hi', createdAt, editedAt: null, deleted: false });
      return tweetId;
    };
    /** Every page of the viewer's timeline, paged to the end. */
    const everything = async () => {
      const shown: string[] = [];
      for (let after: string | undefined; ; ) {
        const page = await home.page(viewer, 3, after);
        shown.push(...page.items.map((card) => card.id));
        if (!page.hasNextPage) return shown;
        after = shown.at(-1);
      }
    };
    return { store, tweets, home, post, everything };
  }

  it('rebuilds from the lists the fan-out keeps, without reading the tweets projection', async () => {
    const { store, tweets, post, everything } = await setUp();
    const posted = [];
    for (let i = 0; i < 3; i += 1) posted.push(await post(viewer), await post(alice), await post(bob), await post(stranger));
    const expected = posted.filter((_, index) => index % 4 !== 3).reverse();
    expect(await everything()).toEqual(expected); // built on the first read: lists made, then the timeline
    await store.invalidateHomes([viewer]); // as an expiry, or a follow change, leaves it
    tweets.latestReads = 0;
    expect(await everything()).toEqual(expected);
    expect(tweets.latestReads).toBe(0);
  });

  it('fills the lists Redis lost from the projection, and pages past the window to the end', async () => {
    const { store, post, everything } = await setUp();
    const posted = [];
    for (let i = 0; i < 8; i += 1) posted.push(await post(alice), await post(bob));
    store.flush();
    expect(await everything()).toEqual([...posted].reverse()); // 16 tweets, lists of at most 10
  });

  it('keeps a tweet fanned out while a rebuild was reading (its push found no timeline)', async () => {
    const { store, post, everything } = await setUp();
    const [first, second] = [await post(alice), await post(bob)];
    await store.invalidateHomes([viewer]);
    let late = '';
    store.beforeReplace = async () => {
      late = await post(alice);
    };
    expect(await everything()).toEqual([late, second, first]);
    expect((await store.readHome(viewer))?.ids).toEqual([late, second, first]);
  });
});

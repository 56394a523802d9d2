import { InMemoryLiveBus, InMemoryVersionedCache, LiveStreams, createLogger, type LiveBus, type LiveStream } from '@chirp/platform';
import { CardService } from '../src/domain/cards.js';
import { FanoutService } from '../src/domain/fanout.js';
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

/** The store, recording whose timelines each write went to, in order. */
class RecordingStore extends InMemoryTimelineStore {
  readonly writes: string[][] = [];
  override async addToHomes(userIds: readonly string[], tweetId: string): Promise<void> {
    this.writes.push([...userIds]);
    await super.addToHomes(userIds, tweetId);
  }
}

/** The live bus, recording who was published to, in order. */
class RecordingLiveBus implements LiveBus {
  readonly published: string[][] = [];
  constructor(private readonly inner: InMemoryLiveBus) {}
  async publish(stream: LiveStream, userIds: readonly string[], id: string): Promise<number> {
    const listened = await this.inner.listening(stream, userIds);
    await this.publishToListening(stream, listened, id);
    return listened.length;
  }
  async publishToListening(stream: LiveStream, userIds: readonly string[], id: string): Promise<void> {
    if (userIds.length > 0) this.published.push([...userIds]);
    await this.inner.publishToListening(stream, userIds, id);
  }
  listening = (stream: LiveStream, userIds: readonly string[]) => this.inner.listening(stream, userIds);
  listen: LiveBus['listen'] = (stream, userId, handler) => this.inner.listen(stream, userId, handler);
  ping = () => this.inner.ping();
  close = () => this.inner.close();
}

/** FanoutService on in-process adapters: who gets the tweet in their timeline, and who hears of it live. */
describe('FanoutService', () => {
  const author = 'author';
  const followers = Array.from({ length: 7 }, (_, index) => `follower${index}`);
  const live = ['follower5', 'follower2'];
  const tweet = (id: string) => ({
    tweetId: id,
    authorId: author,
    version: 1,
    text: 'hello',
    createdAt: new Date().toISOString(),
    editedAt: null,
    deleted: false,
  });

  async function setUp(celebrityFollowers: number, followGraph = new InMemoryFollowGraphRepository()) {
    const store = new RecordingStore({ maxLength: 20, activeWindowSeconds: 3600 });
    const tweets = new InMemoryTweetProjectionRepository();
    const authors = new InMemoryAuthorRepository();
    const bus = new RecordingLiveBus(new InMemoryLiveBus());
    const heard = new Map<string, string[]>();
    for (const follower of followers) {
      await followGraph.apply({ followerId: follower, followeeId: author, active: true, seq: 1 });
      await store.replaceHome(follower, await store.generation(follower), { ids: [], celebrities: [], complete: true });
    }
    for (const user of live) await bus.listen(LiveStreams.homeTimeline, user, (id) => heard.set(user, [...(heard.get(user) ?? []), id]));
    const fanout = new FanoutService({
      store,
      followGraph,
      tweets,
      authors,
      cards: new CardService(new InMemoryVersionedCache(), tweets, authors, new LikesProjection(new InMemoryLikeProjectionRepository(), new InMemoryLikeCache(60))),
      live: bus,
      // Chunks of two, so the live followers' place among the chunks shows.
      settings: { ...loadTimelineSettings({}), celebrityFollowers, fanoutChunk: 2 },
      logger: createLogger('test', 'silent'),
    });
    return { store, bus, heard, fanout, followGraph };
  }

  it('serves the followers with a socket open first, then everyone else', async () => {
    const { store, bus, heard, fanout } = await setUp(100);
    await fanout.onTweetChanged(tweet('1001'));
    for (const follower of followers) expect((await store.readHome(follower))?.ids).toEqual(['1001']);
    expect(store.writes).toEqual([[author], ['follower2', 'follower5'], ['follower0', 'follower1'], ['follower3', 'follower4'], ['follower6']]);
    expect(bus.published).toEqual([['follower2', 'follower5']]); // one announcement: the first chunk
    await new Promise((resolve) => setImmediate(resolve));
    expect(Object.fromEntries(heard)).toEqual({ follower5: ['1001'], follower2: ['1001'] });
  });

  it('keeps a tweet out of the home of a follower who unfollowed after the fan-out read the followers, rebuilt meanwhile', async () => {
    // The follow graph answers the fan-out; then, before its first push, follower0 unfollows and reads their timeline.
    let interleave: (() => Promise<void>) | undefined;
    const graph = new InMemoryFollowGraphRepository();
    const followersOf = graph.followersOf.bind(graph);
    graph.followersOf = async (authorId: string) => {
      const found = await followersOf(authorId);
      await interleave?.();
      return found;
    };
    const { store, fanout } = await setUp(100, graph);
    interleave = async () => {
      interleave = undefined;
      await fanout.onFollowChanged({ followerId: 'follower0', followeeId: author, active: false, seq: 2, changedAt: new Date().toISOString() });
      await store.replaceHome('follower0', await store.generation('follower0'), { ids: [], celebrities: [], complete: true });
    };
    await fanout.onTweetChanged(tweet('1003'));
    expect((await store.readHome('follower0'))?.ids).toEqual([]);
    for (const follower of followers.slice(1)) expect((await store.readHome(follower))?.ids).toEqual(['1003']);

    // Following again: the author's next tweet reaches them.
    await fanout.onFollowChanged({ followerId: 'follower0', followeeId: author, active: true, seq: 3, changedAt: new Date().toISOString() });
    await store.replaceHome('follower0', await store.generation('follower0'), { ids: ['1003'], celebrities: [], complete: true });
    await fanout.onTweetChanged(tweet('1004'));
    expect((await store.readHome('follower0'))?.ids).toEqual(['1004', '1003']);
  });

  it("announces a celebrity's tweet to live followers without writing anyone's timeline", async () => {
    const { store, bus, heard, fanout } = await setUp(3);
    await fanout.onTweetChanged(tweet('1002'));
    // Becoming a celebrity drops the followers' timelines: rebuilt on read, with the author merged in.
    for (const follower of followers) expect(await store.readHome(follower)).toBeNull();
    expect(bus.published).toEqual([['follower2', 'follower5']]);
    await new Promise((resolve) => setImmediate(resolve));
    expect(Object.fromEntries(heard)).toEqual({ follower5: ['1002'], follower2: ['1002'] });
  });
});

import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { Kafka, logLevel } from 'kafkajs';
import {
  createTimelineSubgraph,
  loadTimelineSettings,
  InMemoryLikeCache,
  InMemoryTimelineStore,
  RedisTimelineStore,
  type TimelineStore,
} from '@chirp/timeline';
import { createNotificationsSubgraph } from '@chirp/notifications';
import {
  Topics,
  connectInfrastructure,
  createLogger,
  loadConfig,
  sleep,
  type EventBus,
  type EventEnvelope,
  type EventSubscription,
  type Infrastructure,
  type SubgraphAppOptions,
} from '@chirp/platform';
import {
  GraphQLClient,
  eventually,
  inMemoryEnvironment,
  isolatedEnvironment,
  randomSource,
  signUpThroughGateway,
  type Account,
  type ConnectionOf,
} from '@chirp/testing';
import { startStack, type RunningStack } from '@chirp/stack';

/**
 * A model-based test of the home timeline. Random sequences of sign-ups,
 * follows, unfollows, posts, edits, deletes, likes and unlikes run against
 * the stack and against a plain reference model; then every user's
 * timeline, paged to the end, must equal the model's: the tweets, their
 * text, their like counts and whether the viewer likes each (all served by
 * the timeline subgraph's projections), and every user's notifications must
 * be the model's, each once. Then the same check after faults: the
 * fan-out dies half-way through followers, the timeline subgraph is stopped
 * and restarted while writes go on, every event is delivered again twice and
 * out of order, and Redis loses every timeline. On the real servers the
 * topics have several partitions, and while writes go on more instances of
 * the consumer groups join and leave and one is killed in the middle of
 * its batches.
 *
 * The sequence comes from a seed (printed; set TIMELINE_MODEL_SEED to replay).
 */
const SEED = Number(process.env.TIMELINE_MODEL_SEED ?? Date.now() % 1_000_000);
const TOPICS = [Topics.userFollows, Topics.userProfiles, Topics.tweets, Topics.tweetLikes];
/** Partitions of each topic on the real servers: shared by up to three instances of each group. */
const PARTITIONS = 4;
/** The other instance of the groups, in a child process (it imports the built packages). */
const CONSUMER_INSTANCE = fileURLToPath(new URL('./fixtures/consumer-instance.mjs', import.meta.url));
/** Events of one group the child applies before it stops in the middle of its batches, and how long its first event of each group takes (so more queue up). */
const CHILD_HANGS_AFTER = 4;
const CHILD_FIRST_EVENT_DELAY_MS = 2_000;

/** One timeline entry as compared: id, text, like count, liked by the viewer. */
type Shown = [string, string, number, boolean];

/** What the timelines should show, kept the simplest way. */
class ReferenceModel {
  readonly follows = new Map<string, Set<string>>();
  readonly tweets = new Map<string, { authorId: string; text: string; deleted: boolean }>();
  /** Who likes each tweet. */
  readonly likes = new Map<string, Set<string>>();

  timeline(userId: string): Shown[] {
    const followed = this.follows.get(userId) ?? new Set();
    return [...this.tweets.entries()]
      .filter(([, tweet]) => !tweet.deleted && (tweet.authorId === userId || followed.has(tweet.authorId)))
      .sort(([a], [b]) => (a < b ? 1 : -1))
      .map(([id, tweet]) => {
        const likers = this.likes.get(id) ?? new Set();
        return [id, tweet.text, likers.size, likers.has(userId)];
      });
  }

  setLiked(tweetId: string, userId: string, liked: boolean): void {
    const likers = this.likes.get(tweetId) ?? new Set();
    if (liked) likers.add(userId);
    else likers.delete(userId);
    this.likes.set(tweetId, likers);
  }

  liveTweets(authorId?: string): string[] {
    return [...this.tweets.entries()].filter(([, t]) => !t.deleted && (!authorId || t.authorId === authorId)).map(([id]) => id);
  }

  /**
   * A user's visible notifications, as `kind:actor:tweet`: one per active
   * follow of them and per active like of one of their tweets still there,
   * not their own (everything here happens within a day, so an edge made
   * again brings its notification back rather than a second one).
   */
  notifications(userId: string): string[] {
    const follows = [...this.follows.entries()].filter(([, followees]) => followees.has(userId)).map(([followerId]) => `FOLLOW:${followerId}:-`);
    const likes = [...this.tweets.entries()]
      .filter(([, tweet]) => tweet.authorId === userId && !tweet.deleted)
      .flatMap(([id]) => [...(this.likes.get(id) ?? [])].filter((likerId) => likerId !== userId).map((likerId) => `LIKE:${likerId}:${id}`));
    return [...follows, ...likes].sort();
  }
}

/** Which instances applied each event, per group: `group|event id` → instance names. */
type HandledBy = Map<string, Set<string>>;

/** A bus whose handlers note, once an event is applied, that this instance applied it. */
function recording(bus: EventBus, instance: string, handledBy: HandledBy): EventBus {
  return {
    publish: (topic, events) => bus.publish(topic, events),
    ping: () => bus.ping(),
    close: () => bus.close(),
    subscribe: (options) =>
      bus.subscribe({
        ...options,
        handler: async (event, topic) => {
          await options.handler(event, topic);
          noteHandled(handledBy, options.group, event.id, instance);
        },
      }),
  };
}

function noteHandled(handledBy: HandledBy, group: string, eventId: string, instance: string): void {
  const key = `${group}|${eventId}`;
  handledBy.set(key, (handledBy.get(key) ?? new Set()).add(instance));
}

/** The same infrastructure, with another bus. */
function withBus(infra: Infrastructure, bus: EventBus): Infrastructure {
  return Object.assign(Object.create(infra) as Infrastructure, { bus });
}

/** Dies half-way through every fourth fan-out write, as a process killed mid-fan-out would. */
class CrashingStore implements TimelineStore {
  crashes = 0;
  private calls = 0;
  constructor(private readonly inner: TimelineStore) {}
  async addToHomes(userIds: readonly string[], tweetId: string): Promise<void> {
    this.calls += 1;
    if (this.calls % 4 === 0) {
      await this.inner.addToHomes(userIds.slice(0, Math.ceil(userIds.length / 2)), tweetId);
      this.crashes += 1;
      throw new Error('simulated crash in the middle of a fan-out');
    }
    await this.inner.addToHomes(userIds, tweetId);
  }
  readHome: TimelineStore['readHome'] = (userId, limit) => this.inner.readHome(userId, limit);
  generation = (userId: string) => this.inner.generation(userId);
  replaceHome: TimelineStore['replaceHome'] = (userId, generation, home) => this.inner.replaceHome(userId, generation, home);
  addManyToHome: TimelineStore['addManyToHome'] = (userId, ids) => this.inner.addManyToHome(userId, ids);
  invalidateHomes: TimelineStore['invalidateHomes'] = (ids) => this.inner.invalidateHomes(ids);
  removeFromHomes: TimelineStore['removeFromHomes'] = (ids, tweetId) => this.inner.removeFromHomes(ids, tweetId);
  followChanged: TimelineStore['followChanged'] = (follower, followee, following) => this.inner.followChanged(follower, followee, following);
  recentUnfollowers: TimelineStore['recentUnfollowers'] = (authorId) => this.inner.recentUnfollowers(authorId);
  isCelebrity: TimelineStore['isCelebrity'] = (ids) => this.inner.isCelebrity(ids);
  markCelebrity: TimelineStore['markCelebrity'] = (id) => this.inner.markCelebrity(id);
  cachedFollowerCount: TimelineStore['cachedFollowerCount'] = (id) => this.inner.cachedFollowerCount(id);
  cacheFollowerCount: TimelineStore['cacheFollowerCount'] = (id, count, ttl) => this.inner.cacheFollowerCount(id, count, ttl);
  readRecent: TimelineStore['readRecent'] = (ids, limit) => this.inner.readRecent(ids, limit);
  pushRecent: TimelineStore['pushRecent'] = (id, tweetId) => this.inner.pushRecent(id, tweetId);
  mergeRecent: TimelineStore['mergeRecent'] = (id, ids) => this.inner.mergeRecent(id, ids);
}

function describeModelRun(name: string, environment: () => NodeJS.ProcessEnv, operations: number, { onKafka = false } = {}): void {
  describe(`timeline model (${name}, seed ${SEED})`, () => {
    const random = randomSource(SEED);
    const model = new ReferenceModel();
    const accounts: Account[] = [];
    const recorded: Array<{ topic: string; event: EventEnvelope }> = [];
    const settings = { ...loadTimelineSettings({}), maxLength: 15, celebrityFollowers: 4 };
    const handledBy: HandledBy = new Map();
    let env: NodeJS.ProcessEnv;
    let child: ChildProcess | undefined;
    let stack: RunningStack;
    let anonymous: GraphQLClient;
    let store: CrashingStore;
    let memoryStore: InMemoryTimelineStore | undefined;
    let memoryLikeCache: InMemoryLikeCache | undefined;

    const timelineFactory = (options: SubgraphAppOptions) => {
      const inner = options.infra.redis ? new RedisTimelineStore(options.infra.redis, settings) : (memoryStore = new InMemoryTimelineStore(settings));
      store = new CrashingStore(inner);
      // In memory, a like cache the test can flush as it flushes Redis on real servers.
      const likeCache = options.infra.redis ? undefined : (memoryLikeCache = new InMemoryLikeCache(3600));
      const infra = withBus(options.infra, recording(options.infra.bus, 'stack', handledBy));
      return createTimelineSubgraph({ ...options, infra, settings, store, ...(likeCache ? { likeCache } : {}) });
    };
    const notificationsFactory = (options: SubgraphAppOptions) =>
      createNotificationsSubgraph({ ...options, infra: withBus(options.infra, recording(options.infra.bus, 'stack', handledBy)) });

    beforeAll(async () => {
      env = { ...environment(), PORT: '0' };
      stack = await startStack(env, { factories: { timeline: timelineFactory, notifications: notificationsFactory } });
      anonymous = new GraphQLClient(stack.url);
      await stack.infrastructure.users.bus.subscribe({
        group: 'test.recorder',
        topics: TOPICS,
        handler: async (event, topic) => void recorded.push({ topic, event }),
      });
      for (let n = 0; n < 8; n += 1) accounts.push(await signUpThroughGateway(anonymous));
    }, 120_000);

    afterAll(async () => {
      child?.kill('SIGKILL');
      await stack?.stop();
    });

    async function randomOperation(): Promise<void> {
      const actor = random.pick(accounts);
      const other = random.pick(accounts.filter((account) => account !== actor));
      const roll = random.next();
      if (roll < 0.32) {
        const text = `t${random.int(1e6)}`;
        const { postTweet } = await actor.client.data(`mutation($t: String!) { postTweet(text: $t) { id } }`, { t: text });
        model.tweets.set(postTweet.id, { authorId: actor.id, text, deleted: false });
      } else if (roll < 0.52) {
        await actor.client.data(`mutation($id: ID!) { follow(userId: $id) { id } }`, { id: other.id });
        model.follows.set(actor.id, (model.follows.get(actor.id) ?? new Set()).add(other.id));
      } else if (roll < 0.6) {
        await actor.client.data(`mutation($id: ID!) { unfollow(userId: $id) { id } }`, { id: other.id });
        model.follows.get(actor.id)?.delete(other.id);
      } else if (roll < 0.68) {
        const own = model.liveTweets(actor.id);
        if (own.length === 0) return;
        const id = random.pick(own);
        const text = `edited ${random.int(1e6)}`;
        await actor.client.data(`mutation($id: ID!, $t: String!) { editTweet(id: $id, text: $t) { id } }`, { id, t: text });
        model.tweets.get(id)!.text = text;
      } else if (roll < 0.76) {
        const own = model.liveTweets(actor.id);
        if (own.length === 0) return;
        const id = random.pick(own);
        await actor.client.data(`mutation($id: ID!) { deleteTweet(id: $id) }`, { id });
        model.tweets.get(id)!.deleted = true;
      } else {
        await likeOrUnlike(actor, roll < 0.92);
      }
    }

    /**
     * Mostly tweets the actor sees, so likedByViewer shows on their own
     * timeline too; an unlike mostly of a tweet they like, so it changes something.
     */
    async function likeOrUnlike(actor: Account, like: boolean): Promise<void> {
      const seen = model.timeline(actor.id).map(([id]) => id);
      const liked = model.liveTweets().filter((id) => model.likes.get(id)?.has(actor.id));
      const preferred = like ? seen : liked;
      const candidates = preferred.length > 0 && random.next() < 0.7 ? preferred : model.liveTweets();
      if (candidates.length === 0) return;
      const id = random.pick(candidates);
      const mutation = like ? 'likeTweet' : 'unlikeTweet';
      await actor.client.data(`mutation($id: ID!) { ${mutation}(id: $id) { id } }`, { id });
      model.setLiked(id, actor.id, like);
    }

    async function run(count: number): Promise<void> {
      for (let n = 0; n < count; n += 1) await randomOperation();
    }

    async function timelineOf(account: Account): Promise<Shown[]> {
      const seen: Shown[] = [];
      let after: string | null = null;
      const pageSize = 1 + random.int(9);
      for (let page = 0; page < 500; page += 1) {
        const { homeTimeline }: { homeTimeline: ConnectionOf<{ id: string; text: string; likeCount: number; likedByViewer: boolean }> } =
          await account.client.data(
            `query($first: Int, $after: String) { homeTimeline(first: $first, after: $after) { edges { node { id text likeCount likedByViewer } } pageInfo { hasNextPage endCursor } } }`,
            { first: pageSize, after },
          );
        seen.push(...homeTimeline.edges.map(({ node }): Shown => [node.id, node.text, node.likeCount, node.likedByViewer]));
        if (!homeTimeline.pageInfo.hasNextPage) return seen;
        after = homeTimeline.pageInfo.endCursor;
      }
      throw new Error('the timeline never ended');
    }

    async function expectEveryTimelineMatchesTheModel(): Promise<void> {
      for (const account of accounts) {
        await eventually(async () => expect(await timelineOf(account)).toEqual(model.timeline(account.id)), { timeoutMs: 30_000, intervalMs: 200 });
      }
    }

    /** Every notification of the account, as `kind:actor:tweet`, sorted, and how many are unread (all: none is ever marked read). */
    async function notificationsOf(account: Account): Promise<{ notifications: string[]; unread: number }> {
      type Node = { kind: string; actor: { id: string }; tweet: { id: string } | null };
      const seen: string[] = [];
      let after: string | null = null;
      for (let page = 0; page < 100; page += 1) {
        const { notifications, unreadNotificationCount }: { notifications: ConnectionOf<Node>; unreadNotificationCount: number } = await account.client.data(
          `query($after: String) { unreadNotificationCount notifications(first: 100, after: $after) { edges { node { kind actor { id } tweet { id } } } pageInfo { hasNextPage endCursor } } }`,
          { after },
        );
        seen.push(...notifications.edges.map(({ node }) => `${node.kind}:${node.actor.id}:${node.tweet?.id ?? '-'}`));
        if (!notifications.pageInfo.hasNextPage) return { notifications: seen.sort(), unread: unreadNotificationCount };
        after = notifications.pageInfo.endCursor;
      }
      throw new Error('the notifications never ended');
    }

    /** Each user's notifications are the model's, each once: nothing lost, nothing applied twice. */
    async function expectNotificationsMatchTheModel(): Promise<void> {
      for (const account of accounts) {
        const expected = model.notifications(account.id);
        await eventually(async () => expect(await notificationsOf(account)).toEqual({ notifications: expected, unread: expected.length }), {
          timeoutMs: 30_000,
          intervalMs: 200,
        });
      }
    }

    it('matches the model after random operations, with fan-outs dying half-way', async () => {
      await run(operations);
      await expectEveryTimelineMatchesTheModel();
      expect(store.crashes).toBeGreaterThan(0);
      // The run left likes on timelines, some by their own viewers: the comparison covered them.
      const shown = accounts.flatMap((account) => model.timeline(account.id));
      expect(shown.some(([, , , likedByViewer]) => likedByViewer)).toBe(true);
    }, 300_000);

    it('matches the model after the timeline subgraph is stopped and restarted while writes go on', async () => {
      await stack.stopSubgraph('timeline');
      await run(Math.ceil(operations / 3));
      await stack.startSubgraph('timeline');
      await expectEveryTimelineMatchesTheModel();
    }, 300_000);

    it('matches the model after every event is delivered again, twice, in a shuffled order', async () => {
      const bus = stack.infrastructure.users.bus;
      for (const round of [1, 2]) {
        for (const { topic, event } of random.shuffle(recorded)) await bus.publish(topic, [{ ...event }]);
        void round;
      }
      await expectEveryTimelineMatchesTheModel();
      await expectNotificationsMatchTheModel();
    }, 300_000);

    it('matches the model after Redis loses every timeline', async () => {
      await flushTimelineCache(stack.infrastructure.timeline, memoryStore, memoryLikeCache);
      await expectEveryTimelineMatchesTheModel();
      await run(Math.ceil(operations / 4));
      await expectEveryTimelineMatchesTheModel();
    }, 300_000);

    if (!onKafka) return;

    /**
     * Another instance of every timeline group and of the notifications
     * group joins while writes go on (a rebalance of each); a third, in a
     * child process, joins, applies events and, in the middle of its
     * batches, is SIGKILLed: no graceful leave, no commit, so once its
     * session times out its partitions go to the others, which get its
     * unfinished events again. Then the second leaves (another rebalance).
     * Timelines and notifications must still be the model's: nothing lost,
     * nothing applied twice in effect.
     */
    it('matches the model while consumer instances join and leave on partitioned topics, one killed in the middle of its batches', async () => {
      await expectTopicsPartitioned(env);
      let writing = true;
      let operationsDone = 0;
      let failure: unknown;
      const workload = (async () => {
        while (writing) {
          await randomOperation();
          operationsDone += 1;
          await sleep(40);
        }
      })().catch((error: unknown) => {
        failure = error;
      });
      /** Until `count` more operations are done (the writes go on meanwhile). */
      const afterOperations = async (count: number) => {
        const target = operationsDone + count;
        while (operationsDone < target) {
          if (failure) throw failure;
          await sleep(20);
        }
      };
      const handledByOthers = (group: string, eventId: string) => [...(handledBy.get(`${group}|${eventId}`) ?? [])].filter((instance) => instance !== 'killed');

      let joiner: { stop(): Promise<void> } | undefined;
      let hung: { group: string; eventId: string };
      try {
        await afterOperations(10);
        joiner = await startConsumerInstance('joiner');
        await afterOperations(5);
        hung = await startChildInstance().hung;
        child?.kill('SIGKILL');
        // Once its session times out (10 s), the event it was stuck on is applied again by another instance.
        await eventually(() => expect(handledByOthers(hung.group, hung.eventId)).not.toEqual([]), { timeoutMs: 60_000, intervalMs: 200 });
        await joiner.stop();
        joiner = undefined;
        await afterOperations(10);
      } finally {
        writing = false;
        await workload;
        child?.kill('SIGKILL');
        await joiner?.stop();
      }
      if (failure) throw failure;

      await expectEveryTimelineMatchesTheModel();
      await expectNotificationsMatchTheModel();
      const instances = new Set([...handledBy.values()].flatMap((names) => [...names]));
      expect([...instances].sort()).toEqual(['joiner', 'killed', 'stack']);
      const appliedByKilled = [...handledBy.values()].filter((names) => names.has('killed'));
      process.stderr.write(
        `[timeline model] ${operationsDone} operations while instances joined and left; the killed instance applied ${appliedByKilled.length} events ` +
          `(stuck on ${hung.eventId} in ${hung.group}), ${appliedByKilled.filter((names) => names.size > 1).length} of them applied again by another after it died\n`,
      );
    }, 300_000);

    /** Every topic has PARTITIONS partitions. */
    async function expectTopicsPartitioned(environment: NodeJS.ProcessEnv): Promise<void> {
      const admin = new Kafka({ clientId: 'model-test', brokers: String(environment.KAFKA_BROKERS).split(','), logLevel: logLevel.NOTHING }).admin();
      await admin.connect();
      try {
        const { topics } = await admin.fetchTopicMetadata({ topics: TOPICS.map((topic) => `${environment.KAFKA_TOPIC_PREFIX}${topic}`) });
        expect(topics.map((topic) => topic.partitions.length)).toEqual(TOPICS.map(() => PARTITIONS));
      } finally {
        await admin.disconnect();
      }
    }

    /** The timeline's and the notifications' consumers, as one more instance of their groups, in this process. */
    async function startConsumerInstance(instance: string): Promise<{ stop(): Promise<void> }> {
      const logger = createLogger(instance, 'error');
      const parts: Array<{ infra: Infrastructure; subscriptions: EventSubscription[] }> = [];
      for (const service of ['timeline', 'notifications'] as const) {
        const config = loadConfig(service, 0, env);
        const infra = await connectInfrastructure(config, logger);
        const options = { config, logger, infra };
        const app = service === 'timeline' ? await createTimelineSubgraph({ ...options, settings }) : await createNotificationsSubgraph(options);
        parts.push({ infra, subscriptions: (await app.startConsumers?.(recording(infra.bus, instance, handledBy))) ?? [] });
      }
      return {
        async stop() {
          for (const { infra, subscriptions } of parts) {
            await Promise.all(subscriptions.map((subscription) => subscription.stop()));
            await infra.close();
          }
        },
      };
    }

    /** The same, in a child process that stops in the middle of its batches once a group has applied CHILD_HANGS_AFTER events; resolves with where it hung. */
    function startChildInstance(): { hung: Promise<{ group: string; eventId: string }> } {
      child = spawn(process.execPath, [CONSUMER_INSTANCE], {
        env: { ...env, HANG_AFTER: String(CHILD_HANGS_AFTER), FIRST_EVENT_DELAY_MS: String(CHILD_FIRST_EVENT_DELAY_MS), TIMELINE_SETTINGS: JSON.stringify(settings) },
        // Its stdin is a pipe from this process: when this process goes, however, so does the child.
        stdio: ['pipe', 'pipe', 'inherit'],
      });
      const running = child;
      const hung = new Promise<{ group: string; eventId: string }>((resolve, reject) => {
        running.once('exit', (code, signal) => reject(new Error(`the consumer instance exited (${signal ?? code}) before it hung`)));
        createInterface({ input: running.stdout! }).on('line', (line) => {
          const [what, group, eventId] = line.split(' ');
          if (!group || !eventId) return;
          if (what === 'handled') noteHandled(handledBy, group, eventId, 'killed');
          if (what === 'hung') resolve({ group, eventId });
        });
      });
      return { hung };
    }
  });
}

/** Deletes every key of the timeline subgraph (only its own: other tests share this Redis), like counts and states included. */
async function flushTimelineCache(
  infra: Infrastructure,
  memoryStore: InMemoryTimelineStore | undefined,
  memoryLikeCache: InMemoryLikeCache | undefined,
): Promise<void> {
  if (!infra.redis) {
    memoryStore?.flush();
    memoryLikeCache?.flush();
    return;
  }
  const prefix = String(infra.redis.options.keyPrefix ?? '');
  let cursor = '0';
  do {
    const [next, keys] = await infra.redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
    if (keys.length > 0) await infra.redis.del(...keys.map((key) => key.slice(prefix.length)));
    cursor = next;
  } while (cursor !== '0');
}

describeModelRun('in memory', inMemoryEnvironment, 150);
describeModelRun('real servers', () => ({ ...isolatedEnvironment(), KAFKA_PARTITIONS: String(PARTITIONS) }), 90, { onKafka: true });

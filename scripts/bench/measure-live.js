// Live pushes: from a post to each open `homeTimelineTweetAdded`
// subscription's socket receiving the tweet, at 1K and 10K open
// subscriptions on one gateway, and the gateway's memory per open
// subscription. A step of `npm run bench` (run.js), on the network it loaded
// and the stack it started.
//
// The subscribers are real followers of one author of the network (a pinned
// 10,000-follower author where there is one), whose home timelines are
// loaded; their tokens are signed with the stack's key. They run in child
// processes of their own (live-subscribers.js), one graphql-ws socket and
// one subscription each, opened in true waves: a wave starts once every
// socket of the previous one has its `connection_ack`, so the gateway's
// listen backlog is never flooded (see the bench README on ECONNRESET).
// The author posts through the gateway (`postTweet`).
//
// Every time is epoch milliseconds (`performance.timeOrigin +
// performance.now()` here and in the children, Kafka's record timestamps
// from the tweets process): one time base for every process on the box.
//   - from the event: from the tweet's event reaching Kafka (its record
//     timestamp, taken by the tweets process's producer) to the socket
//     receiving the tweet. `postTweet` answers after that publish plus one
//     outbox update (on FerretDB/SQLite a scan of the tweets collection for
//     seconds, so the pushes arrive before the mutation's answer). Timing
//     from the event is "from postTweet returning" less that one update: an
//     upper bound of it, and what the targets are judged on.
//   - from postTweet returning: the literal measure, reported beside it.
//   - announced: when the fan-out's announcement reached Redis pub/sub, seen
//     by a listener of the bench's own on up to 20 subscribers' channels;
//     for those subscribers the time after it (gateway, socket, client) is
//     exact, not a difference of percentiles.
//
// Each level runs twice on the same sockets: subscriptions selecting the
// tweet's author (as a client shows a tweet; the gateway's lookup then reads
// the users subgraph, which reads FerretDB) and, re-subscribed, without it
// (the lookup stays in the tweets subgraph and its Redis cache): FerretDB
// off the live path, as the fan-out switch takes it off the timeline's.
//
// Then the floor: the same kind of subscribers on a bare broadcast server
// (bare-broadcast.js), what the box takes to move one frame through that
// many sockets and clients with no product code on the way.

import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Redis } from 'ioredis';
import { Kafka, logLevel } from 'kafkajs';
import { LiveStreams, RedisLiveBus, Topics, liveChannel, stopKafkajsIdlePolling } from '@chirp/platform';
import { startChild } from './children.js';
import { followersOf } from './content.js';
import { handleOf } from './network.js';
import { createRandom, shuffle } from './random.js';
import { postTweet } from './requests.js';
import { round, sleep, summarize } from './stats.js';

export const LIVE_SUBSCRIPTION = 'subscription { homeTimelineTweetAdded { id text author { handle displayName } } }';
/**
 * The lookup the gateway runs for an event of a subscription selecting `{ id text }` (lookup.ts: the same
 * selection on `Query.tweet`), sent by the bench itself when the announcement arrives: what the resolution
 * costs at that moment without the users subgraph. Only this one: the same with the author would add a
 * read on FerretDB, which takes a core, to the very moment being measured.
 */
const LOOKUP_PROBE = 'query LiveLookupProbe($id: ID!) { tweet(id: $id) { id text } }';

/**
 * What the subscribers select, each measured in turn on the same open sockets: as a client shows a
 * tweet (its author's handle and name, from the users subgraph), then without the author, whose
 * lookup the gateway answers from the tweets subgraph alone: the users subgraph's read on FerretDB
 * (seconds while postTweet's outbox update scans) off the live path, as the fan-out switch takes
 * FerretDB off the timeline's.
 */
const SELECTIONS = [
  { key: 'withAuthor', label: 'with the author', query: LIVE_SUBSCRIPTION },
  { key: 'withoutAuthor', label: 'without the author', query: 'subscription { homeTimelineTweetAdded { id text } }' },
];
/** Subscriber processes; each holds half of the sockets. */
const SUBSCRIBER_PROCESSES = 2;
/** Sockets being opened at once, over all subscriber processes: far below the gateway's listen backlog (511). */
const CONNECT_WAVE = 100;
/** Subscribers whose channel the bench listens on itself, to time the announcement. */
const ANNOUNCE_SAMPLE = 20;
/** How long after `postTweet` returns a push may still arrive. */
const DELIVERY_TIMEOUT_MS = 20_000;

/** Epoch milliseconds with sub-millisecond resolution, comparable across processes. */
const now = () => performance.timeOrigin + performance.now();

/** @typedef {import('./network.js').Network} Network */

/**
 * The author whose followers subscribe: the first pinned 10,000-follower
 * author, or (in a network too small for one) the largest non-celebrity.
 *
 * @param {Network} network
 */
export function liveAuthor(network) {
  const pinned = network.probes[10_000]?.[0];
  if (pinned !== undefined) return pinned;
  let best = -1;
  for (let i = 0; i < network.users; i += 1) {
    if (network.followerCount[i] <= network.options.celebrityFollowers && (best < 0 || network.followerCount[i] > network.followerCount[best])) best = i;
  }
  return best;
}

/** The box's TCP listen-queue overflows so far (Linux, every process in this network namespace), or null. */
export function listenOverflows() {
  try {
    const lines = readFileSync('/proc/net/netstat', 'utf8').split('\n').filter((line) => line.startsWith('TcpExt:'));
    const names = lines[0].split(/\s+/);
    const values = lines[1].split(/\s+/);
    const at = names.indexOf('ListenOverflows');
    return at > 0 ? Number(values[at]) : null;
  } catch {
    return null;
  }
}

/** Runtime figures of one stack process during a phase, as the report shows them. @param {any} rt */
const runtimeOf = (rt) => (rt ? { cpuMs: rt.cpuMs, cpuShare: rt.cpuShare, requests: rt.requests, loopDelayMs: rt.loopDelayMs, gc: rt.gc } : null);

/**
 * One anonymous query through the gateway; resolves to its time in ms (NaN when it failed).
 * @param {string} url @param {string} query @param {string} id
 */
async function timedQuery(url, query, id) {
  const started = now();
  try {
    const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query, variables: { id } }) });
    const body = /** @type {any} */ (await response.json());
    return body.data?.tweet ? now() - started : NaN;
  } catch {
    return NaN;
  }
}

/**
 * @param {{
 *   stack: Awaited<ReturnType<typeof import('./stack.js').startBenchStack>>,
 *   gatewayUrl: string, redisUrl: string, redisPrefix: string, kafkaBrokers: string[], topicPrefix: string,
 *   network: Network, tokenOf: (index: number) => Promise<string>, counts: number[], posts: number, seed: number,
 *   here: string, root: string, log: (line: string) => void,
 * }} options
 *   redisPrefix: the stack's REDIS_KEY_PREFIX; topicPrefix: its KAFKA_TOPIC_PREFIX
 */
export async function measureLivePushes(options) {
  const { stack, gatewayUrl, redisUrl, redisPrefix, network, tokenOf, posts, log } = options;
  const author = liveAuthor(network);
  const followers = /** @type {number[]} */ (shuffle(createRandom(options.seed ^ 0x11fe), Array.from(followersOf(network, author))));
  const levels = [...new Set(options.counts.map((count) => Math.min(count, followers.length)))].filter((count) => count > 0);
  const authorToken = await tokenOf(author);
  const wsUrl = gatewayUrl.replace(/^http/, 'ws');

  /** When each tweet's event reached Kafka (its record timestamp), by tweet id. */
  const eventAt = new Map();
  stopKafkajsIdlePolling(); // the bench's own consumer, as the stack's: no 1 ms polling beside what is measured
  const kafka = new Kafka({ clientId: 'chirp-bench-live', brokers: options.kafkaBrokers, logLevel: logLevel.NOTHING });
  const consumer = kafka.consumer({ groupId: `${options.topicPrefix}bench-live-clock` });
  const redis = new Redis(redisUrl);
  const probe = new RedisLiveBus(redisUrl, redisPrefix);
  /** @type {import('./children.js').Child[]} */
  const children = [];
  /** Which subscriber (position in `followers`) each subscriber process's k-th socket belongs to. */
  const held = Array.from({ length: SUBSCRIBER_PROCESSES }, () => /** @type {number[]} */ ([]));
  try {
    // From the beginning: the topic holds only the bench's own posts, and no post can slip past a late join.
    await consumer.connect();
    await consumer.subscribe({ topics: [`${options.topicPrefix}${Topics.tweets}`], fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        try {
          const tweetId = JSON.parse(message.value?.toString('utf8') ?? '{}').payload?.tweetId;
          if (tweetId && !eventAt.has(tweetId)) eventAt.set(tweetId, Number(message.timestamp));
        } catch {
          // not an event of ours
        }
      },
    });
    for (let k = 0; k < SUBSCRIBER_PROCESSES; k += 1) children.push(await startHelper('live-subscribers.js', `live subscribers ${k + 1}`));
    const baseline = await stack.askGateway({ type: 'memory' });
    const results = [];
    let open = 0;
    for (const count of levels) {
      log(`live pushes: ${count.toLocaleString('en')} subscribers (followers of ${handleOf(author)}, ${followers.length.toLocaleString('en')} followers), sockets opened ${CONNECT_WAVE} at a time...`);
      // The sockets of the previous level go back to the first selection, then the new ones open with it.
      if (open > 0) await resubscribe(SELECTIONS[0].query);
      const opening = await openSubscribers(open, count, SELECTIONS[0].query);
      open = count;
      const listening = await waitForListeners(count);
      const memoryOpen = await stack.askGateway({ type: 'memory' });
      log(`  ${opening.opened.toLocaleString('en')} of ${opening.requested.toLocaleString('en')} new sockets opened, ${opening.failed} failed in ${opening.seconds}s` +
        ` (gateway ${opening.gatewayCpuMsPerSubscription} ms CPU per subscription; listen-queue overflows on the box: ${opening.listenOverflows ?? 'n/a'});` +
        ` ${listening.toLocaleString('en')} channels listened to; gateway heap ${Math.round((memoryOpen.heapUsed - baseline.heapUsed) / count).toLocaleString('en')} B per subscription`);
      const selections = [];
      for (const [k, selection] of SELECTIONS.entries()) {
        if (k > 0) await resubscribe(selection.query);
        selections.push(await measureSelection(count, selection));
      }
      const memoryAfter = await stack.askGateway({ type: 'memory' });
      results.push({
        subscriptions: count,
        // Asked for more than the author has followers: this level is all of them.
        capped: count === followers.length && options.counts.some((c) => c > followers.length),
        opening: { ...opening, listening },
        memory: {
          gcExposed: Boolean(memoryOpen.gc),
          baseline: { heapUsed: baseline.heapUsed, rss: baseline.rss },
          open: { heapUsed: memoryOpen.heapUsed, rss: memoryOpen.rss },
          afterPosts: { heapUsed: memoryAfter.heapUsed, rss: memoryAfter.rss },
          bytesPerSubscription: {
            heap: Math.round((memoryOpen.heapUsed - baseline.heapUsed) / count),
            rss: Math.round((memoryOpen.rss - baseline.rss) / count),
          },
          bytesPerSubscriptionAfterPosts: {
            heap: Math.round((memoryAfter.heapUsed - baseline.heapUsed) / count),
            rss: Math.round((memoryAfter.rss - baseline.rss) / count),
          },
        },
        selections,
      });
    }
    // The gateway's subscribers go before the floor is measured, so that it runs on a quiet box.
    await Promise.allSettled(children.map((child) => child.stop()));
    const floor = await measureFloor();
    return {
      fanout: 'indexed',
      author: { id: network.userIds[author], handle: handleOf(author), followers: followers.length },
      selections: SELECTIONS.map(({ key, label, query }) => ({ key, label, subscription: query })),
      subscriberProcesses: SUBSCRIBER_PROCESSES,
      connectWave: CONNECT_WAVE,
      postsPerLevel: posts,
      levels: results,
      floor,
    };
  } finally {
    await Promise.allSettled(children.map((child) => child.stop()));
    await consumer.disconnect().catch(() => {});
    await probe.close().catch(() => {});
    redis.disconnect();
  }

  /**
   * Warm-up, then the timed posts, with every open subscription on one selection.
   * @param {number} count @param {{ key: string, label: string, query: string }} selection
   */
  async function measureSelection(count, selection) {
    // Until a post reaches every socket: after a switch of selection the gateway may still be subscribing.
    let warmUp = await postAndWait(`live warm-up, ${count} subscribers, ${selection.key}`, count);
    for (let tries = 1; tries < 3 && warmUp.delivered < count; tries += 1) {
      warmUp = await postAndWait(`live warm-up, ${count} subscribers, ${selection.key}, again`, count);
    }
    log(`  ${selection.label}: warm-up post delivered to ${warmUp.delivered.toLocaleString('en')}/${count.toLocaleString('en')} (postTweet answered in ${warmUp.mutationMs} ms)`);

    // The probes' query plans are made once, outside the timed posts.
    await timedQuery(gatewayUrl, LOOKUP_PROBE, warmUp.tweetId);
    /** @type {Map<string, Promise<number>>} the lookup probe's time by tweet id */
    const lookups = new Map();
    const sampled = Array.from({ length: Math.min(ANNOUNCE_SAMPLE, count) }, (_, k) => Math.floor((k * count) / Math.min(ANNOUNCE_SAMPLE, count)));
    /** @type {Map<string, Map<number, number>>} announcement times by tweet id, by subscriber */
    const announcedAt = new Map();
    const stops = await Promise.all(sampled.map((position) => probe.listen(LiveStreams.homeTimeline, network.userIds[followers[position]], (tweetId) => {
      const at = now();
      const byPosition = announcedAt.get(tweetId) ?? new Map();
      announcedAt.set(tweetId, byPosition);
      if (!lookups.has(tweetId)) lookups.set(tweetId, timedQuery(gatewayUrl, LOOKUP_PROBE, tweetId));
      if (!byPosition.has(position)) byPosition.set(position, at);
    })));

    await stack.usage(); // starts each process's runtime window
    await Promise.all(children.map((child) => child.ask({ type: 'usage' })));
    const timed = [];
    for (let p = 0; p < posts; p += 1) {
      timed.push(await postAndWait(`live post ${p + 1}, ${count} subscribers, ${selection.key}`, count));
      await sleep(300);
    }
    const runtime = await stack.usage();
    const subscriberUsage = await Promise.all(children.map((child) => child.ask({ type: 'usage' })));
    await Promise.all(stops.map((stop) => stop()));

    const level = await summarizeLevel({ count, timed, sampled, announcedAt });
    const probed = await Promise.all(timed.map((post) => lookups.get(post.tweetId) ?? NaN));
    const r = {
      selection: selection.key,
      label: selection.label,
      subscription: selection.query,
      warmUp: { delivered: warmUp.delivered, mutationMs: warmUp.mutationMs },
      ...level,
      /** The gateway's lookup of the tweet without the author, sent by the bench when the announcement arrived. */
      lookupAtAnnouncementMs: summarize(probed.filter((v) => Number.isFinite(v))),
      runtime: {
        processes: Object.fromEntries(Object.entries(runtime).map(([name, answer]) => [name, runtimeOf(answer.runtime)])),
        gateway: runtimeOf(runtime[stack.layout === 'one' ? 'stack' : 'gateway']?.runtime),
        timeline: runtimeOf(runtime[stack.layout === 'one' ? 'stack' : 'timeline']?.runtime),
        subscribersCpuMs: subscriberUsage.reduce((sum, u) => sum + u.cpuMs, 0),
        socketsDropped: subscriberUsage.reduce((sum, u) => sum + u.dropped, 0),
      },
      subscriptionErrors: subscriberUsage.reduce((all, u) => {
        for (const [message, n] of Object.entries(u.subscriptionErrors ?? {})) all[message] = (all[message] ?? 0) + Number(n);
        return all;
      }, /** @type {Record<string, number>} */ ({})),
    };
    log(`  ${selection.label}, ${count.toLocaleString('en')} subscriptions: push p50 ${r.latencyMs.p50} ms, p99 ${r.latencyMs.p99} ms from the event on Kafka ` +
      `(announced on Redis p50 ${r.announcedMs.p50} / p99 ${r.announcedMs.p99} ms; after it p50 ${r.afterAnnouncementMs.p50} / p99 ${r.afterAnnouncementMs.p99} ms; ` +
      `first to last socket p50 ${r.spreadMs.p50} ms); delivered ${(r.deliveredShare * 100).toFixed(1)}%; from postTweet returning p50 ${r.fromReturnMs.p50} ms; ` +
      `the lookup without the author at the announcement took p50 ${r.lookupAtAnnouncementMs.p50} ms`);
    return r;
  }

  /**
   * The floor of a push on this box, at each level: fresh subscriber processes open as many graphql-ws
   * sockets to a bare broadcast server (bare-broadcast.js), which writes one frame to each of them, one
   * socket after another, as the gateway does once an event is resolved; from the start of the
   * broadcast to each socket receiving it. No Kafka, Redis, GraphQL or token check: what is left is the
   * box moving one frame through N sockets and N graphql-ws clients.
   */
  async function measureFloor() {
    const bare = await startHelper('bare-broadcast.js', 'bare broadcast');
    /** @type {import('./children.js').Child[]} */
    const subscribers = [];
    try {
      for (let k = 0; k < SUBSCRIBER_PROCESSES; k += 1) subscribers.push(await startHelper('live-subscribers.js', `floor subscribers ${k + 1}`));
      const floors = [];
      let open = 0;
      for (const count of levels) {
        // No token: the bare server checks none.
        const added = Array.from({ length: count - open }, (_, k) => ({ token: 'none', child: (open + k) % subscribers.length }));
        await Promise.all(subscribers.map((child, k) => child.ask({
          type: 'open', url: bare.ready.url, query: SELECTIONS[0].query, subscribers: added.filter((s) => s.child === k), wave: Math.ceil(CONNECT_WAVE / subscribers.length),
        }, 600_000)));
        open = count;
        await broadcastAndWait(`floor-warm-up-${count}`, count);
        await Promise.all(subscribers.map((child) => child.ask({ type: 'usage' })));
        /** @type {number[]} */
        const latencies = [];
        const perPost = [];
        for (let p = 0; p < posts; p += 1) {
          const tweetId = `floor-${count}-${p + 1}`;
          const sent = await broadcastAndWait(tweetId, count);
          const answers = await Promise.all(subscribers.map((child) => child.ask({ type: 'times', tweetId })));
          const received = answers.flatMap((answer) => answer.times.filter((/** @type {number | null} */ at) => at !== null).map((/** @type {number} */ at) => at - sent.startedAt));
          latencies.push(...received);
          perPost.push({ delivered: received.length, writeMs: sent.writeMs, cpuMs: sent.cpuMs, lastMs: round(Math.max(...received)) });
          await sleep(300);
        }
        const usage = await Promise.all(subscribers.map((child) => child.ask({ type: 'usage' })));
        const pushes = count * posts;
        const floor = {
          subscriptions: count,
          posts,
          deliveredShare: round(latencies.length / pushes, 4),
          latencyMs: summarize(latencies),
          writeMs: summarize(perPost.map((post) => post.writeMs)),
          serverCpuUsPerPush: round((perPost.reduce((sum, post) => sum + post.cpuMs, 0) * 1000) / pushes, 1),
          subscribersCpuUsPerPush: round((usage.reduce((sum, u) => sum + u.cpuMs, 0) * 1000) / pushes, 1),
          perPost,
        };
        floors.push(floor);
        log(`  the floor, a bare broadcast to ${count.toLocaleString('en')} graphql-ws sockets: p50 ${floor.latencyMs.p50} ms, p99 ${floor.latencyMs.p99} ms from its start ` +
          `(writes p50 ${floor.writeMs.p50} ms; ${floor.serverCpuUsPerPush} µs of server and ${floor.subscribersCpuUsPerPush} µs of subscriber CPU per push); delivered ${(floor.deliveredShare * 100).toFixed(1)}%`);
      }
      return floors;
    } finally {
      await Promise.allSettled([...subscribers.map((child) => child.stop()), bare.stop()]);
    }

    /** @param {string} tweetId @param {number} count */
    async function broadcastAndWait(tweetId, count) {
      const sent = await bare.ask({ type: 'broadcast', tweetId });
      const deadline = now() + DELIVERY_TIMEOUT_MS;
      while ((await Promise.all(subscribers.map((child) => child.ask({ type: 'count', tweetId })))).reduce((sum, a) => sum + a.received, 0) < count && now() < deadline) await sleep(20);
      return sent;
    }
  }

  /** One of the bench's own helper processes of this step, from this folder. @param {string} script @param {string} name */
  function startHelper(script, name) {
    return startChild(resolve(options.here, script), { name, cwd: options.root, env: { PATH: process.env.PATH } });
  }

  /**
   * Every open socket completes its subscription and subscribes again with `query` (those not on it already).
   * @param {string} query
   */
  async function resubscribe(query) {
    const started = now();
    const answers = await Promise.all(children.map((child) => child.ask({ type: 'resubscribe', query, wave: Math.ceil(CONNECT_WAVE / children.length) }, 600_000)));
    log(`  ${answers.reduce((sum, a) => sum + a.changed, 0).toLocaleString('en')} subscriptions switched to \`${query}\` in ${round((now() - started) / 1000, 1)}s`);
  }

  /**
   * Opens sockets for followers[from..to), split over the subscriber processes, each subscribing with `query`.
   * @param {number} from @param {number} to @param {string} query
   */
  async function openSubscribers(from, to, query) {
    const batches = children.map(() => /** @type {Array<{ token: string }>} */ ([]));
    for (let start = from; start < to; start += 1000) {
      const tokens = await Promise.all(followers.slice(start, Math.min(to, start + 1000)).map((i) => tokenOf(i)));
      tokens.forEach((token, k) => {
        const child = (start + k) % children.length;
        held[child].push(start + k);
        batches[child].push({ token });
      });
    }
    const overflowsBefore = listenOverflows();
    await stack.usage(); // starts the gateway's runtime window
    const started = now();
    const answers = await Promise.all(children.map((child, k) => child.ask({
      type: 'open', url: wsUrl, query, subscribers: batches[k], wave: Math.ceil(CONNECT_WAVE / children.length),
    }, 600_000)));
    const seconds = round((now() - started) / 1000, 1);
    const runtime = await stack.usage();
    const gateway = runtime[stack.layout === 'one' ? 'stack' : 'gateway']?.runtime;
    const overflowsAfter = listenOverflows();
    /** @param {'errors' | 'closes'} key */
    const merged = (key) => answers.reduce((all, answer) => {
      for (const [code, n] of Object.entries(answer[key])) all[code] = (all[code] ?? 0) + Number(n);
      return all;
    }, /** @type {Record<string, number>} */ ({}));
    return {
      requested: to - from,
      opened: answers.reduce((sum, a) => sum + a.opened, 0),
      failed: answers.reduce((sum, a) => sum + a.failed, 0),
      errors: merged('errors'),
      closes: merged('closes'),
      seconds,
      gatewayCpuMsPerSubscription: gateway ? round(gateway.cpuMs / Math.max(1, to - from), 2) : null,
      gatewayLoopDelayMs: gateway?.loopDelayMs ?? null,
      listenOverflows: overflowsBefore === null || overflowsAfter === null ? null : overflowsAfter - overflowsBefore,
    };
  }

  /**
   * Waits until Redis has a listener on every subscriber's channel (what the
   * fan-out's publish checks first); returns how many have one.
   * @param {number} count
   */
  async function waitForListeners(count) {
    const channels = followers.slice(0, count).map((i) => `${redisPrefix}${liveChannel(LiveStreams.homeTimeline, network.userIds[i])}`);
    let listened = 0;
    for (let tries = 0; tries < 600; tries += 1) {
      listened = 0;
      for (let start = 0; start < channels.length; start += 500) {
        const answer = /** @type {Array<string | number>} */ (await redis.call('PUBSUB', 'SHARDNUMSUB', ...channels.slice(start, start + 500)));
        for (let k = 1; k < answer.length; k += 2) if (Number(answer[k]) > 0) listened += 1;
      }
      if (listened >= count) break;
      await sleep(100);
    }
    return listened;
  }

  /** Sockets that have received `tweetId`, over all subscriber processes. @param {string} tweetId */
  async function receivedCount(tweetId) {
    const answers = await Promise.all(children.map((child) => child.ask({ type: 'count', tweetId })));
    return answers.reduce((sum, a) => sum + a.received, 0);
  }

  /**
   * Posts as the author through the gateway, then waits until every open
   * socket has the tweet (or the time runs out).
   * @param {string} text @param {number} count
   */
  async function postAndWait(text, count) {
    const sentAt = now();
    const { id, ms } = await postTweet(gatewayUrl, authorToken, `${text} at ${new Date().toISOString()}`);
    const returnedAt = now();
    let delivered = await receivedCount(id);
    while (delivered < count && now() < returnedAt + DELIVERY_TIMEOUT_MS) {
      await sleep(20);
      delivered = await receivedCount(id);
    }
    return { tweetId: id, sentAt, returnedAt, mutationMs: ms, delivered };
  }

  /**
   * Every post's receive times, against its event on Kafka and its return.
   * @param {{ count: number, timed: Array<{ tweetId: string, sentAt: number, returnedAt: number, mutationMs: number, delivered: number }>,
   *   sampled: number[], announcedAt: Map<string, Map<number, number>> }} level
   */
  async function summarizeLevel({ count, timed, sampled, announcedAt }) {
    // The consumer has long had every event by now; a missing one is waited for a little.
    for (let tries = 0; tries < 100 && timed.some((post) => !eventAt.has(post.tweetId)); tries += 1) await sleep(100);
    /** @type {number[]} */
    const fromEvent = [];
    /** @type {number[]} */
    const fromReturn = [];
    /** @type {number[]} */
    const announced = [];
    /** @type {number[]} */
    const afterAnnouncement = [];
    let delivered = 0;
    let beforeReturn = 0;
    const perPost = [];
    for (const post of timed) {
      const answers = await Promise.all(children.map((child) => child.ask({ type: 'times', tweetId: post.tweetId })));
      /** Receive time by subscriber position. */
      const received = new Map();
      answers.forEach((answer, k) => answer.times.forEach((/** @type {number | null} */ at, /** @type {number} */ slot) => {
        if (at !== null && held[k][slot] < count) received.set(held[k][slot], at);
      }));
      const event = eventAt.get(post.tweetId);
      const latencies = [];
      for (const at of received.values()) {
        fromReturn.push(at - post.returnedAt);
        if (at < post.returnedAt) beforeReturn += 1;
        if (event !== undefined) latencies.push(at - event);
      }
      fromEvent.push(...latencies);
      delivered += received.size;
      for (const position of sampled) {
        const at = announcedAt.get(post.tweetId)?.get(position);
        if (at === undefined) continue;
        if (event !== undefined) announced.push(at - event);
        const got = received.get(position);
        if (got !== undefined) afterAnnouncement.push(got - at);
      }
      const summary = summarize(latencies);
      perPost.push({
        tweetId: post.tweetId, mutationMs: post.mutationMs, delivered: received.size,
        eventToReturnMs: event === undefined ? null : round(post.returnedAt - event),
        sentToEventMs: event === undefined ? null : round(event - post.sentAt),
        firstMs: latencies.length ? round(Math.min(...latencies)) : null, p50Ms: summary.p50, lastMs: summary.max,
      });
    }
    return {
      posts: timed.length,
      deliveredShare: round(delivered / (count * Math.max(1, timed.length)), 4),
      latencyMs: summarize(fromEvent),
      fromReturnMs: summarize(fromReturn),
      beforeReturnShare: round(beforeReturn / Math.max(1, delivered), 4),
      announcedMs: summarize(announced),
      afterAnnouncementMs: summarize(afterAnnouncement),
      announceSample: sampled.length,
      /**
       * From the first socket to the last receiving one post: the fan-out's chunks announce one after
       * another, then the gateway writes each socket and the subscriber processes read it.
       */
      spreadMs: summarize(perPost.filter((post) => post.firstMs !== null).map((post) => /** @type {number} */ (post.lastMs) - /** @type {number} */ (post.firstMs))),
      perPost,
    };
  }
}

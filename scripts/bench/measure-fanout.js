// Write path: how fast the store pushes a tweet id onto cached timelines,
// and how long a post takes to show in followers' timelines.

import { createRedisClient } from '@chirp/platform';
import { RedisTimelineStore } from '@chirp/timeline';
import { createRandom, sampleDistinct } from './random.js';
import { followersOf } from './content.js';
import { postTweet } from './requests.js';
import { TIMELINE_KEYS } from './timeline-keys.js';
import { round, sleep, summarize } from './stats.js';

/** @typedef {import('./network.js').Network} Network */

const POLL_MS = 2;
const SAMPLED_FOLLOWERS = 100;

/** A fresh 19-digit id, newer than anything loaded (node 1021 is the bench's). @param {number} sequence */
export function freshId(sequence) {
  return (((BigInt(Date.now()) - 1288834974657n) << 22n) | (1021n << 12n) | BigInt(sequence & 0xfff)).toString();
}

/**
 * Fans tweets out to every cached home timeline through the store's own
 * addToHomes, in chunks of `settings.fanoutChunk` (as FanoutService does),
 * `inFlight` chunks at a time; then takes the ids out again so the data
 * stays as loaded for what follows.
 *
 * @param {{ redisUrl: string, prefix: string, settings: import('@chirp/timeline').TimelineSettings,
 *   network: Network, tweets: number, inFlight: number[], log: (line: string) => void }} options
 */
export async function measureInserts({ redisUrl, prefix, settings, network, tweets, inFlight, log }) {
  const redis = createRedisClient(redisUrl, prefix);
  const store = new RedisTimelineStore(redis, settings);
  const homes = network.userIds;
  const chunk = settings.fanoutChunk;
  const runs = [];
  let sequence = 0;
  try {
    for (const parallel of inFlight) {
      const rates = [];
      await redis.config('RESETSTAT');
      const cpuBefore = { redis: await redisCpuSeconds(redis), node: process.cpuUsage(), at: performance.now() };
      let insertSeconds = 0;
      for (let t = 0; t < tweets; t += 1) {
        const id = freshId(sequence++);
        const started = performance.now();
        let next = 0;
        const worker = async () => {
          while (next < homes.length) {
            const start = next;
            next += chunk;
            await store.addToHomes(homes.slice(start, start + chunk), id);
          }
        };
        await Promise.all(Array.from({ length: parallel }, worker));
        const seconds = (performance.now() - started) / 1000;
        insertSeconds += seconds;
        rates.push(homes.length / seconds);
        const atHead = await redis.lindex(TIMELINE_KEYS.home(homes[homes.length - 1]), 0);
        await removeEverywhere(redis, homes, id);
        if (atHead !== id) throw new Error(`fan-out check failed: ${id} is not at the head of the last timeline`);
      }
      const evidence = await insertEvidence(redis, cpuBefore, insertSeconds, homes.length * tweets);
      const best = Math.max(...rates);
      log(`  ${parallel} chunk(s) in flight: ${Math.round(best).toLocaleString('en')} inserts/s (best of ${tweets})`);
      runs.push({ inFlight: parallel, timelines: homes.length, insertsPerSecond: rates.map((r) => Math.round(r)), best: Math.round(best), ...evidence });
    }
  } finally {
    redis.disconnect();
  }
  return { chunk, runs };
}

/** Redis's own CPU time so far (INFO cpu). @param {import('ioredis').Redis} redis */
async function redisCpuSeconds(redis) {
  const info = await redis.info('cpu');
  return Number(/used_cpu_user:([\d.]+)/.exec(info)?.[1] ?? 0) + Number(/used_cpu_sys:([\d.]+)/.exec(info)?.[1] ?? 0);
}

/**
 * Where the time of the insert runs went: Redis's time per script call, and
 * the share of a core Redis and this process (the client) used. The window
 * includes the clean-up after each tweet (LREM), so the shares are rough.
 *
 * @param {import('ioredis').Redis} redis
 * @param {{ redis: number, node: NodeJS.CpuUsage, at: number }} before
 * @param {number} insertSeconds
 * @param {number} inserts
 */
async function insertEvidence(redis, before, insertSeconds, inserts) {
  const wall = (performance.now() - before.at) / 1000;
  const node = process.cpuUsage(before.node);
  const stats = await redis.info('commandstats');
  const evalsha = /cmdstat_evalsha:calls=(\d+),usec=(\d+),usec_per_call=([\d.]+)/.exec(stats);
  return {
    redisUsecPerScriptCall: evalsha ? Number(evalsha[3]) : null,
    redisUsecPerInsert: evalsha ? round(Number(evalsha[2]) / inserts, 2) : null,
    redisScriptSecondsShare: evalsha ? round(Number(evalsha[2]) / 1e6 / insertSeconds, 2) : null,
    redisCpuShare: round(((await redisCpuSeconds(redis)) - before.redis) / wall, 2),
    clientCpuShare: round((node.user + node.system) / 1e6 / wall, 2),
  };
}

/**
 * @param {import('ioredis').Redis} redis
 * @param {readonly string[]} homes
 * @param {string} id
 */
async function removeEverywhere(redis, homes, id) {
  for (let start = 0; start < homes.length; start += 5000) {
    const pipeline = redis.pipeline();
    for (const user of homes.slice(start, start + 5000)) pipeline.lrem(TIMELINE_KEYS.home(user), 1, id);
    await pipeline.exec();
  }
}

/**
 * Posts through the gateway as authors of each class and polls sampled
 * followers' home lists in Redis until the id shows in all of them (or the
 * time runs out). Lag: from sending the mutation to the id being there.
 *
 * @param {{ gatewayUrl: string, redis: import('ioredis').Redis, prefix: string, network: Network,
 *   tokenOf: (index: number) => Promise<string>, classes: number[], postsPerClass: number,
 *   timeoutMs: number, budgetMs: number, seed: number, log: (line: string) => void }} options
 */
export async function measureLag({ gatewayUrl, redis, prefix, network, tokenOf, classes, postsPerClass, timeoutMs, budgetMs, seed, log }) {
  const random = createRandom(seed);
  const deadline = Date.now() + budgetMs;
  /** @type {Record<string, any>} */
  const byClass = {};
  for (const size of classes) {
    const authors = network.probes[size] ?? [];
    const posts = [];
    for (let p = 0; p < postsPerClass && authors.length > 0 && Date.now() < deadline; p += 1) {
      const author = authors[p % authors.length];
      const all = followersOf(network, author);
      const sample = Array.from(sampleDistinct(random, all.length + 1, Math.min(SAMPLED_FOLLOWERS, all.length), all.length), (k) => network.userIds[all[k]]);
      const post = await postAndWatch(gatewayUrl, redis, await tokenOf(author), sample.map((id) => `${prefix}${TIMELINE_KEYS.home(id)}`), Math.min(timeoutMs, deadline - Date.now()));
      log(`  ${size} followers, post ${p + 1}: visible to ${post.seen}/${sample.length} sampled, last after ${post.lastMs} ms (mutation answered in ${post.mutationMs} ms)`);
      posts.push({ author: network.userIds[author], followers: all.length, ...post });
      if (post.seen < sample.length) break; // the consumer is still busy: later posts would only queue behind it
    }
    const lags = posts.flatMap((post) => post.lags);
    byClass[size] = {
      posts: posts.map(({ lags: _lags, ...post }) => post),
      sampledFollowers: lags.length,
      missed: posts.reduce((sum, post) => sum + post.sampled - post.seen, 0),
      lag: summarize(lags),
    };
  }
  return byClass;
}

/**
 * Posts, and meanwhile watches the head of each follower's home list: the
 * fan-out may finish before the mutation returns (its answer waits for the
 * outbox to mark the tweet published), so watching starts before the id is
 * known. A changed head counts once it turns out to be the posted id.
 *
 * @param {string} gatewayUrl
 * @param {import('ioredis').Redis} redis
 * @param {string} token
 * @param {string[]} homes  the followers' home keys, prefix included
 * @param {number} timeoutMs
 */
async function postAndWatch(gatewayUrl, redis, token, homes, timeoutMs) {
  const heads = async (/** @type {string[]} */ keys) => {
    const pipeline = redis.pipeline();
    for (const key of keys) pipeline.lindex(key, 0);
    return ((await pipeline.exec()) ?? []).map(([, head]) => /** @type {string | null} */ (head));
  };
  const before = new Map((await heads(homes)).map((head, k) => [homes[k], head]));
  const started = performance.now();
  /** @type {{ id: string, ms: number } | undefined} */
  let posted;
  /** @type {unknown} */
  let failure;
  const mutation = postTweet(gatewayUrl, token, `bench lag probe ${Date.now()}`).then((answer) => { posted = answer; }, (error) => { failure = error; });
  /** @type {Map<string, { ms: number, head: string | null }>} */
  const changed = new Map();
  let waiting = homes;
  while (performance.now() - started < timeoutMs && !failure) {
    if (waiting.length === 0) break;
    const now = await heads(waiting);
    const at = performance.now() - started;
    waiting = waiting.filter((key, k) => {
      if (now[k] === before.get(key)) return true;
      changed.set(key, { ms: at, head: now[k] });
      return false;
    });
    await sleep(POLL_MS);
  }
  await Promise.race([mutation, sleep(Math.max(0, timeoutMs - (performance.now() - started)))]);
  const lags = [...changed.values()].filter((seen) => posted && seen.head === posted.id).map((seen) => round(seen.ms));
  return { tweetId: posted?.id ?? null, mutationMs: posted?.ms ?? null, error: failure ? String(failure) : undefined, sampled: homes.length, seen: lags.length,
    otherHeads: changed.size - lags.length, lastMs: lags.length ? Math.max(...lags) : null, lags };
}

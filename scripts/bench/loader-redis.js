// Warms the timeline's Redis as the service would have left it
// (subgraphs/timeline/src/stores/redis-timeline-store.ts, domain/cards.ts),
// under the key prefix `<REDIS_KEY_PREFIX>timeline:`:
//   home:{<id>}        newest first, at most maxLength ids, "0" at the tail when complete
//   home:{<id>}:celebs the celebrities the user follows (merged at read time)
//   recent:<id>        every author's latest ids (a home timeline is rebuilt from them; celebrities' are merged at read)
//   celebrities        the authors not fanned out to
//   card:<tweetId>, author:<id>   written through the timeline's CardService

import { Redis } from 'ioredis';
import { RedisVersionedCache } from '@chirp/platform';
// Not exported by @chirp/timeline: the built modules, by path.
import { CardService } from '../../subgraphs/timeline/dist/domain/cards.js';
import { InMemoryAuthorRepository, InMemoryTweetProjectionRepository } from '../../subgraphs/timeline/dist/repositories/index.js';
import { homeOf, profileOf, tweetText } from './content.js';
import { TIMELINE_KEYS } from './timeline-keys.js';

/** @typedef {import('./network.js').Network} Network */
/** @typedef {import('./progress.js').Progress} Progress */

const COMPLETE_MARKER = '0';
const USERS_PER_PIPELINE = 100;
const KEYS_PER_PIPELINE = 2000;
const PIPELINES_IN_FLIGHT = 4;

/**
 * Runs `count` units of work as pipelines of `per` units, a few in flight.
 *
 * @param {Redis} redis
 * @param {number} count
 * @param {number} per
 * @param {(pipeline: ReturnType<Redis['pipeline']>, index: number) => void} add
 * @param {(done: number) => void} onDone
 */
async function pipelined(redis, count, per, add, onDone) {
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const start = next;
      const end = Math.min(count, start + per);
      next = end;
      const pipeline = redis.pipeline();
      for (let i = start; i < end; i += 1) add(pipeline, i);
      const results = await pipeline.exec();
      const failed = results?.find(([error]) => error);
      if (failed) throw failed[0];
      onDone(end - start);
    }
  };
  await Promise.all(Array.from({ length: PIPELINES_IN_FLIGHT }, worker));
}

/**
 * Runs `count` calls, a batch of them at a time.
 *
 * @param {number} count
 * @param {(index: number) => Promise<unknown>} call
 * @param {(done: number) => void} onDone
 */
async function inBatches(count, call, onDone) {
  for (let start = 0; start < count; start += KEYS_PER_PIPELINE) {
    const end = Math.min(count, start + KEYS_PER_PIPELINE);
    const calls = [];
    for (let i = start; i < end; i += 1) calls.push(call(i));
    await Promise.all(calls);
    onDone(end - start);
  }
}

/**
 * @param {Network} network
 * @param {{ url: string, prefix: string, activeWindowSeconds: number, progress: Progress }} options
 *   prefix: the timeline's full key prefix, e.g. "bench:timeline:"
 * @returns {Promise<{ seconds: number, homes: number, homeEntries: number, fullHomes: number }>}
 */
export async function loadRedis(network, { url, prefix, activeWindowSeconds, progress }) {
  const started = Date.now();
  const redis = new Redis(url, { keyPrefix: prefix, maxRetriesPerRequest: 2 });
  const { users, tweets, userIds, tweetIds, tweetAuthor, tweetTime } = network;
  progress.add('redis.authors', users);
  progress.add('redis.cards', tweets);
  progress.add('redis.homes', users);
  progress.add('redis.recents', users);
  const stats = { homes: 0, homeEntries: 0, fullHomes: 0 };
  try {
    // Cards and authors go through the timeline's own CardService, so their
    // keys, encoding and expiry are always the ones the read path expects.
    const cards = new CardService(new RedisVersionedCache(redis), new InMemoryTweetProjectionRepository(), new InMemoryAuthorRepository());
    await inBatches(users, (i) => cards.refreshAuthor({ ...profileOf(network, i), version: 1 }), (n) => progress.advance('redis.authors', n));
    await inBatches(tweets, (k) => cards.refreshTweet({ id: tweetIds[k], authorId: userIds[tweetAuthor[k]], text: tweetText(k),
      createdAt: new Date(tweetTime[k]), editedAt: null, deleted: false, version: 1 }), (n) => progress.advance('redis.cards', n));
    await loadRecents(redis, network, (n) => progress.advance('redis.recents', n));
    await pipelined(redis, users, USERS_PER_PIPELINE, (p, u) => {
      const home = homeOf(network, u);
      const key = TIMELINE_KEYS.home(userIds[u]);
      const celebs = TIMELINE_KEYS.homeCelebrities(userIds[u]);
      const ids = home.tweets.map((k) => tweetIds[k]);
      if (home.complete) ids.push(COMPLETE_MARKER);
      p.rpush(key, ...ids).expire(key, activeWindowSeconds);
      if (home.celebrities.length > 0) {
        p.sadd(celebs, ...home.celebrities.map((c) => userIds[c])).expire(celebs, activeWindowSeconds);
      }
      stats.homes += 1;
      stats.homeEntries += home.tweets.length;
      if (!home.complete) stats.fullHomes += 1;
    }, (n) => progress.advance('redis.homes', n));
    return { seconds: (Date.now() - started) / 1000, ...stats };
  } finally {
    await redis.quit();
  }
}

/**
 * Every author's recent list, as the fan-out and RedisTimelineStore.mergeRecent
 * leave them (newest first, "0" at the tail when it holds all the author's
 * tweets; a user who never posted has just the "0"), and the celebrities set.
 *
 * @param {Redis} redis
 * @param {Network} network
 * @param {(done: number) => void} onDone
 */
async function loadRecents(redis, network, onDone) {
  const { maxLength } = network.options;
  await pipelined(redis, network.users, USERS_PER_PIPELINE, (p, a) => {
    const own = network.authorTweets.subarray(network.authorTweetsStart[a], network.authorTweetsStart[a + 1]);
    const ids = Array.from(own).reverse().slice(0, maxLength).map((k) => network.tweetIds[k]);
    if (ids.length < maxLength) ids.push(COMPLETE_MARKER);
    p.del(TIMELINE_KEYS.recent(network.userIds[a])).rpush(TIMELINE_KEYS.recent(network.userIds[a]), ...ids);
  }, onDone);
  if (network.celebrities.length > 0) await redis.sadd(TIMELINE_KEYS.celebrities, ...network.celebrities.map((c) => network.userIds[c]));
}

/**
 * Deletes every key under a prefix (when the bench ran on servers it did not start).
 *
 * @param {string} url
 * @param {string} prefix
 */
export async function dropRedisPrefix(url, prefix) {
  const redis = new Redis(url);
  try {
    let cursor = '0';
    for (let round = 0; round < 1_000_000; round += 1) {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 5000);
      if (keys.length > 0) await redis.unlink(...keys);
      cursor = next;
      if (cursor === '0') break;
    }
  } finally {
    redis.disconnect();
  }
}


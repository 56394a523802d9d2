// Redis memory per cached home timeline, as Redis itself counts it.

import { createRandom, randomInt } from './random.js';
import { round } from './stats.js';
import { TIMELINE_KEYS } from './timeline-keys.js';

/** @typedef {import('./network.js').Network} Network */

/**
 * MEMORY USAGE (all elements sampled) of full home lists, a `:gen` key as
 * an invalidation leaves it, and a `:celebs` set; plus Redis's totals.
 *
 * @param {{ redis: import('ioredis').Redis, prefix: string, network: Network, sample: number, seed: number }} options
 *   redis: a client without key prefix (MEMORY USAGE is not prefixed by ioredis); prefix: the timeline's
 */
export async function measureMemory({ redis, prefix, network, sample, seed }) {
  const random = createRandom(seed);
  const { maxLength } = network.options;
  const full = [];
  for (let tries = 0; full.length < sample && tries < sample * 20; tries += 1) {
    const key = `${prefix}${TIMELINE_KEYS.home(network.userIds[randomInt(random, network.users)])}`;
    if ((await redis.llen(key)) === maxLength) full.push(/** @type {number} */ (await redis.memory('USAGE', key, 'SAMPLES', 0)));
  }
  // No `:gen` key exists after the load: one is written when a follow or
  // unfollow invalidates the timeline (INCR + EXPIRE). Measure one such key.
  const probe = `${prefix}${TIMELINE_KEYS.homeGeneration('bench-probe')}`;
  await redis.multi().incr(probe).expire(probe, 3600).exec();
  const gen = /** @type {number} */ (await redis.memory('USAGE', probe, 'SAMPLES', 0));
  await redis.del(probe);
  const celebrityFollower = network.celebrities.length > 0 ? network.followers[network.followersStart[network.celebrities[0]]] : -1;
  const celebs = celebrityFollower >= 0 ? await redis.memory('USAGE', `${prefix}${TIMELINE_KEYS.homeCelebrities(network.userIds[celebrityFollower])}`, 'SAMPLES', 0) : null;
  const info = await redis.info('memory');
  const usedMemory = Number(/used_memory:(\d+)/.exec(info)?.[1] ?? NaN);
  const listConfig = await redis.config('GET', 'list-max-listpack-size');
  const mean = full.reduce((sum, bytes) => sum + bytes, 0) / Math.max(full.length, 1);
  return {
    entries: maxLength,
    sampled: full.length,
    meanBytes: round(mean, 0),
    minBytes: Math.min(...full),
    maxBytes: Math.max(...full),
    bytesPerEntry: round(mean / maxLength, 2),
    genKeyBytes: gen,
    withGenKeyBytes: round(mean + gen, 0),
    celebsSetBytes: celebs,
    redisUsedMemoryBytes: usedMemory,
    redisKeys: await redis.dbsize(),
    listMaxListpackSize: listConfig?.[1] ?? null,
  };
}

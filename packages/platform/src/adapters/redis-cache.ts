import type { Cache, CacheEntry } from '../cache.js';
import { groupBySlot, mgetAnywhere, pipelineByNode, type RedisClient } from './redis-client.js';

export { createRedisClient } from './redis-client.js';

/** Keys of any users: on a cluster, multi-key commands go one per slot (see redis-client.ts). */
export class RedisCache implements Cache {
  constructor(private readonly redis: RedisClient) {}

  async getMany(keys: readonly string[]): Promise<Array<string | null>> {
    return mgetAnywhere(this.redis, keys);
  }

  async setMany(entries: readonly CacheEntry[]): Promise<void> {
    if (entries.length === 0) return;
    await pipelineByNode(
      this.redis,
      entries.map((entry) => [entry.key, (pipeline) => pipeline.set(entry.key, entry.value, 'EX', entry.ttlSeconds)] as const),
    );
  }

  async addMany(entries: readonly CacheEntry[]): Promise<void> {
    if (entries.length === 0) return;
    await pipelineByNode(
      this.redis,
      entries.map((entry) => [entry.key, (pipeline) => pipeline.set(entry.key, entry.value, 'EX', entry.ttlSeconds, 'NX')] as const),
    );
  }

  async delete(keys: readonly string[]): Promise<void> {
    const groups = groupBySlot(this.redis, keys, (key) => key);
    if (groups.length === 1) await this.redis.del(...groups[0]!);
    else if (groups.length > 1) await pipelineByNode(this.redis, groups.map((group) => [group[0]!, (pipeline) => pipeline.del(...group)] as const));
  }

  async increment(key: string, ttlSeconds: number): Promise<number> {
    // One round trip; NX keeps the window fixed from the first increment.
    const results = await this.redis.multi().incr(key).expire(key, ttlSeconds, 'NX').exec();
    const value = results?.[0]?.[1];
    if (typeof value !== 'number') throw new Error('Redis INCR returned no number');
    return value;
  }

  async ping(): Promise<void> {
    await this.redis.ping();
  }
}

import { Redis } from 'ioredis';
import type { Cache, CacheEntry } from '../cache.js';

export function createRedisClient(url: string, keyPrefix: string): Redis {
  return new Redis(url, {
    keyPrefix,
    // Fail fast instead of queueing commands forever while Redis is away;
    // callers treat the cache as optional where they can.
    maxRetriesPerRequest: 2,
    enableAutoPipelining: true,
    lazyConnect: false,
  });
}

export class RedisCache implements Cache {
  constructor(private readonly redis: Redis) {}

  async getMany(keys: readonly string[]): Promise<Array<string | null>> {
    if (keys.length === 0) return [];
    return this.redis.mget(...keys);
  }

  async setMany(entries: readonly CacheEntry[]): Promise<void> {
    if (entries.length === 0) return;
    const pipeline = this.redis.pipeline();
    for (const entry of entries) pipeline.set(entry.key, entry.value, 'EX', entry.ttlSeconds);
    await pipeline.exec();
  }

  async addMany(entries: readonly CacheEntry[]): Promise<void> {
    if (entries.length === 0) return;
    const pipeline = this.redis.pipeline();
    for (const entry of entries) pipeline.set(entry.key, entry.value, 'EX', entry.ttlSeconds, 'NX');
    await pipeline.exec();
  }

  async delete(keys: readonly string[]): Promise<void> {
    if (keys.length > 0) await this.redis.del(...keys);
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

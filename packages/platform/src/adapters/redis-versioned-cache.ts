import type { Redis } from 'ioredis';
import { decodeVersioned, type VersionedCache, type VersionedEntry } from '../versioned-cache.js';

/** For each key: ARGV holds version, value, ttl; set when newer than the stored version. */
const SET_IF_NEWER = `
for i, key in ipairs(KEYS) do
  local version = tonumber(ARGV[i * 3 - 2])
  local stored = redis.call('GET', key)
  local current = stored and tonumber(string.match(stored, '^(%d+)|')) or -1
  if version > current then
    redis.call('SET', key, ARGV[i * 3 - 2] .. '|' .. ARGV[i * 3 - 1], 'EX', ARGV[i * 3])
  end
end
return 0
`;

export class RedisVersionedCache implements VersionedCache {
  constructor(private readonly redis: Redis) {
    redis.defineCommand('chirpSetIfNewer', { lua: SET_IF_NEWER });
  }

  async getMany(keys: readonly string[]): Promise<Array<{ version: number; value: string } | null>> {
    if (keys.length === 0) return [];
    return (await this.redis.mget(...keys)).map(decodeVersioned);
  }

  async setManyIfNewer(entries: readonly VersionedEntry[]): Promise<void> {
    if (entries.length === 0) return;
    const setIfNewer = (this.redis as unknown as Record<string, (...args: Array<string | number>) => Promise<unknown>>)
      .chirpSetIfNewer as (...args: Array<string | number>) => Promise<unknown>;
    await setIfNewer.call(
      this.redis,
      entries.length,
      ...entries.map((entry) => entry.key),
      ...entries.flatMap((entry) => [entry.version, entry.value, entry.ttlSeconds]),
    );
  }
}

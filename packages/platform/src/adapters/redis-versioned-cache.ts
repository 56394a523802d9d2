import { decodeVersioned, type VersionedCache, type VersionedEntry } from '../versioned-cache.js';
import { groupBySlot, mgetAnywhere, pipelineByNode, pipelineReplies, type RedisClient } from './redis-client.js';

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

type SetIfNewer = (...args: Array<string | number>) => Promise<unknown>;

export class RedisVersionedCache implements VersionedCache {
  constructor(private readonly redis: RedisClient) {
    redis.defineCommand('chirpSetIfNewer', { lua: SET_IF_NEWER });
  }

  async getMany(keys: readonly string[]): Promise<Array<{ version: number; value: string } | null>> {
    return (await mgetAnywhere(this.redis, keys)).map(decodeVersioned);
  }

  async setManyIfNewer(entries: readonly VersionedEntry[]): Promise<void> {
    // One script call on a single server; on a cluster one per slot (a script's keys must share one).
    const groups = groupBySlot(this.redis, entries, (entry) => entry.key);
    if (groups.length === 1) {
      await (this.redis as unknown as Record<'chirpSetIfNewer', SetIfNewer>).chirpSetIfNewer(...setIfNewerArguments(groups[0]!));
    } else if (groups.length > 1) {
      pipelineReplies(
        await pipelineByNode(
          this.redis,
          groups.map((group) => [group[0]!.key, (pipeline) => (pipeline as unknown as Record<'chirpSetIfNewer', SetIfNewer>).chirpSetIfNewer(...setIfNewerArguments(group))] as const),
        ),
      );
    }
  }
}

function setIfNewerArguments(entries: readonly VersionedEntry[]): Array<string | number> {
  return [entries.length, ...entries.map((entry) => entry.key), ...entries.flatMap((entry) => [entry.version, entry.value, entry.ttlSeconds])];
}

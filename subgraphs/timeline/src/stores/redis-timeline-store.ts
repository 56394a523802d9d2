import type { Redis } from 'ioredis';
import { COMPLETE_MARKER, type CachedHome, type CachedList, type TimelineStore, type TimelineStoreSettings } from './types.js';

const home = (userId: string) => `home:${userId}`;
const homeCelebrities = (userId: string) => `home:${userId}:celebs`;
const homeGeneration = (userId: string) => `home:${userId}:gen`;
const recent = (authorId: string) => `recent:${authorId}`;
const CELEBRITIES = 'celebrities';

/**
 * Replaces a home timeline only if its generation is still the one the
 * rebuild started from: a follow or unfollow that landed meanwhile wins.
 * KEYS: list, celebrities set, generation. ARGV: generation, ttl seconds,
 * celebrity count, celebrities..., ids (already in list order).
 */
const REPLACE_HOME = `
local current = redis.call('GET', KEYS[3]) or ''
if current ~= ARGV[1] then return 0 end
redis.call('DEL', KEYS[1], KEYS[2])
local celebrities = tonumber(ARGV[3])
for i = 4, 3 + celebrities do redis.call('SADD', KEYS[2], ARGV[i]) end
local first = 4 + celebrities
for i = first, #ARGV, 500 do
  redis.call('RPUSH', KEYS[1], unpack(ARGV, i, math.min(i + 499, #ARGV)))
end
redis.call('EXPIRE', KEYS[1], ARGV[2])
if celebrities > 0 then redis.call('EXPIRE', KEYS[2], ARGV[2]) end
return 1
`;

/**
 * Inserts a tweet id into a cached list, keeping it sorted newest first,
 * without duplicates, and at most ARGV[2] long. A list that does not exist
 * is left alone (not cached: inactive, or to be rebuilt). The common case, a
 * tweet newer than the head, costs LLEN, LINDEX and LPUSH; a late or
 * redelivered tweet falls back to a scan of at most `maxLength` entries.
 * Ids compare by length, then as text: 19-digit ids, and the "0" marker
 * below them all.
 */
const INSERT_SORTED = `
local key, id, max = KEYS[1], ARGV[1], tonumber(ARGV[2])
local function newer(a, b) if #a ~= #b then return #a > #b end return a > b end
local length = redis.call('LLEN', key)
if length == 0 then return 0 end
local head = redis.call('LINDEX', key, 0)
if head == id then return 0 end
if newer(id, head) then
  redis.call('LPUSH', key, id)
else
  if redis.call('LPOS', key, id) then return 0 end
  local pivot
  for _, value in ipairs(redis.call('LRANGE', key, 0, -1)) do
    if newer(id, value) then pivot = value break end
  end
  if pivot then redis.call('LINSERT', key, 'BEFORE', pivot, id) else redis.call('RPUSH', key, id) end
end
if length + 1 > max then redis.call('LTRIM', key, 0, max - 1) end
return 1
`;

type ScriptCommand = (...args: Array<string | number>) => Promise<number>;

export class RedisTimelineStore implements TimelineStore {
  constructor(
    private readonly redis: Redis,
    private readonly settings: TimelineStoreSettings,
  ) {
    redis.defineCommand('chirpReplaceHome', { numberOfKeys: 3, lua: REPLACE_HOME });
    redis.defineCommand('chirpInsertSorted', { numberOfKeys: 1, lua: INSERT_SORTED });
  }

  async readHome(userId: string): Promise<CachedHome | null> {
    const ttl = this.settings.activeWindowSeconds;
    const results = await this.redis
      .pipeline()
      .lrange(home(userId), 0, -1)
      .smembers(homeCelebrities(userId))
      .expire(home(userId), ttl)
      .expire(homeCelebrities(userId), ttl)
      .exec();
    // Empty means never built, expired, evicted or flushed: a built one holds at least its marker.
    const list = toCachedList((results?.[0]?.[1] ?? []) as string[]);
    return list && { ...list, celebrities: (results?.[1]?.[1] ?? []) as string[] };
  }

  async generation(userId: string): Promise<string> {
    return (await this.redis.get(homeGeneration(userId))) ?? '';
  }

  async replaceHome(userId: string, generation: string, cached: CachedHome): Promise<boolean> {
    const ids = [...cached.ids.slice(0, this.settings.maxLength), ...(cached.complete ? [COMPLETE_MARKER] : [])];
    // An empty but complete timeline still holds its marker, so it counts as cached.
    const stored = await this.script('chirpReplaceHome').call(
      this.redis,
      home(userId),
      homeCelebrities(userId),
      homeGeneration(userId),
      generation,
      this.settings.activeWindowSeconds,
      cached.celebrities.length,
      ...cached.celebrities,
      ...ids,
    );
    return stored === 1;
  }

  async addToHomes(userIds: readonly string[], tweetId: string): Promise<void> {
    // One command per follower, all in one pipeline. Timelines that expired
    // (inactive users) are skipped by the script at the cost of one LLEN.
    await this.insertAll(userIds.map((userId) => [home(userId), tweetId] as const));
  }

  async addManyToHome(userId: string, tweetIds: readonly string[]): Promise<void> {
    await this.insertAll(tweetIds.map((tweetId) => [home(userId), tweetId] as const));
  }

  async invalidateHomes(userIds: readonly string[]): Promise<void> {
    if (userIds.length === 0) return;
    const pipeline = this.redis.pipeline();
    for (const userId of userIds) {
      pipeline
        .incr(homeGeneration(userId))
        .expire(homeGeneration(userId), this.settings.activeWindowSeconds)
        .del(home(userId), homeCelebrities(userId));
    }
    await pipeline.exec();
  }

  async isCelebrity(authorIds: readonly string[]): Promise<boolean[]> {
    if (authorIds.length === 0) return [];
    const answers = await this.redis.smismember(CELEBRITIES, ...authorIds);
    return answers.map((answer) => answer === 1);
  }

  async markCelebrity(authorId: string): Promise<void> {
    await this.redis.sadd(CELEBRITIES, authorId);
  }

  async readRecent(authorIds: readonly string[]): Promise<Array<CachedList | null>> {
    if (authorIds.length === 0) return [];
    const pipeline = this.redis.pipeline();
    for (const authorId of authorIds) pipeline.lrange(recent(authorId), 0, -1);
    const results = (await pipeline.exec()) ?? [];
    return results.map(([, ids]) => toCachedList(ids as string[]));
  }

  async pushRecent(authorId: string, tweetId: string): Promise<void> {
    await this.insertAll([[recent(authorId), tweetId]]);
  }

  private async insertAll(inserts: ReadonlyArray<readonly [key: string, tweetId: string]>): Promise<void> {
    if (inserts.length === 0) return;
    const pipeline = this.redis.pipeline() as unknown as Record<'chirpInsertSorted', (...args: Array<string | number>) => unknown> & {
      exec(): Promise<unknown>;
    };
    for (const [key, tweetId] of inserts) pipeline.chirpInsertSorted(key, tweetId, this.settings.maxLength);
    await pipeline.exec();
  }

  /** A script defined in the constructor (ioredis adds them without types). */
  private script(name: 'chirpReplaceHome' | 'chirpInsertSorted'): ScriptCommand {
    return (this.redis as unknown as Record<string, ScriptCommand>)[name] as ScriptCommand;
  }

  async replaceRecent(authorId: string, tweetIds: readonly string[]): Promise<void> {
    const ids = [...tweetIds, ...(tweetIds.length < this.settings.maxLength ? [COMPLETE_MARKER] : [])];
    await this.redis.multi().del(recent(authorId)).rpush(recent(authorId), ...ids).exec();
  }
}

function toCachedList(stored: string[]): CachedList | null {
  if (stored.length === 0) return null;
  const complete = stored.at(-1) === COMPLETE_MARKER;
  return { ids: complete ? stored.slice(0, -1) : stored, complete };
}

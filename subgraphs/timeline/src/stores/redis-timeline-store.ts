import type { ChainableCommander } from 'ioredis';
import { groupBySlot, pipelineByNode, pipelineReplies, type RedisClient, type SlotCommands } from '@chirp/platform';
import {
  COMPLETE_MARKER,
  UNFOLLOW_MEMORY_SECONDS,
  toCachedList,
  toListRead,
  type CachedHome,
  type CachedList,
  type TimelineStore,
  type TimelineStoreSettings,
} from './types.js';

/**
 * The store's keys, under the client's prefix. A user's home timeline, its
 * celebrities and its generation meet in one script, so on a Redis Cluster
 * they share a hash tag, the user id in braces: one slot, one node. The
 * others are used one key at a time. (The bench's loader writes these too.)
 */
export const TIMELINE_KEYS = {
  home: (userId: string) => `home:{${userId}}`,
  homeCelebrities: (userId: string) => `home:{${userId}}:celebs`,
  homeGeneration: (userId: string) => `home:{${userId}}:gen`,
  recent: (authorId: string) => `recent:${authorId}`,
  /** Who unfollowed the author lately (see TimelineStore.followChanged). */
  unfollowers: (authorId: string) => `unfollowers:${authorId}`,
  followerCount: (authorId: string) => `followers:${authorId}`,
  celebrities: 'celebrities',
} as const;

const { home, homeCelebrities, homeGeneration, recent, unfollowers, followerCount, celebrities: CELEBRITIES } = TIMELINE_KEYS;

/**
 * Reads a home timeline and renews its expiry, in one call: nil when it is
 * not cached. A later page starts below ARGV[3]: found by LPOS when the id is
 * in the list (a cursor usually is), else by a scan in the script, so the
 * ids above the cursor never travel. KEYS: list, celebrities set. ARGV: ttl
 * seconds, limit (0: no limit), the id to read below ('' from the head).
 * Returns the entries read and the celebrities.
 */
const READ_HOME = `
if redis.call('EXPIRE', KEYS[1], ARGV[1]) == 0 then return false end
redis.call('EXPIRE', KEYS[2], ARGV[1])
local function newer(a, b) if #a ~= #b then return #a > #b end return a > b end
local start, limit, after = 0, tonumber(ARGV[2]), ARGV[3]
if after ~= '' then
  local position = redis.call('LPOS', KEYS[1], after)
  if position then
    start = position + 1
  else
    local all = redis.call('LRANGE', KEYS[1], 0, -1)
    start = #all
    for i, id in ipairs(all) do
      if newer(after, id) then start = i - 1 break end
    end
  end
end
local stop = -1
if limit > 0 then stop = start + limit - 1 end
return { redis.call('LRANGE', KEYS[1], start, stop), redis.call('SMEMBERS', KEYS[2]) }
`;

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
 * Inserts a tweet id into each of the cached lists in KEYS, keeping each
 * sorted newest first, without duplicates, at most ARGV[2] long. A list that
 * does not exist is left alone (not cached: inactive, or to be rebuilt).
 * The common case, a tweet newer than the head, costs LINDEX and LPUSH (and
 * LTRIM once the list is full); a late or redelivered tweet is placed by a
 * scan from the head in growing chunks (32, 128, 512… entries), which stops
 * at its place: a fan-out that fell behind delivers half its tweets out of
 * order, and reading the whole list for each cost Redis 12× the in-order
 * insert (the bench's scale step). Ids compare by length, then as text:
 * 19-digit ids, and the "0" marker below them all. One call serves a batch
 * of followers, which spares Redis the per-call cost of a script. Returns
 * how many of the lists exist. (On a Redis Cluster a batch holds keys of one
 * hash slot: see `insert`.)
 */
const INSERT_SORTED = `
local id, max = ARGV[1], tonumber(ARGV[2])
local function newer(a, b) if #a ~= #b then return #a > #b end return a > b end
local found = 0
for _, key in ipairs(KEYS) do
  local head = redis.call('LINDEX', key, 0)
  if head then found = found + 1 end
  if head and head ~= id then
    local length
    if newer(id, head) then
      length = redis.call('LPUSH', key, id)
    else
      -- From the head in growing chunks: a late tweet usually belongs near the top.
      -- The list is sorted, so the id, if there, comes before the first older one.
      local pivot, present, start, size = nil, false, 0, 32
      repeat
        local chunk = redis.call('LRANGE', key, start, start + size - 1)
        for _, value in ipairs(chunk) do
          if value == id then present = true break end
          if newer(id, value) then pivot = value break end
        end
        start, size = start + size, size * 4
      until present or pivot or #chunk == 0
      if not present then
        if pivot then length = redis.call('LINSERT', key, 'BEFORE', pivot, id) else length = redis.call('RPUSH', key, id) end
      end
    end
    if length and length > max then redis.call('LTRIM', key, 0, max - 1) end
  end
end
return found
`;

/**
 * Merges sorted ids (ARGV[2..], newest first, "0" last when they reach the
 * author's first tweet) into the sorted list at KEYS[1], creating it when
 * missing, without duplicates, at most ARGV[1] long: one linear merge, so a
 * union of two 800-id lists costs Redis about 1,600 steps.
 */
const MERGE_SORTED = `
local max = tonumber(ARGV[1])
local function newer(a, b) if #a ~= #b then return #a > #b end return a > b end
local existing = redis.call('LRANGE', KEYS[1], 0, -1)
local merged, i, j, last = {}, 1, 2, nil
while #merged < max and (i <= #existing or j <= #ARGV) do
  local take
  if j > #ARGV or (i <= #existing and not newer(ARGV[j], existing[i])) then
    take = existing[i]
    if j <= #ARGV and ARGV[j] == take then j = j + 1 end
    i = i + 1
  else
    take = ARGV[j]
    j = j + 1
  end
  if take ~= last then merged[#merged + 1] = take last = take end
end
redis.call('DEL', KEYS[1])
for k = 1, #merged, 500 do redis.call('RPUSH', KEYS[1], unpack(merged, k, math.min(k + 499, #merged))) end
return #merged
`;

/** Followers per script call: large enough to spread the call's cost, small enough not to stall Redis. */
const INSERT_BATCH = 100;

type ScriptCommand = (...args: Array<string | number>) => Promise<number>;
type Scripted = Record<'chirpInsertSorted', (...args: Array<string | number>) => unknown>;

export class RedisTimelineStore implements TimelineStore {
  constructor(
    private readonly redis: RedisClient,
    private readonly settings: TimelineStoreSettings,
  ) {
    redis.defineCommand('chirpReadHome', { numberOfKeys: 2, lua: READ_HOME });
    redis.defineCommand('chirpReplaceHome', { numberOfKeys: 3, lua: REPLACE_HOME });
    redis.defineCommand('chirpInsertSorted', { lua: INSERT_SORTED });
    redis.defineCommand('chirpMergeSorted', { numberOfKeys: 1, lua: MERGE_SORTED });
  }

  async readHome(userId: string, limit?: number, olderThan?: string): Promise<CachedHome | null> {
    const found = (await this.script('chirpReadHome').call(
      this.redis,
      home(userId),
      homeCelebrities(userId),
      this.settings.activeWindowSeconds,
      limit ?? 0,
      olderThan ?? '',
    )) as unknown as [string[], string[]] | null;
    // Missing means never built, expired, evicted or flushed: a built one holds at least its marker.
    if (!found) return null;
    const [read, celebrities] = found;
    return { ...toListRead(read, limit, olderThan), celebrities };
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
    // One script call per batch of followers, all in one pipeline. Timelines
    // that expired (inactive users) cost the script one LINDEX each.
    await this.insert(userIds.map(home), [tweetId]);
  }

  async addManyToHome(userId: string, tweetIds: readonly string[]): Promise<void> {
    await this.insert([home(userId)], tweetIds);
  }

  async removeFromHomes(userIds: readonly string[], tweetId: string): Promise<void> {
    if (userIds.length === 0) return;
    await pipelineByNode(this.redis, userIds.map((userId) => [home(userId), (pipeline) => pipeline.lrem(home(userId), 0, tweetId)] as const));
  }

  async invalidateHomes(userIds: readonly string[]): Promise<void> {
    if (userIds.length === 0) return;
    // A user's keys share a slot; users go to their nodes, one pipeline each.
    await pipelineByNode(this.redis, userIds.map((userId) => [home(userId), (pipeline) => this.dropHome(pipeline, userId)] as const));
  }

  async followChanged(followerId: string, followeeId: string, following: boolean): Promise<void> {
    // Remembered before the home is dropped: a fan-out pushing after the drop finds the unfollower when it checks.
    // Each unfollower is scored with when it is forgotten, so the set holds the last window's unfollows only,
    // however steadily an account loses followers (a key-wide expiry would be renewed forever).
    const key = unfollowers(followeeId);
    const now = Date.now();
    if (following) await this.redis.zrem(key, followerId);
    else {
      await this.redis
        .multi()
        .zremrangebyscore(key, '-inf', now)
        .zadd(key, now + UNFOLLOW_MEMORY_SECONDS * 1000, followerId)
        .expire(key, UNFOLLOW_MEMORY_SECONDS)
        .exec();
    }
    await this.invalidateHomes([followerId]);
  }

  async recentUnfollowers(authorId: string): Promise<string[]> {
    return this.redis.zrangebyscore(unfollowers(authorId), `(${Date.now()}`, '+inf');
  }

  /** Queues the drop of a user's cached home: a new generation (a rebuild under way will not land), then the keys gone. */
  private dropHome(chain: ChainableCommander, userId: string): ChainableCommander {
    return chain
      .incr(homeGeneration(userId))
      .expire(homeGeneration(userId), this.settings.activeWindowSeconds)
      .del(home(userId), homeCelebrities(userId));
  }

  async isCelebrity(authorIds: readonly string[]): Promise<boolean[]> {
    if (authorIds.length === 0) return [];
    const answers = await this.redis.smismember(CELEBRITIES, ...authorIds);
    return answers.map((answer) => answer === 1);
  }

  async markCelebrity(authorId: string): Promise<void> {
    await this.redis.sadd(CELEBRITIES, authorId);
  }

  async cachedFollowerCount(authorId: string): Promise<number | null> {
    const cached = await this.redis.get(followerCount(authorId));
    return cached === null ? null : Number(cached);
  }

  async cacheFollowerCount(authorId: string, count: number, ttlSeconds: number): Promise<void> {
    await this.redis.set(followerCount(authorId), count, 'EX', ttlSeconds);
  }

  async readRecent(authorIds: readonly string[], limit?: number): Promise<Array<CachedList | null>> {
    if (authorIds.length === 0) return [];
    const stop = limit === undefined ? -1 : limit - 1;
    const results = await pipelineByNode(
      this.redis,
      authorIds.map((authorId) => [recent(authorId), (pipeline) => pipeline.lrange(recent(authorId), 0, stop)] as const),
    );
    return results.map(([, ids]) => toCachedList(ids as string[], limit));
  }

  async pushRecent(authorId: string, tweetId: string): Promise<boolean> {
    const [found] = await this.insert([recent(authorId)], [tweetId]);
    return found === 1;
  }

  async mergeRecent(authorId: string, tweetIds: readonly string[]): Promise<void> {
    const ids = [...tweetIds.slice(0, this.settings.maxLength), ...(tweetIds.length < this.settings.maxLength ? [COMPLETE_MARKER] : [])];
    await this.script('chirpMergeSorted').call(this.redis, recent(authorId), this.settings.maxLength, ...ids);
  }

  /**
   * Inserts each tweet id into each list, in batched script calls sent as
   * one pipeline (on a cluster: batches of one slot each, one pipeline per
   * node, sent together); per call, how many of its lists exist.
   */
  private async insert(keys: readonly string[], tweetIds: readonly string[]): Promise<number[]> {
    if (keys.length === 0 || tweetIds.length === 0) return [];
    const groups = groupBySlot(this.redis, keys, (key) => key);
    const calls: SlotCommands[] = [];
    for (const tweetId of tweetIds) {
      for (const group of groups) {
        for (let start = 0; start < group.length; start += INSERT_BATCH) {
          const batch = group.slice(start, start + INSERT_BATCH);
          calls.push([
            batch[0]!,
            (pipeline) => (pipeline as unknown as Scripted).chirpInsertSorted(batch.length, ...batch, tweetId, this.settings.maxLength),
          ]);
        }
      }
    }
    return pipelineReplies(await pipelineByNode(this.redis, calls)).map(Number);
  }

  /** A script defined in the constructor (ioredis adds them without types). */
  private script(name: 'chirpReadHome' | 'chirpReplaceHome' | 'chirpInsertSorted' | 'chirpMergeSorted'): ScriptCommand {
    return (this.redis as unknown as Record<string, ScriptCommand>)[name] as ScriptCommand;
  }
}

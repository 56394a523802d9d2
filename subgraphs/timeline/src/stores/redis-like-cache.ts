import { decodeVersioned, groupBySlot, pipelineByNode, pipelineReplies, type RedisClient, type SlotCommands } from '@chirp/platform';
import type { LikeCount, LikeEdgeState } from '../domain/model.js';
import { signedSeq, type CachedLikes, type LikeCache } from './like-cache.js';

const likeCount = (tweetId: string) => `likes:${tweetId}`;
const likedBy = (userId: string) => `liked:${userId}`;

/** Sets `<version>|<count>` unless the key holds an equal or higher version. KEYS: the count. ARGV: version, count, ttl. */
const PUT_COUNT = `
local stored = redis.call('GET', KEYS[1])
local current = stored and tonumber(string.match(stored, '^(%d+)|')) or -1
if tonumber(ARGV[1]) <= current then return 0 end
redis.call('SET', KEYS[1], ARGV[1] .. '|' .. ARGV[2], 'EX', ARGV[3])
return 1
`;

/**
 * Sets each field to its signed seq unless the field holds one at least as
 * high (in absolute value: the sign is the state). The hash expires ttl
 * seconds after it was created, not after each write, so a busy user's hash
 * is dropped and refilled daily instead of growing. KEYS: the hash. ARGV:
 * ttl, then tweet id and signed seq pairs.
 */
const PUT_STATES = `
for i = 2, #ARGV, 2 do
  local stored = redis.call('HGET', KEYS[1], ARGV[i])
  if not stored or math.abs(tonumber(ARGV[i + 1])) > math.abs(tonumber(stored)) then
    redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1])
  end
end
if redis.call('TTL', KEYS[1]) == -1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
return 0
`;

type Scripted = Record<'chirpPutLikeCount' | 'chirpPutLikeStates', (...args: Array<string | number>) => unknown>;

export class RedisLikeCache implements LikeCache {
  constructor(
    private readonly redis: RedisClient,
    private readonly ttlSeconds: number,
  ) {
    redis.defineCommand('chirpPutLikeCount', { numberOfKeys: 1, lua: PUT_COUNT });
    redis.defineCommand('chirpPutLikeStates', { numberOfKeys: 1, lua: PUT_STATES });
  }

  async read(viewerId: string, tweetIds: readonly string[]): Promise<CachedLikes[]> {
    if (tweetIds.length === 0) return [];
    // One pipeline: the counts' MGET and the viewer's HMGET. On a cluster an
    // MGET per slot, beside the HMGET, in one pipeline per node.
    const groups = groupBySlot(this.redis, tweetIds.map((tweetId, index) => ({ key: likeCount(tweetId), index })), ({ key }) => key);
    const calls: SlotCommands[] = groups.map((group) => [group[0]!.key, (pipeline) => pipeline.mget(...group.map(({ key }) => key))]);
    calls.push([likedBy(viewerId), (pipeline) => pipeline.hmget(likedBy(viewerId), ...tweetIds)]);
    const results = await pipelineByNode(this.redis, calls);
    const replies = pipelineReplies(results) as Array<Array<string | null>>;
    const states = replies[groups.length]!;
    const counts = new Array<string | null>(tweetIds.length);
    groups.forEach((group, n) => group.forEach(({ index }, i) => (counts[index] = replies[n]![i] ?? null)));
    return tweetIds.map((_, index) => ({ count: countOf(counts[index] ?? null), liked: likedOf(states[index] ?? null) }));
  }

  async putCounts(counts: readonly LikeCount[]): Promise<void> {
    if (counts.length === 0) return;
    // One script call per key (a cluster keeps each key on its own slot), all in one pipeline (on a cluster, one per node).
    pipelineReplies(
      await pipelineByNode(
        this.redis,
        counts.map(({ tweetId, count, version }) => [
          likeCount(tweetId),
          (pipeline) => (pipeline as unknown as Scripted).chirpPutLikeCount(likeCount(tweetId), version, count, this.ttlSeconds),
        ] as const),
      ),
    );
  }

  async putStates(userId: string, edges: ReadonlyArray<Omit<LikeEdgeState, 'userId'>>): Promise<void> {
    if (edges.length === 0) return;
    const fields = edges.flatMap((edge) => [edge.tweetId, signedSeq(edge)]);
    await (this.redis as unknown as Scripted).chirpPutLikeStates(likedBy(userId), this.ttlSeconds, ...fields);
  }
}

/** A pipeline's replies, or its first error. */
function countOf(stored: string | null): number | null {
  const decoded = decodeVersioned(stored);
  return decoded ? Number(decoded.value) : null;
}

function likedOf(stored: string | null): boolean | null {
  return stored === null ? null : Number(stored) > 0;
}

import type { VersionedCache } from '@chirp/platform';
import type { LikeEdge, LikeState } from '../../domain/model.js';
import type { LikeRepository } from '../types.js';

const TTL_SECONDS = 24 * 3600;
const key = (tweetId: string, userId: string) => `liked:${tweetId}:${userId}`;

/**
 * Whether a viewer likes a tweet (`likedByViewer` on every card), cached per
 * pair with the like's seq as its version: a like or unlike writes its new
 * state, a read fills the misses, and the newest seq always wins.
 */
export class CachedLikeRepository implements LikeRepository {
  constructor(
    private readonly inner: LikeRepository,
    private readonly cache: VersionedCache,
  ) {}

  async setActive(tweetId: string, userId: string, active: boolean, at: Date): Promise<LikeEdge | null> {
    const edge = await this.inner.setActive(tweetId, userId, active, at);
    if (edge) await this.cache.setManyIfNewer([entryOf(tweetId, userId, edge)]);
    return edge;
  }

  countActive(tweetId: string): Promise<number> {
    return this.inner.countActive(tweetId);
  }

  async likeStates(userId: string, tweetIds: readonly string[]): Promise<Map<string, LikeState>> {
    const cached = await this.cache.getMany(tweetIds.map((tweetId) => key(tweetId, userId)));
    const states = new Map<string, LikeState>();
    const missing: string[] = [];
    cached.forEach((entry, index) => {
      const tweetId = tweetIds[index] as string;
      if (!entry) missing.push(tweetId);
      else if (entry.version > 0) states.set(tweetId, { active: entry.value === '1', seq: entry.version });
    });
    if (missing.length > 0) {
      const loaded = await this.inner.likeStates(userId, missing);
      // Never-liked pairs are cached too (seq 0), so a warm card needs no database.
      const never: LikeState = { active: false, seq: 0 };
      await this.cache.setManyIfNewer(missing.map((tweetId) => entryOf(tweetId, userId, loaded.get(tweetId) ?? never)));
      for (const [tweetId, state] of loaded) states.set(tweetId, state);
    }
    return states;
  }

  findUnpublished(olderThan: Date, limit: number): Promise<LikeEdge[]> {
    return this.inner.findUnpublished(olderThan, limit);
  }

  markPublished(tweetId: string, userId: string, seq: number): Promise<void> {
    return this.inner.markPublished(tweetId, userId, seq);
  }
}

function entryOf(tweetId: string, userId: string, state: LikeState) {
  return { key: key(tweetId, userId), version: state.seq, value: state.active ? '1' : '0', ttlSeconds: TTL_SECONDS };
}

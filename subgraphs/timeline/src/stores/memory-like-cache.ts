import type { LikeCount, LikeEdgeState } from '../domain/model.js';
import { isNewerState, signedSeq, type CachedLikes, type LikeCache } from './like-cache.js';

interface Expiring<T> {
  value: T;
  expiresAt: number;
}

/** The like cache in Maps, with the Redis adapter's rules (newer wins, expiry from creation). */
export class InMemoryLikeCache implements LikeCache {
  private readonly counts = new Map<string, Expiring<{ count: number; version: number }>>();
  private readonly states = new Map<string, Expiring<Map<string, number>>>();

  constructor(
    private readonly ttlSeconds: number,
    private readonly now: () => number = Date.now,
  ) {}

  async read(viewerId: string, tweetIds: readonly string[]): Promise<CachedLikes[]> {
    const states = this.live(this.states, viewerId)?.value;
    return tweetIds.map((tweetId) => {
      const count = this.live(this.counts, tweetId)?.value.count;
      const state = states?.get(tweetId);
      return { count: count ?? null, liked: state === undefined ? null : state > 0 };
    });
  }

  async putCounts(counts: readonly LikeCount[]): Promise<void> {
    for (const { tweetId, count, version } of counts) {
      const stored = this.live(this.counts, tweetId);
      if (!stored || version > stored.value.version) this.counts.set(tweetId, { value: { count, version }, expiresAt: this.expiry() });
    }
  }

  async putStates(userId: string, edges: ReadonlyArray<Omit<LikeEdgeState, 'userId'>>): Promise<void> {
    if (edges.length === 0) return;
    const stored = this.live(this.states, userId) ?? { value: new Map<string, number>(), expiresAt: this.expiry() };
    for (const edge of edges) {
      if (isNewerState(signedSeq(edge), stored.value.get(edge.tweetId))) stored.value.set(edge.tweetId, signedSeq(edge));
    }
    this.states.set(userId, stored);
  }

  /** Forgets everything, as FLUSHALL would (tests). */
  flush(): void {
    this.counts.clear();
    this.states.clear();
  }

  private live<T>(entries: Map<string, Expiring<T>>, key: string): Expiring<T> | undefined {
    const entry = entries.get(key);
    if (entry && entry.expiresAt <= this.now()) {
      entries.delete(key);
      return undefined;
    }
    return entry;
  }

  private expiry(): number {
    return this.now() + this.ttlSeconds * 1000;
  }
}

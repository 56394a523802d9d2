import { isNewerId } from '@chirp/platform';
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

interface StoredHome {
  list: string[];
  celebrities: Set<string>;
  expiresAt: number;
}

/** The timeline store in Maps, with Redis's semantics (expiry, trimming, generations). */
export class InMemoryTimelineStore implements TimelineStore {
  private readonly homes = new Map<string, StoredHome>();
  private readonly generations = new Map<string, number>();
  private readonly recents = new Map<string, string[]>();
  private readonly celebrities = new Set<string>();
  private readonly followerCounts = new Map<string, { count: number; expiresAt: number }>();
  /** Per author: who unfollowed them lately, and until when that is remembered. */
  private readonly unfollowers = new Map<string, Map<string, number>>();

  constructor(
    private readonly settings: TimelineStoreSettings,
    private readonly now: () => number = Date.now,
  ) {}

  async readHome(userId: string, limit?: number, olderThan?: string): Promise<CachedHome | null> {
    const stored = this.liveHome(userId);
    if (!stored) return null;
    stored.expiresAt = this.expiry();
    const below = olderThan === undefined ? stored.list : stored.list.filter((id) => isNewerId(olderThan, id));
    return { ...toListRead(below.slice(0, limit), limit, olderThan), celebrities: [...stored.celebrities] };
  }

  async generation(userId: string): Promise<string> {
    return String(this.generations.get(userId) ?? '');
  }

  async replaceHome(userId: string, generation: string, cached: CachedHome): Promise<boolean> {
    if ((await this.generation(userId)) !== generation) return false;
    const list = [...cached.ids.slice(0, this.settings.maxLength), ...(cached.complete ? [COMPLETE_MARKER] : [])];
    this.homes.set(userId, { list, celebrities: new Set(cached.celebrities), expiresAt: this.expiry() });
    return true;
  }

  async addToHomes(userIds: readonly string[], tweetId: string): Promise<void> {
    for (const userId of userIds) await this.addManyToHome(userId, [tweetId]);
  }

  async addManyToHome(userId: string, tweetIds: readonly string[]): Promise<void> {
    const stored = this.liveHome(userId);
    if (stored) for (const id of tweetIds) stored.list = this.insertSorted(stored.list, id);
  }

  async invalidateHomes(userIds: readonly string[]): Promise<void> {
    for (const userId of userIds) {
      this.generations.set(userId, (this.generations.get(userId) ?? 0) + 1);
      this.homes.delete(userId);
    }
  }

  async removeFromHomes(userIds: readonly string[], tweetId: string): Promise<void> {
    for (const userId of userIds) {
      const stored = this.liveHome(userId);
      if (stored) stored.list = stored.list.filter((id) => id !== tweetId);
    }
  }

  async followChanged(followerId: string, followeeId: string, following: boolean): Promise<void> {
    const recent = this.unfollowers.get(followeeId) ?? new Map<string, number>();
    this.forgetExpired(recent);
    if (following) recent.delete(followerId);
    else recent.set(followerId, this.now() + UNFOLLOW_MEMORY_SECONDS * 1000);
    this.unfollowers.set(followeeId, recent);
    await this.invalidateHomes([followerId]);
  }

  async recentUnfollowers(authorId: string): Promise<string[]> {
    const recent = this.unfollowers.get(authorId);
    if (!recent) return [];
    this.forgetExpired(recent);
    return [...recent.keys()];
  }

  private forgetExpired(recent: Map<string, number>): void {
    for (const [follower, until] of recent) if (until <= this.now()) recent.delete(follower);
  }

  async isCelebrity(authorIds: readonly string[]): Promise<boolean[]> {
    return authorIds.map((id) => this.celebrities.has(id));
  }

  async markCelebrity(authorId: string): Promise<void> {
    this.celebrities.add(authorId);
  }

  async cachedFollowerCount(authorId: string): Promise<number | null> {
    const cached = this.followerCounts.get(authorId);
    return cached && cached.expiresAt > this.now() ? cached.count : null;
  }

  async cacheFollowerCount(authorId: string, count: number, ttlSeconds: number): Promise<void> {
    this.followerCounts.set(authorId, { count, expiresAt: this.now() + ttlSeconds * 1000 });
  }

  async readRecent(authorIds: readonly string[], limit?: number): Promise<Array<CachedList | null>> {
    return authorIds.map((id) => toCachedList((this.recents.get(id) ?? []).slice(0, limit), limit));
  }

  async pushRecent(authorId: string, tweetId: string): Promise<boolean> {
    const list = this.recents.get(authorId);
    if (list) this.recents.set(authorId, this.insertSorted(list, tweetId));
    return list !== undefined;
  }

  async mergeRecent(authorId: string, tweetIds: readonly string[]): Promise<void> {
    const { maxLength } = this.settings;
    const incoming = [...tweetIds.slice(0, maxLength), ...(tweetIds.length < maxLength ? [COMPLETE_MARKER] : [])];
    const union = [...new Set([...(this.recents.get(authorId) ?? []), ...incoming])];
    this.recents.set(authorId, union.sort((a, b) => (isNewerId(a, b) ? -1 : 1)).slice(0, maxLength));
  }

  /** Forgets everything, as FLUSHALL would (tests). */
  flush(): void {
    this.homes.clear();
    this.generations.clear();
    this.recents.clear();
    this.celebrities.clear();
    this.followerCounts.clear();
  }

  /** As the Redis script: sorted newest first, no duplicates, trimmed; the "0" marker sorts last. */
  private insertSorted(list: string[], id: string): string[] {
    if (list.includes(id)) return list;
    const position = list.findIndex((value) => isNewerId(id, value));
    const inserted = position === -1 ? [...list, id] : [...list.slice(0, position), id, ...list.slice(position)];
    return inserted.slice(0, this.settings.maxLength);
  }

  private liveHome(userId: string): StoredHome | undefined {
    const stored = this.homes.get(userId);
    if (stored && stored.expiresAt <= this.now()) {
      this.homes.delete(userId);
      return undefined;
    }
    return stored;
  }

  private expiry(): number {
    return this.now() + this.settings.activeWindowSeconds * 1000;
  }
}

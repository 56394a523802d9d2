/**
 * The timeline's Redis data, behind an interface (Redis in production, an
 * in-process twin otherwise; both pass `test/timeline-store-contract.ts`).
 *
 * A home timeline is a list of tweet ids, newest pushed first: ids only, so
 * an edit or a profile change touches no timeline, and 19-digit ids are
 * stored by Redis as 64-bit integers. A "0" at the tail means the list
 * reaches back to the user's very first tweet; trimming drops it naturally
 * once the list is full.
 */
export interface CachedList {
  /** As stored: newest first by insertion, possibly with duplicates from redelivery. */
  ids: string[];
  /** True when nothing older than the oldest id exists. */
  complete: boolean;
  /** True when only the newest part was read (a `limit` cut it): more is cached below. */
  partial?: boolean;
  /** Set when the read began below this id: the list as read says nothing of ids at or above it. */
  olderThan?: string;
}

export interface CachedHome extends CachedList {
  /** Followed accounts too big to fan out to: their tweets are merged at read time. */
  celebrities: string[];
}

export interface TimelineStore {
  /**
   * The cached home timeline, its time to live renewed (the user is active);
   * null when not cached. With `olderThan`, only the entries older than that
   * id (a later page: found by position where the id is in the list); with
   * `limit`, only the first `limit` of those.
   */
  readHome(userId: string, limit?: number, olderThan?: string): Promise<CachedHome | null>;
  /** A token that changes whenever the user's home timeline is invalidated. */
  generation(userId: string): Promise<string>;
  /** Stores a rebuilt home timeline unless it was invalidated since `generation`; true when stored. */
  replaceHome(userId: string, generation: string, home: CachedHome): Promise<boolean>;
  /** Pushes a tweet onto the cached home timelines of these users; uncached (inactive) ones are skipped. */
  addToHomes(userIds: readonly string[], tweetId: string): Promise<void>;
  /** Pushes tweets onto one user's cached home timeline, if cached. */
  addManyToHome(userId: string, tweetIds: readonly string[]): Promise<void>;
  /** Takes a tweet out of these users' cached home timelines, where cached. */
  removeFromHomes(userIds: readonly string[], tweetId: string): Promise<void>;
  /** Drops these users' cached home timelines; the next read rebuilds them. */
  invalidateHomes(userIds: readonly string[]): Promise<void>;
  /**
   * A follow or unfollow: drops the follower's cached home (the next read
   * rebuilds it from the follow graph). An unfollow is also remembered among
   * the followee's `recentUnfollowers` for UNFOLLOW_MEMORY_SECONDS, before
   * the home is dropped; a follow forgets it. A fan-out that read the
   * followers just before the unfollow, and so pushed into the home rebuilt
   * after it, checks them once it has pushed and takes the tweet out again.
   */
  followChanged(followerId: string, followeeId: string, following: boolean): Promise<void>;
  /** Who unfollowed the author within UNFOLLOW_MEMORY_SECONDS (and has not followed again). */
  recentUnfollowers(authorId: string): Promise<string[]>;

  isCelebrity(authorIds: readonly string[]): Promise<boolean[]>;
  markCelebrity(authorId: string): Promise<void>;
  /** An author's follower count as last counted, while it is fresh; null when not cached. */
  cachedFollowerCount(authorId: string): Promise<number | null>;
  /** Remembers an author's follower count for `ttlSeconds`. */
  cacheFollowerCount(authorId: string, count: number, ttlSeconds: number): Promise<void>;
  /**
   * Each author's latest tweet ids, newest first (every author's, kept by
   * the fan-out: what a home timeline is rebuilt from, and what a
   * celebrity's followers merge at read); null when not cached.
   */
  readRecent(authorIds: readonly string[], limit?: number): Promise<Array<CachedList | null>>;
  /** Inserts a tweet into the author's cached list; false when there is no list to insert into. */
  pushRecent(authorId: string, tweetId: string): Promise<boolean>;
  /**
   * Merges the author's latest ids (newest first, as the projection has
   * them; fewer than `maxLength` means all of them) into the cached list,
   * creating it when missing. A union, so two writers racing (a rebuild and
   * the fan-out of a new tweet) both land.
   */
  mergeRecent(authorId: string, tweetIds: readonly string[]): Promise<void>;
}

/**
 * How long an unfollow is remembered for the followee's fan-outs. A fan-out
 * pushes within seconds of reading the followers (it is chunked, and a
 * celebrity's is not pushed at all); a redelivered event reads them again.
 * Minutes leave a wide margin at the cost of a few bytes per recent
 * unfollow.
 */
export const UNFOLLOW_MEMORY_SECONDS = 15 * 60;

export interface TimelineStoreSettings {
  /** Longest list kept per timeline (default 800). */
  maxLength: number;
  /** A timeline not read for this long expires, and fan-out skips it (the activity window). */
  activeWindowSeconds: number;
}

/** The tail marker of a complete home timeline. */
export const COMPLETE_MARKER = '0';

/** A list as stored; `limit` says whether the read may have stopped short of its end. */
export function toCachedList(stored: string[], limit?: number): CachedList | null {
  if (stored.length === 0) return null;
  return toListRead(stored, limit);
}

/** Part of an existing list as read (possibly none of it), below `olderThan` when given, at most `limit` entries. */
export function toListRead(read: string[], limit?: number, olderThan?: string): CachedList {
  const complete = read.at(-1) === COMPLETE_MARKER;
  const partial = !complete && limit !== undefined && read.length >= limit;
  return { ids: complete ? read.slice(0, -1) : read, complete, ...(partial ? { partial } : {}), ...(olderThan ? { olderThan } : {}) };
}

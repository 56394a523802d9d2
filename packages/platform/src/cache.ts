/**
 * A small key-value cache with expiry: the part of Redis the services use for
 * read-through caching and rate limits. Redis in production, an in-process
 * map otherwise; both pass `testing/cache-contract.ts`. Keys are namespaced
 * per service by the adapter, so a service only ever sees its own keys.
 */
export interface CacheEntry {
  key: string;
  value: string;
  ttlSeconds: number;
}

export interface Cache {
  getMany(keys: readonly string[]): Promise<Array<string | null>>;
  setMany(entries: readonly CacheEntry[]): Promise<void>;
  /**
   * Sets only keys that have no value (SET NX): for read-through fills, so a
   * value read from the database before a writer's fresher value was set can
   * never overwrite it.
   */
  addMany(entries: readonly CacheEntry[]): Promise<void>;
  delete(keys: readonly string[]): Promise<void>;
  /** Adds one to a counter that expires `ttlSeconds` after its first increment; returns the new value. */
  increment(key: string, ttlSeconds: number): Promise<number>;
  ping(): Promise<void>;
}

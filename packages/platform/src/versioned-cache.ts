/**
 * A cache whose entries carry a version, and where a write only lands if it
 * is newer than what is cached. Read-through fills and write-through
 * updates can then race freely: whatever order they arrive in, the newest
 * version wins, so a reader that loaded an old document never overwrites a
 * writer's fresher one. Redis does the compare in a Lua script; the
 * in-process twin does the same in a Map. Both pass
 * `testing/versioned-cache-contract.ts`.
 */
export interface VersionedEntry {
  key: string;
  version: number;
  value: string;
  ttlSeconds: number;
}

export interface VersionedCache {
  getMany(keys: readonly string[]): Promise<Array<{ version: number; value: string } | null>>;
  /** Stores each entry unless the cache holds the same key at a higher or equal version. */
  setManyIfNewer(entries: readonly VersionedEntry[]): Promise<void>;
}

/** Stored form: `<version>|<value>`. */
export function encodeVersioned(version: number, value: string): string {
  return `${version}|${value}`;
}

export function decodeVersioned(stored: string | null): { version: number; value: string } | null {
  if (stored === null) return null;
  const bar = stored.indexOf('|');
  return bar < 0 ? null : { version: Number(stored.slice(0, bar)), value: stored.slice(bar + 1) };
}

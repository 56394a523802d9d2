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

/** How one kind of record is kept in a VersionedCache. */
export interface CachedRecords<T extends { id: string }> {
  key(id: string): string;
  /** The cache entry for a record: its key, the version that orders writes, the stored text and its time to live. */
  entry(record: T): VersionedEntry;
  /** A record again from its stored text (JSON turns dates into strings, say). */
  revive(value: string): T;
}

/**
 * Records by id, from the cache where it holds them and from `load` for the
 * rest, which are then cached (a fill never overwrites a newer write: the
 * cache keeps the higher version). Ids with no record are absent from the map.
 */
export async function readThrough<T extends { id: string }>(
  cache: VersionedCache,
  records: CachedRecords<T>,
  ids: readonly string[],
  load: (missing: string[]) => Promise<T[]>,
): Promise<Map<string, T>> {
  const found = new Map<string, T>();
  if (ids.length === 0) return found;
  const cached = await cache.getMany(ids.map(records.key));
  cached.forEach((entry, index) => {
    if (entry) found.set(ids[index] as string, records.revive(entry.value));
  });
  const missing = [...new Set(ids.filter((id) => !found.has(id)))];
  if (missing.length > 0) {
    const loaded = await load(missing);
    await cache.setManyIfNewer(loaded.map(records.entry));
    for (const record of loaded) found.set(record.id, record);
  }
  return found;
}

/** `readThrough`, as a list in the order of `ids`; ids with no record are left out. */
export async function readThroughInOrder<T extends { id: string }>(
  cache: VersionedCache,
  records: CachedRecords<T>,
  ids: readonly string[],
  load: (missing: string[]) => Promise<T[]>,
): Promise<T[]> {
  const found = await readThrough(cache, records, ids, load);
  return ids.flatMap((id) => {
    const record = found.get(id);
    return record ? [record] : [];
  });
}

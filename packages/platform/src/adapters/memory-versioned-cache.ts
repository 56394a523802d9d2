import type { VersionedCache, VersionedEntry } from '../versioned-cache.js';

/** The versioned cache in a Map, with the same newest-wins rule and expiry. */
export class InMemoryVersionedCache implements VersionedCache {
  private readonly entries = new Map<string, { version: number; value: string; expiresAt: number }>();

  constructor(private readonly now: () => number = Date.now) {}

  async getMany(keys: readonly string[]): Promise<Array<{ version: number; value: string } | null>> {
    return keys.map((key) => {
      const entry = this.live(key);
      return entry ? { version: entry.version, value: entry.value } : null;
    });
  }

  async setManyIfNewer(entries: readonly VersionedEntry[]): Promise<void> {
    for (const entry of entries) {
      const current = this.live(entry.key);
      if (!current || entry.version > current.version) {
        this.entries.set(entry.key, { version: entry.version, value: entry.value, expiresAt: this.now() + entry.ttlSeconds * 1000 });
      }
    }
  }

  private live(key: string) {
    const entry = this.entries.get(key);
    if (entry && entry.expiresAt <= this.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return entry;
  }
}

import type { Cache, CacheEntry } from '../cache.js';

interface Stored {
  value: string;
  expiresAt: number;
}

/** The cache in a Map, with the same expiry rules as Redis. For the embedded default and tests. */
export class InMemoryCache implements Cache {
  private readonly entries = new Map<string, Stored>();

  constructor(private readonly now: () => number = Date.now) {}

  async getMany(keys: readonly string[]): Promise<Array<string | null>> {
    return keys.map((key) => this.read(key)?.value ?? null);
  }

  async setMany(entries: readonly CacheEntry[]): Promise<void> {
    for (const entry of entries) {
      this.entries.set(entry.key, { value: entry.value, expiresAt: this.now() + entry.ttlSeconds * 1000 });
    }
  }

  async addMany(entries: readonly CacheEntry[]): Promise<void> {
    await this.setMany(entries.filter((entry) => this.read(entry.key) === undefined));
  }

  async delete(keys: readonly string[]): Promise<void> {
    for (const key of keys) this.entries.delete(key);
  }

  async increment(key: string, ttlSeconds: number): Promise<number> {
    const current = this.read(key);
    const value = (current ? Number(current.value) : 0) + 1;
    const expiresAt = current?.expiresAt ?? this.now() + ttlSeconds * 1000;
    this.entries.set(key, { value: String(value), expiresAt });
    return value;
  }

  async ping(): Promise<void> {}

  private read(key: string): Stored | undefined {
    const stored = this.entries.get(key);
    if (stored && stored.expiresAt <= this.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return stored;
  }
}

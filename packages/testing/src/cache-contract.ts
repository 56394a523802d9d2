import type { Cache } from '@chirp/platform';
import { uniqueName } from './servers.js';

/** What every Cache must do, run against the in-process map and Redis alike. */
export function describeCacheContract(name: string, createCache: () => Promise<{ cache: Cache; close(): Promise<void> }>): void {
  describe(`Cache contract: ${name}`, () => {
    let cache: Cache;
    let close: () => Promise<void>;

    beforeAll(async () => {
      ({ cache, close } = await createCache());
    });

    afterAll(async () => {
      await close();
    });

    it('returns stored values in the order asked, null where missing', async () => {
      const [a, b] = [uniqueName('a'), uniqueName('b')];
      await cache.setMany([
        { key: a, value: 'one', ttlSeconds: 60 },
        { key: b, value: 'twø', ttlSeconds: 60 },
      ]);
      expect(await cache.getMany([b, uniqueName('missing'), a])).toEqual(['twø', null, 'one']);
      expect(await cache.getMany([])).toEqual([]);
    });

    it('adds only values that are not there yet', async () => {
      const [kept, added] = [uniqueName('kept'), uniqueName('added')];
      await cache.setMany([{ key: kept, value: 'fresh', ttlSeconds: 60 }]);
      await cache.addMany([
        { key: kept, value: 'stale', ttlSeconds: 60 },
        { key: added, value: 'new', ttlSeconds: 60 },
      ]);
      expect(await cache.getMany([kept, added])).toEqual(['fresh', 'new']);
    });

    it('forgets a value after its time to live', async () => {
      const key = uniqueName('short');
      await cache.setMany([{ key, value: 'soon gone', ttlSeconds: 1 }]);
      expect(await cache.getMany([key])).toEqual(['soon gone']);
      await new Promise((resolve) => setTimeout(resolve, 1_100));
      expect(await cache.getMany([key])).toEqual([null]);
    });

    it('deletes values', async () => {
      const key = uniqueName('doomed');
      await cache.setMany([{ key, value: 'x', ttlSeconds: 60 }]);
      await cache.delete([key, uniqueName('never-there')]);
      expect(await cache.getMany([key])).toEqual([null]);
    });

    it('reads, writes and deletes many keys at once (on a cluster: keys of many slots, on every node)', async () => {
      const keys = Array.from({ length: 60 }, (_, index) => uniqueName(`many${index}`));
      await cache.setMany(keys.filter((_, index) => index % 2 === 0).map((key) => ({ key, value: `set ${key}`, ttlSeconds: 60 })));
      await cache.addMany(keys.map((key) => ({ key, value: `added ${key}`, ttlSeconds: 60 })));
      expect(await cache.getMany(keys)).toEqual(keys.map((key, index) => (index % 2 === 0 ? `set ${key}` : `added ${key}`)));
      await cache.delete(keys.slice(0, 30));
      expect(await cache.getMany(keys)).toEqual(keys.map((key, index) => (index < 30 ? null : index % 2 === 0 ? `set ${key}` : `added ${key}`)));
    });

    it('counts within a fixed window that starts at the first increment', async () => {
      const key = uniqueName('counter');
      expect(await cache.increment(key, 1)).toBe(1);
      expect(await cache.increment(key, 1)).toBe(2);
      expect(await cache.increment(key, 60)).toBe(3); // a later increment does not extend the window
      await new Promise((resolve) => setTimeout(resolve, 1_100));
      expect(await cache.increment(key, 1)).toBe(1);
    });

    it('answers ping', async () => {
      await expect(cache.ping()).resolves.toBeUndefined();
    });
  });
}

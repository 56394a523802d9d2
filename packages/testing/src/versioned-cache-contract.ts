import type { VersionedCache } from '@chirp/platform';
import { uniqueName } from './servers.js';

/** What every VersionedCache must do, in memory and on Redis alike. */
export function describeVersionedCacheContract(name: string, create: () => Promise<{ cache: VersionedCache; close(): Promise<void> }>): void {
  describe(`VersionedCache contract: ${name}`, () => {
    let cache: VersionedCache;
    let close: () => Promise<void>;
    beforeAll(async () => {
      ({ cache, close } = await create());
    });
    afterAll(async () => {
      await close();
    });

    it('keeps the newest version, whatever order writes arrive in', async () => {
      const key = uniqueName('k');
      await cache.setManyIfNewer([{ key, version: 2, value: 'two|with bar', ttlSeconds: 60 }]);
      await cache.setManyIfNewer([{ key, version: 1, value: 'one', ttlSeconds: 60 }]);
      await cache.setManyIfNewer([{ key, version: 2, value: 'two again', ttlSeconds: 60 }]);
      expect(await cache.getMany([key])).toEqual([{ version: 2, value: 'two|with bar' }]);
      await cache.setManyIfNewer([{ key, version: 10, value: 'ten', ttlSeconds: 60 }]);
      expect(await cache.getMany([key, uniqueName('missing')])).toEqual([{ version: 10, value: 'ten' }, null]);
    });

    it('sets many keys in one call, each judged on its own', async () => {
      const [a, b] = [uniqueName('a'), uniqueName('b')];
      await cache.setManyIfNewer([{ key: a, version: 5, value: 'a5', ttlSeconds: 60 }]);
      await cache.setManyIfNewer([
        { key: a, version: 4, value: 'a4', ttlSeconds: 60 },
        { key: b, version: 0, value: 'b0', ttlSeconds: 60 },
      ]);
      expect(await cache.getMany([a, b])).toEqual([
        { version: 5, value: 'a5' },
        { version: 0, value: 'b0' },
      ]);
    });

    it('sets and reads many keys in one call (on a cluster: keys of many slots, on every node)', async () => {
      const keys = Array.from({ length: 60 }, (_, index) => uniqueName(`many${index}`));
      await cache.setManyIfNewer(keys.map((key, index) => ({ key, version: 2, value: `${index}`, ttlSeconds: 60 })));
      await cache.setManyIfNewer(keys.map((key, index) => ({ key, version: index % 3, value: `late ${index}`, ttlSeconds: 60 })));
      expect(await cache.getMany(keys)).toEqual(keys.map((_, index) => ({ version: 2, value: `${index}` }))); // none newer, an equal one included
      await cache.setManyIfNewer(keys.map((key, index) => ({ key, version: 2 + (index % 2), value: `new ${index}`, ttlSeconds: 60 })));
      expect(await cache.getMany(keys)).toEqual(keys.map((_, index) => (index % 2 === 1 ? { version: 3, value: `new ${index}` } : { version: 2, value: `${index}` })));
    });

    it('forgets an entry after its time to live', async () => {
      const key = uniqueName('short');
      await cache.setManyIfNewer([{ key, version: 1, value: 'x', ttlSeconds: 1 }]);
      await new Promise((resolve) => setTimeout(resolve, 1_100));
      expect(await cache.getMany([key])).toEqual([null]);
    });
  });
}

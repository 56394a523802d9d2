import { InMemoryCache, InMemoryVersionedCache, RedisCache, RedisVersionedCache, createRedisClient } from '@chirp/platform';
import { REDIS_TARGETS, describeCacheContract, describeVersionedCacheContract, uniqueName } from '@chirp/testing';

describeCacheContract('in-process', async () => ({ cache: new InMemoryCache(), close: async () => {} }));

describeVersionedCacheContract('in-process', async () => ({ cache: new InMemoryVersionedCache(), close: async () => {} }));

for (const target of REDIS_TARGETS) {
  describeCacheContract(target.name, async () => {
    const redis = createRedisClient(target.connection(), `${uniqueName('cache')}:`);
    return { cache: new RedisCache(redis), close: async () => void (await redis.quit()) };
  });

  describeVersionedCacheContract(target.name, async () => {
    const redis = createRedisClient(target.connection(), `${uniqueName('versioned')}:`);
    return { cache: new RedisVersionedCache(redis), close: async () => void (await redis.quit()) };
  });
}

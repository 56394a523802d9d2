import { InMemoryCache, InMemoryVersionedCache, RedisCache, RedisVersionedCache, createRedisClient } from '@chirp/platform';
import { describeCacheContract, describeVersionedCacheContract, realServers, uniqueName } from '@chirp/testing';

describeCacheContract('in-process', async () => ({ cache: new InMemoryCache(), close: async () => {} }));

describeCacheContract('Redis', async () => {
  const redis = createRedisClient(realServers().redisUrl, `${uniqueName('cache')}:`);
  return { cache: new RedisCache(redis), close: async () => void (await redis.quit()) };
});

describeVersionedCacheContract('in-process', async () => ({ cache: new InMemoryVersionedCache(), close: async () => {} }));

describeVersionedCacheContract('Redis', async () => {
  const redis = createRedisClient(realServers().redisUrl, `${uniqueName('versioned')}:`);
  return { cache: new RedisVersionedCache(redis), close: async () => void (await redis.quit()) };
});

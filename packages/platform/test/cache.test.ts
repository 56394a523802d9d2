import { InMemoryCache, RedisCache, createRedisClient } from '@chirp/platform';
import { describeCacheContract, realServers, uniqueName } from '@chirp/testing';

describeCacheContract('in-process', async () => ({ cache: new InMemoryCache(), close: async () => {} }));

describeCacheContract('Redis', async () => {
  const redis = createRedisClient(realServers().redisUrl, `${uniqueName('cache')}:`);
  return { cache: new RedisCache(redis), close: async () => void (await redis.quit()) };
});

import { addressKey, createRedisClient, enforceRateLimit, hashedKey, memoryRateLimiter, redisRateLimiter, RateLimitedError, UNLIMITED } from '@chirp/platform';
import { REDIS_TARGETS, describeRateLimiterContract, uniqueName } from '@chirp/testing';

describeRateLimiterContract('in-process', async () => ({ limiter: memoryRateLimiter, close: async () => {} }));

for (const target of REDIS_TARGETS) {
  describeRateLimiterContract(target.name, async () => {
    const redis = createRedisClient(target.connection(), `${uniqueName('rate')}:`);
    return { limiter: (name, rule) => redisRateLimiter(redis, name, rule), close: async () => void (await redis.quit()) };
  });
}

for (const target of REDIS_TARGETS) {
  describe(`the limiter on ${target.name}`, () => {
    it('keeps its counts in Redis, one key each, not in the in-process stand-in it falls back to', async () => {
      const redis = createRedisClient(target.connection(), `${uniqueName('rate')}:`);
      try {
        const limiter = redisRateLimiter(redis, 'stored', { points: 5, durationSeconds: 60 });
        const keys = Array.from({ length: 12 }, (_, index) => `k${index}`);
        for (const key of keys) await limiter.consume(key);
        await limiter.consume('k0');
        expect(await Promise.all(keys.map((key) => redis.get(`rate:stored:${key}`)))).toEqual(keys.map((_, index) => (index === 0 ? '2' : '1')));
      } finally {
        await redis.quit();
      }
    });
  });
}

describe('enforceRateLimit', () => {
  it('throws RATE_LIMITED with retryAfterSeconds and says when in words', async () => {
    const limit = memoryRateLimiter('words', { points: 1, durationSeconds: 600 });
    await enforceRateLimit(limit, 'k', 'Too many.');
    const error = await enforceRateLimit(limit, 'k', 'Too many.').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(RateLimitedError);
    expect(error).toMatchObject({ code: 'RATE_LIMITED', retryAfterSeconds: 600, message: 'Too many. Try again in 10 minutes.' });
  });

  it('never refuses when the limit is off', async () => {
    for (let attempt = 0; attempt < 100; attempt += 1) await enforceRateLimit(UNLIMITED, 'k', 'never');
  });
});

describe('rate-limit keys', () => {
  it('hashes a client-chosen value to a short fixed-size key', () => {
    expect(hashedKey('ada@example.com')).toHaveLength(22);
    expect(hashedKey('ada@example.com')).toBe(hashedKey('ada@example.com'));
    expect(hashedKey('x'.repeat(100_000))).toHaveLength(22);
  });

  it('counts an IPv6 address by its /64 and an IPv4-mapped one as IPv4', () => {
    expect(addressKey('203.0.113.9')).toBe('203.0.113.9');
    expect(addressKey('::ffff:203.0.113.9')).toBe('203.0.113.9');
    expect(addressKey('2001:db8:0:1:aaaa::1')).toBe('2001:db8:0:1::/64');
    expect(addressKey('2001:DB8:0000:0001:bbbb:cccc:dddd:eeee')).toBe('2001:db8:0:1::/64');
    expect(addressKey('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(addressKey('::1')).toBe('0:0:0:0::/64');
  });
});

import {
  ConfigurationError,
  DEVELOPMENT_JWT_SECRET,
  LAMBDA_MONGODB_POOL_SIZE,
  STRICT_RATE_LIMITS,
  lambdaEnvironment,
  loadConfig,
  redisClusterSeeds,
} from '@chirp/platform';

const productionServers = {
  NODE_ENV: 'production',
  MONGODB_URL: 'mongodb://db:27017',
  REDIS_URL: 'redis://cache:6379',
  KAFKA_BROKERS: 'kafka:9092',
};

describe('loadConfig', () => {
  it('runs in memory by default, on the development key', () => {
    const config = loadConfig('users', 4001, {});
    expect(config).toMatchObject({ port: 4001, host: '127.0.0.1', mongo: undefined, redis: undefined, kafka: undefined });
    expect(config.jwt.secret).toBe(DEVELOPMENT_JWT_SECRET);
  });

  it('sizes MongoDB pools for a container, or for a Lambda execution environment, unless told', async () => {
    expect(loadConfig('users', 0, await lambdaEnvironment({ ...productionServers, NODE_ENV: 'development' })).mongo?.maxPoolSize).toBe(LAMBDA_MONGODB_POOL_SIZE);
    const told = { ...productionServers, NODE_ENV: 'development', MONGODB_MAX_POOL_SIZE: '12' };
    expect(loadConfig('users', 0, await lambdaEnvironment(told)).mongo?.maxPoolSize).toBe(12);
    expect(loadConfig('users', 0, told).mongo?.maxPoolSize).toBe(12);
    expect(() => loadConfig('users', 0, { ...told, MONGODB_MAX_POOL_SIZE: '0' })).toThrow(/MONGODB_MAX_POOL_SIZE/);
  });

  it('gives each service its own database and Redis key space', () => {
    const config = loadConfig('users', 4001, { ...productionServers, NODE_ENV: 'development' });
    expect(config.mongo).toEqual({ url: 'mongodb://db:27017', database: 'chirp_users', maxPoolSize: 50 });
    expect(config.redis).toEqual({ url: 'redis://cache:6379', cluster: false, keyPrefix: 'chirp:users:', livePrefix: 'chirp:' });
    expect(config.kafka).toEqual({ brokers: ['kafka:9092'], clientId: 'chirp-users', topicPrefix: '', partitions: 12, replicationFactor: undefined });
  });

  it('creates topics with KAFKA_PARTITIONS partitions of KAFKA_REPLICATION_FACTOR replicas', () => {
    const config = loadConfig('users', 0, { ...productionServers, NODE_ENV: 'development', KAFKA_PARTITIONS: '6', KAFKA_REPLICATION_FACTOR: '3' });
    expect(config.kafka).toMatchObject({ partitions: 6, replicationFactor: 3 });
    expect(() => loadConfig('users', 0, { ...productionServers, NODE_ENV: 'development', KAFKA_PARTITIONS: '0' })).toThrow(/KAFKA_PARTITIONS/);
  });

  it('takes a Redis Cluster by one or more of its nodes with REDIS_CLUSTER=true', () => {
    const development = { ...productionServers, NODE_ENV: 'development' };
    const nodes = 'redis://a:7000, rediss://user:secret@b:7001,c:7002';
    expect(loadConfig('users', 0, { ...development, REDIS_URL: nodes, REDIS_CLUSTER: 'true' }).redis).toEqual({
      url: nodes,
      cluster: true,
      keyPrefix: 'chirp:users:',
      livePrefix: 'chirp:',
    });
    expect(redisClusterSeeds(nodes)).toEqual([
      { host: 'a', port: 7000, username: undefined, password: undefined, tls: false },
      { host: 'b', port: 7001, username: 'user', password: 'secret', tls: true },
      { host: 'c', port: 7002, username: undefined, password: undefined, tls: false },
    ]);
    expect(() => loadConfig('users', 0, { ...development, REDIS_URL: nodes })).toThrow(/REDIS_CLUSTER=true/);
    expect(() => loadConfig('users', 0, { ...development, REDIS_URL: 'redis://a:7000/2', REDIS_CLUSTER: 'true' })).toThrow(/database 0/);
    expect(() => loadConfig('users', 0, { ...development, REDIS_URL: 'http://a:7000', REDIS_CLUSTER: 'true' })).toThrow(/REDIS_URL/);
    expect(() => loadConfig('users', 0, { ...development, REDIS_CLUSTER: 'true', REDIS_KEY_PREFIX: '{chirp}:' })).toThrow(/REDIS_KEY_PREFIX/);
    expect(() => loadConfig('users', 0, { ...development, REDIS_CLUSTER: 'yes' })).toThrow(/REDIS_CLUSTER/);
  });

  it('refuses to start in production on the development key', () => {
    expect(() => loadConfig('users', 4001, productionServers)).toThrow(ConfigurationError);
    expect(() => loadConfig('users', 4001, { ...productionServers, JWT_SECRET: 'short' })).toThrow(/JWT_SECRET/);
  });

  it('refuses to start in production without the real servers', () => {
    const env = { NODE_ENV: 'production', JWT_SECRET: 'x'.repeat(40), MONGODB_URL: 'mongodb://db' };
    expect(() => loadConfig('users', 4001, env)).toThrow(/REDIS_URL, KAFKA_BROKERS/);
  });

  it('starts in production when everything is configured', () => {
    const config = loadConfig('users', 4001, { ...productionServers, JWT_SECRET: 'x'.repeat(40), PORT: '8080' });
    expect(config.isProduction).toBe(true);
    expect(config.port).toBe(8080);
  });

  it('explains a malformed value', () => {
    expect(() => loadConfig('users', 4001, { PORT: 'eighty' })).toThrow(/PORT/);
  });
});

describe('loadConfig for a service that needs no data store', () => {
  it('starts in production with only its key', () => {
    const config = loadConfig('gateway', 4000, { NODE_ENV: 'production', JWT_SECRET: 'x'.repeat(40) }, []);
    expect(config.isProduction).toBe(true);
  });
});

describe('loadConfig rate limits', () => {
  const production = { ...productionServers, JWT_SECRET: 'x'.repeat(40) };

  it('are strict in production, and loose for sign-up and writes elsewhere, the log-in limits always as in production', () => {
    expect(loadConfig('users', 4001, production).rateLimits).toEqual(STRICT_RATE_LIMITS);
    const development = loadConfig('users', 4001, {}).rateLimits;
    expect(development.loginAccount).toEqual(STRICT_RATE_LIMITS.loginAccount);
    expect(development.loginAddress).toEqual(STRICT_RATE_LIMITS.loginAddress);
    expect(development.signUp?.points).toBe(STRICT_RATE_LIMITS.signUp.points * 100);
    expect(development.post?.points).toBe(STRICT_RATE_LIMITS.post.points * 100);
  });

  it('RATE_LIMITS=off turns off sign-up and write limits, never the log-in limits', () => {
    const rules = loadConfig('users', 4001, { ...production, RATE_LIMITS: 'off' }).rateLimits;
    expect([rules.signUp, rules.post, rules.like, rules.follow]).toEqual([null, null, null, null]);
    expect(rules.loginAccount).toEqual(STRICT_RATE_LIMITS.loginAccount);
    expect(() => loadConfig('users', 4001, { RATE_LIMIT_LOGIN_ACCOUNT: 'off' })).toThrow(/cannot be off/);
  });

  it('takes each limit from its own variable, points/seconds[/block seconds]', () => {
    const rules = loadConfig('users', 4001, { RATE_LIMITS: 'off', RATE_LIMIT_SIGNUP: '3/60', RATE_LIMIT_LOGIN_ADDRESS: '5/60/600', RATE_LIMIT_POST: 'off' }).rateLimits;
    expect(rules.signUp).toEqual({ points: 3, durationSeconds: 60 });
    expect(rules.loginAddress).toEqual({ points: 5, durationSeconds: 60, blockSeconds: 600 });
    expect(rules.post).toBeNull();
    for (const bad of ['ten/60', '10', '0/60', '10/0', '10/60/x']) {
      expect(() => loadConfig('users', 4001, { RATE_LIMIT_FOLLOW: bad })).toThrow(/RATE_LIMIT_FOLLOW/);
    }
    expect(() => loadConfig('users', 4001, { RATE_LIMITS: 'sometimes' })).toThrow(/RATE_LIMITS/);
  });

  it('says when the development key is in use', () => {
    expect(loadConfig('users', 4001, {}).usesDevelopmentKey).toBe(true);
    expect(loadConfig('users', 4001, { JWT_SECRET: 'y'.repeat(40) }).usesDevelopmentKey).toBe(false);
  });
});

import { ConfigurationError, DEVELOPMENT_JWT_SECRET, loadConfig } from '@chirp/platform';

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

  it('gives each service its own database and Redis key space', () => {
    const config = loadConfig('users', 4001, { ...productionServers, NODE_ENV: 'development' });
    expect(config.mongo).toEqual({ url: 'mongodb://db:27017', database: 'chirp_users' });
    expect(config.redis).toEqual({ url: 'redis://cache:6379', keyPrefix: 'chirp:users:', livePrefix: 'chirp:' });
    expect(config.kafka).toEqual({ brokers: ['kafka:9092'], clientId: 'chirp-users', topicPrefix: '' });
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

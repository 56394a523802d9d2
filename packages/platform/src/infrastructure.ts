import { Metrics } from './metrics.js';
import type { Db, MongoClient } from 'mongodb';
import type { Cache } from './cache.js';
import type { VersionedCache } from './versioned-cache.js';
import type { ServiceConfig } from './config.js';
import type { EventBus } from './events.js';
import type { Logger } from './logger.js';
import { RotatingMongo } from './mongo.js';
import { RedisCache } from './adapters/redis-cache.js';
import { createRedisClient, type RedisClient } from './adapters/redis-client.js';
import { InMemoryCache } from './adapters/memory-cache.js';
import { InMemoryVersionedCache } from './adapters/memory-versioned-cache.js';
import { RedisVersionedCache } from './adapters/redis-versioned-cache.js';
import { KafkaEventBus } from './adapters/kafka-event-bus.js';
import { InMemoryEventBus } from './adapters/memory-event-bus.js';
import type { LiveBus } from './live.js';
import { InMemoryLiveBus } from './adapters/memory-live-bus.js';
import { RedisLiveBus } from './adapters/redis-live-bus.js';

/**
 * The servers one service talks to. Each is real when its URL is configured
 * and in-process otherwise; the service's repositories pick their adapter
 * from `mongo` being there or not.
 */
export interface Infrastructure {
  mongo: Db | undefined;
  mongoClient: MongoClient | undefined;
  /** Moves MongoDB to a new URI without a restart (a rotated password); the repositories keep working. */
  rotateMongo(url: string): Promise<void>;
  /** One server or a cluster (REDIS_CLUSTER): see adapters/redis-client.ts. */
  redis: RedisClient | undefined;
  cache: Cache;
  /** Newest-version-wins entries, for caches that reads and writes fill concurrently. */
  versionedCache: VersionedCache;
  bus: EventBus;
  /** Pushes to the gateways' open subscriptions (Redis pub/sub, or in process). */
  live: LiveBus;
  /** What the service measures: `/metrics` for Prometheus, and CloudWatch EMF lines on stdout. */
  metrics: Metrics;
  /** "MongoDB, Redis, Kafka" or which parts are in memory, for the start banner. */
  description: string;
  checkReady(): Promise<void>;
  close(): Promise<void>;
}

export interface SharedInProcess {
  /** One in-process bus for every service in the process, so their events meet. */
  bus?: InMemoryEventBus;
  /** One in-process live bus, so the gateway hears what the subgraphs publish. */
  live?: InMemoryLiveBus;
}

export async function connectInfrastructure(
  config: ServiceConfig,
  logger: Logger,
  shared: SharedInProcess = {},
): Promise<Infrastructure> {
  const mongo = config.mongo ? await RotatingMongo.connect(config.mongo, `chirp-${config.service}`) : undefined;
  const redis = config.redis ? createRedisClient(config.redis, config.redis.keyPrefix) : undefined;
  const cache: Cache = redis ? new RedisCache(redis) : new InMemoryCache();
  const versionedCache: VersionedCache = redis ? new RedisVersionedCache(redis) : new InMemoryVersionedCache();
  const metrics = new Metrics({ service: config.service, emf: config.metricsEmf, logger });
  const bus: EventBus = config.kafka
    ? new KafkaEventBus(config.kafka, logger.child({ component: 'kafka' }), (group, lag) => metrics.record('consumerLag', lag, { group }))
    : (shared.bus ?? new InMemoryEventBus(logger));
  const live = connectLiveBus(config, shared, logger);

  return {
    mongo: mongo?.db,
    get mongoClient() {
      return mongo?.client;
    },
    rotateMongo: async (url) => {
      if (!mongo) throw new Error('this service has no MongoDB to move');
      await mongo.rotate(url);
    },
    redis,
    cache,
    versionedCache,
    bus,
    live,
    metrics,
    description: [
      mongo ? 'MongoDB' : 'in-memory storage',
      redis ? (config.redis?.cluster ? 'Redis Cluster' : 'Redis') : 'in-memory cache',
      config.kafka ? 'Kafka' : 'in-process event bus',
    ].join(', '),
    async checkReady() {
      await Promise.all([mongo?.db.command({ ping: 1 }), cache.ping(), bus.ping(), live.ping()]);
    },
    async close() {
      await metrics.close();
      await bus.close();
      if (live !== shared.live) await live.close();
      await Promise.allSettled([mongo?.close(), redis?.quit()]);
    },
  };
}

/** Redis pub/sub when Redis is configured, else the process's shared in-memory bus. */
export function connectLiveBus(config: ServiceConfig, shared: SharedInProcess = {}, logger?: Logger): LiveBus {
  if (config.redis) return new RedisLiveBus(config.redis, config.redis.livePrefix, logger?.child({ component: 'live' }));
  return shared.live ?? new InMemoryLiveBus();
}

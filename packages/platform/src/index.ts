export * from './auth.js';
export * from './cache.js';
export * from './client-address.js';
export * from './config.js';
export * from './errors.js';
export * from './events.js';
export * from './graphql-errors.js';
export * from './ids.js';
export * from './infrastructure.js';
export * from './lifecycle.js';
export * from './live.js';
export { InMemoryLiveBus } from './adapters/memory-live-bus.js';
export { RedisLiveBus } from './adapters/redis-live-bus.js';
export * from './logger.js';
export * from './mongo.js';
export * from './outbox.js';
export * from './pagination.js';
export * from './rate-limit.js';
export * from './scalars.js';
export * from './server.js';
export * from './text.js';
export * from './topics.js';
export { InMemoryCache } from './adapters/memory-cache.js';
export { InMemoryEventBus } from './adapters/memory-event-bus.js';
export { KafkaEventBus, type KafkaSettings } from './adapters/kafka-event-bus.js';
export { stopKafkajsIdlePolling } from './adapters/kafkajs-idle-fix.js';
export { RedisCache, createRedisClient } from './adapters/redis-cache.js';
export {
  askEachKeysNode,
  connectRedis,
  groupBySlot,
  isCluster,
  mgetAnywhere,
  pipelineByNode,
  pipelineReplies,
  redisClusterSeeds,
  slotOf,
  type RedisClient,
  type RedisConnection,
  type SlotCommands,
} from './adapters/redis-client.js';
export * from './service.js';
export { PendingChanges } from './adapters/memory-pending-changes.js';
export * from './versioned-cache.js';
export * from './workers.js';
export { InMemoryVersionedCache } from './adapters/memory-versioned-cache.js';
export { RedisVersionedCache } from './adapters/redis-versioned-cache.js';
export * from './media/index.js';
export * from './secrets.js';
export * from './metrics.js';
export * from './lambda.js';

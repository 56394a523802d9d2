import { randomBytes } from 'node:crypto';
import { loadConfig, type RedisConnection, type ServiceConfig } from '@chirp/platform';

/**
 * The real servers `npm test` started (or was given): tests of data, cache
 * and event layers run against these, never against mocks.
 */
export interface RealServers {
  mongoUrl: string;
  redisUrl: string;
  kafkaBrokers: string;
}

export function realServers(): RealServers {
  const { MONGODB_URL, REDIS_URL, KAFKA_BROKERS } = process.env;
  if (!MONGODB_URL || !REDIS_URL || !KAFKA_BROKERS) {
    throw new Error('MONGODB_URL, REDIS_URL and KAFKA_BROKERS are not set: run the tests with `npm test`, which starts the servers.');
  }
  return { mongoUrl: MONGODB_URL, redisUrl: REDIS_URL, kafkaBrokers: KAFKA_BROKERS };
}

/**
 * The 3-master Redis Cluster `npm test` started (or was given as
 * REDIS_CLUSTER_URL: its nodes, comma-separated). It refuses what a single
 * server lets pass (CROSSSLOT: a multi-key command, script or pipeline
 * over keys of several slots), so a suite that passes on it is cluster-safe.
 */
export function realRedisCluster(): RedisConnection {
  const { REDIS_CLUSTER_URL } = process.env;
  if (!REDIS_CLUSTER_URL) throw new Error('REDIS_CLUSTER_URL is not set: run the tests with `npm test`, which starts a Redis Cluster.');
  return { url: REDIS_CLUSTER_URL, cluster: true };
}

/** Where the Redis contract suites run: one server, and a cluster (each suite gets one describe per target). */
export const REDIS_TARGETS: ReadonlyArray<{ name: string; connection: () => RedisConnection }> = [
  { name: 'Redis', connection: () => ({ url: realServers().redisUrl, cluster: false }) },
  { name: 'Redis Cluster', connection: realRedisCluster },
];

/** `isolatedEnvironment`, with Redis on the cluster (REDIS_CLUSTER=true). */
export function redisClusterEnvironment(namespace = uniqueName('t')): NodeJS.ProcessEnv {
  return { ...isolatedEnvironment(namespace), REDIS_URL: realRedisCluster().url, REDIS_CLUSTER: 'true' };
}

/**
 * The S3-compatible server `npm test` started (moto), or was given as
 * S3_ENDPOINT. Moto takes any credentials; the AWS SDK still wants some, so
 * test ones are set where none are.
 */
export function realS3(): { endpoint: string; region: string } {
  const { S3_ENDPOINT } = process.env;
  if (!S3_ENDPOINT) throw new Error('S3_ENDPOINT is not set: run the tests with `npm test`, which starts an S3-compatible server (moto).');
  process.env.AWS_ACCESS_KEY_ID ??= 'test';
  process.env.AWS_SECRET_ACCESS_KEY ??= 'test';
  return { endpoint: S3_ENDPOINT, region: 'us-east-1' };
}

/** A bucket name no other test uses (S3's rules: lowercase letters, digits and hyphens). */
export function uniqueBucket(prefix: string): string {
  return uniqueName(prefix).toLowerCase().replace(/[^a-z0-9-]/g, '-');
}

/** A name no other test uses, for databases, key prefixes and topics. */
export function uniqueName(prefix: string): string {
  return `${prefix}_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
}

/** Partitions of each topic a test creates, unless KAFKA_PARTITIONS is set. */
export const TEST_KAFKA_PARTITIONS = 3;

/**
 * The environment of a service under test: on the real servers, in a
 * database, Redis key space and Kafka topic namespace of its own, so test
 * files can run side by side.
 */
export function isolatedEnvironment(namespace = uniqueName('t')): NodeJS.ProcessEnv {
  const servers = realServers();
  return {
    NODE_ENV: 'test',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'error',
    MONGODB_URL: servers.mongoUrl,
    MONGODB_DB_PREFIX: namespace,
    REDIS_URL: servers.redisUrl,
    REDIS_KEY_PREFIX: `${namespace}:`,
    KAFKA_BROKERS: servers.kafkaBrokers,
    KAFKA_TOPIC_PREFIX: `${namespace}.`,
    // A single test broker: fewer partitions than production's default (12) keep it light.
    KAFKA_PARTITIONS: process.env.KAFKA_PARTITIONS ?? String(TEST_KAFKA_PARTITIONS),
    OUTBOX_SWEEP_INTERVAL_MS: '200',
    OUTBOX_GRACE_MS: '1000',
  };
}

/** The same, with every server left out: the in-process adapters. */
export function inMemoryEnvironment(): NodeJS.ProcessEnv {
  return { NODE_ENV: 'test', LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'error' };
}

export function testConfig(service: string, env: NodeJS.ProcessEnv): ServiceConfig {
  return loadConfig(service, 0, env);
}

/** Retries an assertion until it passes or time runs out (for effects that travel through Kafka). */
export async function eventually<T>(
  check: () => Promise<T> | T,
  { timeoutMs = 15_000, intervalMs = 50 }: { timeoutMs?: number; intervalMs?: number } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
  }
}

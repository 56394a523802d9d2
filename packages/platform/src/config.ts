import { createHmac } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { redisClusterSeeds } from './adapters/redis-client.js';
import { SigningKeys } from './auth.js';
import type { RateLimitRule } from './rate-limit.js';

/**
 * Configuration shared by every service, read once from the environment.
 * Each URL is optional: without it the service uses its in-process adapter
 * (the embedded default). Production refuses to start on those, or on the
 * development signing key.
 */
export const DEVELOPMENT_JWT_SECRET = 'chirp-development-secret-do-not-use-in-production';

const optionalUrl = z
  .string()
  .trim()
  .transform((value) => (value === '' ? undefined : value))
  .optional();

/** MongoDB connections a container process may open: it serves many requests at once. */
export const CONTAINER_MONGODB_POOL_SIZE = 50;

const positiveInt = (fallback: number) => z.coerce.number().int().positive().default(fallback);

/**
 * Partitions per topic unless KAFKA_PARTITIONS says otherwise: room for a
 * dozen instances of each consumer group to share every topic (a group's
 * members beyond its partition count sit idle), at little cost to a broker.
 */
export const DEFAULT_KAFKA_PARTITIONS = 12;

const environmentSchema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).optional(),
  HOST: z.string().default('127.0.0.1'),
  PORT: z.coerce.number().int().min(0).max(65535).optional(),
  JWT_SECRET: z.string().default(DEVELOPMENT_JWT_SECRET),
  JWT_SECRET_AWS_SECRET: z.string().optional(),
  MONGODB_URL_AWS_SECRET: z.string().optional(),
  SECRETS_REFRESH_SECONDS: positiveInt(300),
  METRICS_EMF: z.enum(['on', 'off']).optional(),
  JWT_ISSUER: z.string().default('chirp'),
  JWT_TTL_SECONDS: positiveInt(7 * 24 * 3600),
  MONGODB_URL: optionalUrl,
  MONGODB_DB_PREFIX: z.string().default('chirp'),
  MONGODB_MAX_POOL_SIZE: z.coerce.number().int().positive().optional(),
  REDIS_URL: optionalUrl,
  REDIS_KEY_PREFIX: z.string().default('chirp:'),
  /** `true`: REDIS_URL names one or more nodes of a Redis Cluster, comma-separated. */
  REDIS_CLUSTER: z.enum(['true', 'false']).default('false'),
  KAFKA_BROKERS: optionalUrl,
  KAFKA_CLIENT_ID: z.string().optional(),
  KAFKA_TOPIC_PREFIX: z.string().default(''),
  /** Partitions of each topic the services create (an existing topic keeps its count). */
  KAFKA_PARTITIONS: positiveInt(DEFAULT_KAFKA_PARTITIONS),
  /** Copies of each partition for topics the services create; unset: the broker's default.replication.factor. */
  KAFKA_REPLICATION_FACTOR: z.coerce.number().int().positive().optional(),
  OUTBOX_SWEEP_INTERVAL_MS: positiveInt(60_000),
  OUTBOX_GRACE_MS: positiveInt(5000),
  WORKERS: positiveInt(1),
  RATE_LIMITS: z.enum(['strict', 'loose', 'off']).optional(),
  RATE_LIMIT_LOGIN_ACCOUNT: z.string().optional(),
  RATE_LIMIT_LOGIN_ADDRESS: z.string().optional(),
  RATE_LIMIT_SIGNUP: z.string().optional(),
  RATE_LIMIT_POST: z.string().optional(),
  RATE_LIMIT_LIKE: z.string().optional(),
  RATE_LIMIT_FOLLOW: z.string().optional(),
  RATE_LIMIT_UPLOAD: z.string().optional(),
  MEDIA_STORAGE: z.enum(['disk', 's3']).optional(),
  MEDIA_DIR: z.string().optional(),
  MEDIA_BASE_URL: optionalUrl,
  S3_BUCKET: z.string().optional(),
  S3_REGION: z.string().default('us-east-1'),
  S3_ENDPOINT: optionalUrl,
});

export type Environment = z.infer<typeof environmentSchema>;

/** Every variable a service reads (the docker-compose test checks the stack sets only these). */
export const SERVICE_ENVIRONMENT_VARIABLES: readonly string[] = Object.keys(environmentSchema.shape);

export interface ServiceConfig {
  service: string;
  env: Environment['NODE_ENV'];
  isProduction: boolean;
  logLevel: NonNullable<Environment['LOG_LEVEL']>;
  host: string;
  port: number;
  jwt: { secret: string; issuer: string; ttlSeconds: number; keys: SigningKeys };
  /** How often secrets named by `*_AWS_SECRET` are read again (rotation). */
  secretsRefreshMs: number;
  /** Whether metrics are written to stdout in CloudWatch Embedded Metric Format (see metrics.ts). */
  metricsEmf: boolean;
  /** `maxPoolSize`: connections per process (50 in a container, 4 in a Lambda execution environment: see lambda.ts). */
  mongo: { url: string; database: string; maxPoolSize: number } | undefined;
  /** `keyPrefix` scopes this service's keys; `livePrefix` is shared by every service and gateway (live channels). */
  redis: { url: string; cluster: boolean; keyPrefix: string; livePrefix: string } | undefined;
  /**
   * `partitions` and `replicationFactor` (undefined: the broker's default)
   * apply to the topics a service creates; events are keyed by entity, so
   * each entity's events stay in order on one partition.
   */
  kafka: { brokers: string[]; clientId: string; topicPrefix: string; partitions: number; replicationFactor: number | undefined } | undefined;
  outbox: { sweepIntervalMs: number; graceMs: number };
  /** Worker processes of this instance (node:cluster), one per core it is given; 1 runs in this process. */
  workers: number;
  /** Each limit's rule; null when it is turned off. */
  rateLimits: RateLimitRules;
  /** Signing with the development key (development only: production refuses it). */
  usesDevelopmentKey: boolean;
  /** Where avatars and banners are stored. */
  media: MediaStorageConfig;
}

/**
 * Media storage: an S3 bucket (`S3_BUCKET`; `MEDIA_BASE_URL` is the CDN in
 * front of it), or a local directory served by the gateway (the default
 * without a bucket; `MEDIA_BASE_URL` is the gateway's public origin, and
 * every process using the directory must see the same one).
 */
export type MediaStorageConfig =
  | { kind: 'disk'; dir: string; baseUrl: string; signingKey: string }
  | { kind: 's3'; bucket: string; region: string; endpoint: string | undefined; publicBaseUrl: string };

/** The gateway's port, where the disk adapter's files are served unless MEDIA_BASE_URL says otherwise. */
const DEFAULT_GATEWAY_ORIGIN = 'http://localhost:4000';

/**
 * The rate limits, each counted per key:
 * - `loginAccount`: log-in attempts per email that were not right (a right
 *   password gives its point back); counted before the password is checked,
 *   so concurrent attempts cannot all be checked. Short, so a stranger
 *   cannot lock an owner out for long.
 * - `loginAddress`: the same per client address, across accounts, with a
 *   block: the same stranger is stopped for an hour.
 * - `signUp`: sign-ups per client address.
 * - `post`, `like`, `follow`: writes per user (postTweet; likeTweet and
 *   unlikeTweet; follow and unfollow).
 * - `upload`: upload forms per user (createMediaUpload); each one costs a
 *   decode and a resize when it is used.
 */
export const RATE_LIMIT_NAMES = ['loginAccount', 'loginAddress', 'signUp', 'post', 'like', 'follow', 'upload'] as const;
export type RateLimitName = (typeof RATE_LIMIT_NAMES)[number];
export type RateLimitRules = Record<RateLimitName, RateLimitRule | null>;

const RATE_LIMIT_VARIABLES = {
  loginAccount: 'RATE_LIMIT_LOGIN_ACCOUNT',
  loginAddress: 'RATE_LIMIT_LOGIN_ADDRESS',
  signUp: 'RATE_LIMIT_SIGNUP',
  post: 'RATE_LIMIT_POST',
  like: 'RATE_LIMIT_LIKE',
  follow: 'RATE_LIMIT_FOLLOW',
  upload: 'RATE_LIMIT_UPLOAD',
} as const satisfies Record<RateLimitName, keyof Environment>;

/** The production limits (`RATE_LIMITS=strict`, the default in production). */
export const STRICT_RATE_LIMITS: Readonly<Record<RateLimitName, RateLimitRule>> = {
  loginAccount: { points: 10, durationSeconds: 5 * 60 },
  loginAddress: { points: 30, durationSeconds: 3600, blockSeconds: 3600 },
  signUp: { points: 10, durationSeconds: 3600 },
  post: { points: 50, durationSeconds: 15 * 60 },
  like: { points: 200, durationSeconds: 15 * 60 },
  follow: { points: 100, durationSeconds: 15 * 60 },
  upload: { points: 30, durationSeconds: 3600 },
};

/** The log-in limits stay on whatever RATE_LIMITS says: they protect passwords, not capacity. */
const ALWAYS_ON: ReadonlySet<RateLimitName> = new Set(['loginAccount', 'loginAddress']);
/** `loose` (the default outside production: demos, tests from one address) multiplies the others by this. */
const LOOSE_FACTOR = 100;

export class ConfigurationError extends Error {}

export type Server = 'MONGODB_URL' | 'REDIS_URL' | 'KAFKA_BROKERS';
const ALL_SERVERS: readonly Server[] = ['MONGODB_URL', 'REDIS_URL', 'KAFKA_BROKERS'];

/**
 * Reads and checks the environment for one service. `requiredInProduction`
 * names the servers the service cannot run without in production (the
 * gateway, which talks only to subgraphs, needs none).
 */
export function loadConfig(
  service: string,
  defaultPort: number,
  source: NodeJS.ProcessEnv = process.env,
  requiredInProduction: readonly Server[] = ALL_SERVERS,
): ServiceConfig {
  const parsed = environmentSchema.safeParse(source);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    throw new ConfigurationError(`Invalid configuration: ${problems.join('; ')}`);
  }
  const env = parsed.data;
  const config: ServiceConfig = {
    service,
    env: env.NODE_ENV,
    isProduction: env.NODE_ENV === 'production',
    logLevel: env.LOG_LEVEL ?? (env.NODE_ENV === 'test' ? 'warn' : 'info'),
    host: env.HOST,
    port: env.PORT ?? defaultPort,
    jwt: { secret: env.JWT_SECRET, issuer: env.JWT_ISSUER, ttlSeconds: env.JWT_TTL_SECONDS, keys: new SigningKeys(env.JWT_SECRET) },
    secretsRefreshMs: env.SECRETS_REFRESH_SECONDS * 1000,
    metricsEmf: (env.METRICS_EMF ?? (env.NODE_ENV === 'production' ? 'on' : 'off')) === 'on',
    mongo: env.MONGODB_URL
      ? { url: env.MONGODB_URL, database: `${env.MONGODB_DB_PREFIX}_${service}`, maxPoolSize: env.MONGODB_MAX_POOL_SIZE ?? CONTAINER_MONGODB_POOL_SIZE }
      : undefined,
    redis: env.REDIS_URL ? loadRedisConfig(env, env.REDIS_URL, service) : undefined,
    kafka: env.KAFKA_BROKERS
      ? {
          brokers: env.KAFKA_BROKERS.split(',').map((broker) => broker.trim()).filter(Boolean),
          clientId: env.KAFKA_CLIENT_ID ?? `chirp-${service}`,
          topicPrefix: env.KAFKA_TOPIC_PREFIX,
          partitions: env.KAFKA_PARTITIONS,
          replicationFactor: env.KAFKA_REPLICATION_FACTOR,
        }
      : undefined,
    outbox: { sweepIntervalMs: env.OUTBOX_SWEEP_INTERVAL_MS, graceMs: env.OUTBOX_GRACE_MS },
    workers: env.WORKERS,
    rateLimits: loadRateLimits(env),
    usesDevelopmentKey: env.JWT_SECRET === DEVELOPMENT_JWT_SECRET,
    media: loadMediaConfig(env),
  };
  if (config.isProduction) assertProductionReady(config, requiredInProduction);
  return config;
}

function assertProductionReady(config: ServiceConfig, required: readonly Server[]): void {
  if (config.jwt.secret === DEVELOPMENT_JWT_SECRET || config.jwt.secret.length < 32) {
    throw new ConfigurationError(
      'JWT_SECRET must be set to a secret of at least 32 characters in production (the development key is refused).',
    );
  }
  const configured: Record<Server, unknown> = { MONGODB_URL: config.mongo, REDIS_URL: config.redis, KAFKA_BROKERS: config.kafka };
  const missing = required.filter((name) => !configured[name]);
  if (missing.length > 0) {
    throw new ConfigurationError(
      `Production needs real servers; in-memory adapters are for development only. Missing: ${missing.join(', ')}.`,
    );
  }
}

/**
 * One server, or with REDIS_CLUSTER=true a Redis Cluster whose nodes
 * REDIS_URL names (one is enough: the client learns the rest). On a cluster
 * the keys that meet in one script carry a hash tag (`{<userId>}`), which a
 * brace in the prefix would override.
 */
function loadRedisConfig(env: Environment, url: string, service: string): NonNullable<ServiceConfig['redis']> {
  const cluster = env.REDIS_CLUSTER === 'true';
  if (cluster) {
    try {
      redisClusterSeeds(url);
    } catch (error) {
      throw new ConfigurationError(`Invalid configuration: REDIS_URL: ${(error as Error).message}.`);
    }
    if (/[{}]/.test(env.REDIS_KEY_PREFIX)) {
      throw new ConfigurationError('Invalid configuration: REDIS_KEY_PREFIX cannot hold { or } on a Redis Cluster: it would take the place of the keys\' hash tags.');
    }
  } else if (url.includes(',')) {
    throw new ConfigurationError('Invalid configuration: REDIS_URL names several servers; set REDIS_CLUSTER=true for a Redis Cluster.');
  }
  return { url, cluster, keyPrefix: `${env.REDIS_KEY_PREFIX}${service}:`, livePrefix: env.REDIS_KEY_PREFIX };
}

function loadMediaConfig(env: Environment): MediaStorageConfig {
  const kind = env.MEDIA_STORAGE ?? (env.S3_BUCKET ? 's3' : 'disk');
  const baseUrl = env.MEDIA_BASE_URL?.replace(/\/+$/, '');
  if (kind === 'disk') {
    // The upload forms are signed with a key derived from the token key: one secret fewer to share.
    const signingKey = createHmac('sha256', env.JWT_SECRET).update('chirp media upload policies').digest('hex');
    return { kind, dir: env.MEDIA_DIR ?? path.join(os.tmpdir(), 'chirp-media'), baseUrl: baseUrl ?? DEFAULT_GATEWAY_ORIGIN, signingKey };
  }
  if (!env.S3_BUCKET) throw new ConfigurationError('Invalid configuration: MEDIA_STORAGE=s3 needs S3_BUCKET.');
  const endpoint = env.S3_ENDPOINT?.replace(/\/+$/, '');
  const direct = endpoint ? `${endpoint}/${env.S3_BUCKET}` : `https://${env.S3_BUCKET}.s3.${env.S3_REGION}.amazonaws.com`;
  return { kind, bucket: env.S3_BUCKET, region: env.S3_REGION, endpoint, publicBaseUrl: baseUrl ?? direct };
}

/** Each limit from RATE_LIMITS (strict, loose or off), then its own variable where set. */
function loadRateLimits(env: Environment): RateLimitRules {
  const level = env.RATE_LIMITS ?? (env.NODE_ENV === 'production' ? 'strict' : 'loose');
  const rules = {} as RateLimitRules;
  for (const name of RATE_LIMIT_NAMES) {
    const strict = STRICT_RATE_LIMITS[name];
    const byLevel = ALWAYS_ON.has(name) || level === 'strict' ? strict : level === 'off' ? null : { ...strict, points: strict.points * LOOSE_FACTOR };
    const variable = RATE_LIMIT_VARIABLES[name];
    const raw = env[variable]?.trim();
    rules[name] = raw ? parseRateLimit(variable, raw, !ALWAYS_ON.has(name)) : byLevel;
  }
  return rules;
}

/** `<points>/<seconds>` or `<points>/<seconds>/<block seconds>`, or `off` where a limit may be turned off. */
function parseRateLimit(variable: string, raw: string, mayBeOff: boolean): RateLimitRule | null {
  if (raw === 'off') {
    if (mayBeOff) return null;
    throw new ConfigurationError(`Invalid configuration: ${variable} cannot be off (the log-in limits stay on); raise it instead.`);
  }
  const match = /^(\d+)\/(\d+)(?:\/(\d+))?$/.exec(raw);
  const [points, durationSeconds, blockSeconds] = (match?.slice(1) ?? []).map((part) => (part === undefined ? undefined : Number(part)));
  if (!points || !durationSeconds) {
    throw new ConfigurationError(
      `Invalid configuration: ${variable} must be <points>/<seconds>[/<block seconds>], such as 10/300${mayBeOff ? ', or off' : ''} (got "${raw}").`,
    );
  }
  return blockSeconds ? { points, durationSeconds, blockSeconds } : { points, durationSeconds };
}

/**
 * Loud, because anyone who knows the public development key can sign a
 * token for any user of a service that accepts it. The embedded default
 * (`npm start`) signs with a random key of its own instead; separate
 * processes need one key they share, so they fall back to this one.
 */
export function warnAboutDevelopmentKey(config: ServiceConfig, logger: { warn(message: string): void }): void {
  if (!config.usesDevelopmentKey || config.env === 'test') return;
  logger.warn(
    `JWT_SECRET is not set: ${config.service} signs and accepts tokens with the PUBLIC development key, so anyone who can reach it can act as any user. ` +
      'Set JWT_SECRET (the same value for the gateway and every subgraph) to a random secret of at least 32 characters.',
  );
}

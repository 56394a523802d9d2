import { z } from 'zod';

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

const positiveInt = (fallback: number) => z.coerce.number().int().positive().default(fallback);

const environmentSchema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).optional(),
  HOST: z.string().default('127.0.0.1'),
  PORT: z.coerce.number().int().min(0).max(65535).optional(),
  JWT_SECRET: z.string().default(DEVELOPMENT_JWT_SECRET),
  JWT_ISSUER: z.string().default('chirp'),
  JWT_TTL_SECONDS: positiveInt(7 * 24 * 3600),
  MONGODB_URL: optionalUrl,
  MONGODB_DB_PREFIX: z.string().default('chirp'),
  REDIS_URL: optionalUrl,
  REDIS_KEY_PREFIX: z.string().default('chirp:'),
  KAFKA_BROKERS: optionalUrl,
  KAFKA_CLIENT_ID: z.string().optional(),
  KAFKA_TOPIC_PREFIX: z.string().default(''),
  OUTBOX_SWEEP_INTERVAL_MS: positiveInt(2000),
  OUTBOX_GRACE_MS: positiveInt(5000),
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
  jwt: { secret: string; issuer: string; ttlSeconds: number };
  mongo: { url: string; database: string } | undefined;
  /** `keyPrefix` scopes this service's keys; `livePrefix` is shared by every service and gateway (live channels). */
  redis: { url: string; keyPrefix: string; livePrefix: string } | undefined;
  kafka: { brokers: string[]; clientId: string; topicPrefix: string } | undefined;
  outbox: { sweepIntervalMs: number; graceMs: number };
}

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
    jwt: { secret: env.JWT_SECRET, issuer: env.JWT_ISSUER, ttlSeconds: env.JWT_TTL_SECONDS },
    mongo: env.MONGODB_URL
      ? { url: env.MONGODB_URL, database: `${env.MONGODB_DB_PREFIX}_${service}` }
      : undefined,
    redis: env.REDIS_URL
      ? { url: env.REDIS_URL, keyPrefix: `${env.REDIS_KEY_PREFIX}${service}:`, livePrefix: env.REDIS_KEY_PREFIX }
      : undefined,
    kafka: env.KAFKA_BROKERS
      ? {
          brokers: env.KAFKA_BROKERS.split(',').map((broker) => broker.trim()).filter(Boolean),
          clientId: env.KAFKA_CLIENT_ID ?? `chirp-${service}`,
          topicPrefix: env.KAFKA_TOPIC_PREFIX,
        }
      : undefined,
    outbox: { sweepIntervalMs: env.OUTBOX_SWEEP_INTERVAL_MS, graceMs: env.OUTBOX_GRACE_MS },
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

import { loadConfig, warnAboutDevelopmentKey, type ServiceConfig } from './config.js';
import { connectInfrastructure, type Infrastructure } from './infrastructure.js';
import { stopOnSignals } from './lifecycle.js';
import { createLogger, type Logger } from './logger.js';
import { resolveSecrets, watchSecrets } from './secrets.js';
import { runInWorkers } from './workers.js';
import type { EventBus, EventSubscription } from './events.js';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper/resolverMap.js';
import type { DocumentNode } from 'graphql';
import { TokenService, type Viewer } from './auth.js';
import { startSubgraphServer, type RequestOrigin, type RunningServer } from './server.js';

/** What every subgraph package exports, so one process or many can run it the same way. */
export interface SubgraphApp {
  name: string;
  /** What it answers, for the entry point that serves it: its own HTTP server (`start`), or a Lambda handler (lambda.ts). */
  graph: ServedGraph;
  /** Starts its background work (consumers, sweepers) and its HTTP server. */
  start(): Promise<RunningServer>;
  /** Subscribes its event consumers to `bus` (what `start` does with the process's bus; a Kafka Lambda handler, with its own). */
  startConsumers?(bus: EventBus): Promise<EventSubscription[]>;
  /** Its periodic work, once (what `start` schedules: the outbox sweep, and the like); how many items it settled. A scheduled Lambda runs it. */
  sweep?(): Promise<number>;
  /** Stops the server, consumers and background work (not the shared infrastructure). */
  stop(): Promise<void>;
}

export interface SubgraphAppOptions {
  config: ServiceConfig;
  logger: Logger;
  infra: Infrastructure;
}

export type SubgraphFactory = (options: SubgraphAppOptions) => Promise<SubgraphApp>;

/** The production shape: one subgraph in its own process, configured from the environment. */
export async function runSubgraphProcess(service: string, defaultPort: number, factory: SubgraphFactory): Promise<void> {
  const env = await resolveSecrets(process.env);
  const config = loadConfig(service, defaultPort, env);
  const logger = createLogger(service, config.logLevel);
  await runInWorkers(config.workers, logger, async () => {
    warnAboutDevelopmentKey(config, logger);
    const infra = await connectInfrastructure(config, logger);
    const secrets = followSecretRotations(env, config, logger, infra);
    logger.info(`${service} uses ${infra.description}`);
    const app = await factory({ config, logger, infra });
    await app.start();
    stopOnSignals(logger, async () => {
      secrets.stop();
      await app.stop();
      await infra.close();
    });
  });
}

/**
 * Reads the secrets named in the environment again from time to time: a
 * rotated signing key is taken at once (tokens signed with the one before
 * stay valid); a rotated MongoDB URI is connected to, and used from then
 * on, without a restart (the gateway has none).
 */
export function followSecretRotations(
  env: NodeJS.ProcessEnv,
  config: ServiceConfig,
  logger: Logger,
  infra?: Pick<Infrastructure, 'rotateMongo'>,
): { stop(): void } {
  return watchSecrets(process.env, env, {
    intervalMs: config.secretsRefreshMs,
    logger,
    onChange: async (variable, value) => {
      if (variable === 'JWT_SECRET') {
        config.jwt.keys.rotate(value);
        config.jwt.secret = value;
      } else if (infra) {
        await infra.rotateMongo(value);
        logger.info('MongoDB: moved to the rotated URI');
      }
    },
  });
}

/** A subgraph's graph, its context type left to it: only its own resolvers read what its createContext makes. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- each subgraph's context type is its own; the servers are generic over it
export type ServedGraph = SubgraphGraph<any>;

export interface SubgraphGraph<Context> {
  name: string;
  typeDefs: DocumentNode;
  resolvers: GraphQLResolverMap<Context>;
  createContext: (viewer: Viewer | null, origin: RequestOrigin) => Context;
  /** The service's own TokenService, when it issues tokens too; one is made otherwise. */
  tokens?: TokenService;
}

/** Serves a subgraph the way every Chirp subgraph is served, from its app options. */
export function serveSubgraph<Context extends object>(
  { config, logger, infra }: SubgraphAppOptions,
  graph: SubgraphGraph<Context>,
): Promise<RunningServer> {
  return startSubgraphServer<Context>({
    name: graph.name,
    host: config.host,
    port: config.port,
    logger,
    typeDefs: graph.typeDefs,
    resolvers: graph.resolvers,
    tokens: graph.tokens ?? new TokenService(config.jwt),
    exposeInternals: config.env === 'development',
    checkReady: () => infra.checkReady(),
    createContext: graph.createContext,
    metrics: infra.metrics,
  });
}

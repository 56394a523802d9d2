import { loadConfig, warnAboutDevelopmentKey, type ServiceConfig } from './config.js';
import { connectInfrastructure, type Infrastructure } from './infrastructure.js';
import { stopOnSignals } from './lifecycle.js';
import { createLogger, type Logger } from './logger.js';
import { runInWorkers } from './workers.js';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper/resolverMap.js';
import type { DocumentNode } from 'graphql';
import { TokenService, type Viewer } from './auth.js';
import { startSubgraphServer, type RequestOrigin, type RunningServer } from './server.js';

/** What every subgraph package exports, so one process or many can run it the same way. */
export interface SubgraphApp {
  name: string;
  start(): Promise<RunningServer>;
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
  const config = loadConfig(service, defaultPort);
  const logger = createLogger(service, config.logLevel);
  await runInWorkers(config.workers, logger, async () => {
    warnAboutDevelopmentKey(config, logger);
    const infra = await connectInfrastructure(config, logger);
    logger.info(`${service} uses ${infra.description}`);
    const app = await factory({ config, logger, infra });
    await app.start();
    stopOnSignals(logger, async () => {
      await app.stop();
      await infra.close();
    });
  });
}

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
  });
}

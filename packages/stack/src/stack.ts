import { readFileSync } from 'node:fs';
import {
  InMemoryEventBus,
  TokenService,
  connectInfrastructure,
  createLogger,
  loadConfig,
  type Infrastructure,
  type Logger,
  type SubgraphApp,
  type SubgraphFactory,
} from '@chirp/platform';
import { loadGatewayConfig, startGateway, type SubgraphName } from '@chirp/gateway';
import { createUsersSubgraph } from '@chirp/users';
import { createTweetsSubgraph } from '@chirp/tweets';
import { createTimelineSubgraph } from '@chirp/timeline';
import { createNotificationsSubgraph } from '@chirp/notifications';

const FACTORIES: Record<SubgraphName, SubgraphFactory> = {
  users: createUsersSubgraph,
  tweets: createTweetsSubgraph,
  timeline: createTimelineSubgraph,
  notifications: createNotificationsSubgraph,
};

export interface RunningStack {
  /** The gateway's GraphQL endpoint. */
  url: string;
  port: number;
  /** Each subgraph's own connections, for tests that look behind the API. */
  infrastructure: Record<SubgraphName, Infrastructure>;
  subgraphUrls: Record<SubgraphName, string>;
  /** A one-line account of where data lives. */
  description: string;
  inMemory: boolean;
  stop(): Promise<void>;
}

/**
 * Runs the gateway and the four subgraphs in this process. Every subgraph
 * still has its own HTTP server (on a free loopback port), its own database
 * and Redis key space, exactly as when each runs alone; only the in-process
 * event bus is shared, standing in for Kafka when no brokers are configured.
 */
export async function startStack(env: NodeJS.ProcessEnv = process.env): Promise<RunningStack> {
  const gatewayConfig = loadGatewayConfig(env);
  const logger = createLogger('chirp', gatewayConfig.logLevel);
  const sharedBus = new InMemoryEventBus(logger);
  const infrastructure = {} as Record<SubgraphName, Infrastructure>;
  const apps: SubgraphApp[] = [];
  const subgraphUrls = {} as Record<SubgraphName, string>;

  for (const [name, factory] of Object.entries(FACTORIES) as Array<[SubgraphName, SubgraphFactory]>) {
    // Subgraphs listen on free loopback ports; PORT and HOST are the gateway's.
    const config = loadConfig(name, 0, { ...env, PORT: '0', HOST: '127.0.0.1' });
    const serviceLogger = logger.child({ service: name });
    const infra = await connectInfrastructure(config, serviceLogger, { bus: sharedBus });
    infrastructure[name] = infra;
    const app = await factory({ config, logger: serviceLogger, infra });
    apps.push(app);
    subgraphUrls[name] = (await app.start()).url;
  }

  const gateway = await startGateway({
    supergraphSdl: readFileSync(gatewayConfig.supergraphPath, 'utf8'),
    subgraphUrls,
    host: gatewayConfig.host,
    port: gatewayConfig.port,
    logger: logger.child({ service: 'gateway' }),
    tokens: new TokenService(gatewayConfig.jwt),
    exposeInternals: gatewayConfig.env === 'development',
  });

  return {
    url: gateway.url,
    port: gateway.port,
    infrastructure,
    subgraphUrls,
    description: infrastructure.users.description,
    inMemory: !gatewayConfig.mongo || !gatewayConfig.redis || !gatewayConfig.kafka,
    async stop() {
      await gateway.close();
      for (const app of apps.reverse()) await app.stop();
      await Promise.all(Object.values(infrastructure).map((infra) => infra.close()));
      await sharedBus.close();
    },
  };
}

export function describeStart(stack: RunningStack, logger: Logger): void {
  logger.info(`Chirp supergraph ready at ${stack.url} (explorer: open it in a browser)`);
  logger.info(`Data: ${stack.description}.`);
  if (stack.inMemory) {
    logger.warn(
      'Some data lives in memory and is lost when this process stops. Set MONGODB_URL, REDIS_URL and KAFKA_BROKERS to use real servers.',
    );
  }
}

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

export interface StackOptions {
  /** Replaces how a subgraph is built (tests inject faults this way). */
  factories?: Partial<Record<SubgraphName, SubgraphFactory>>;
}

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
  /** Stops one subgraph, as a crash or a deploy would; its infrastructure stays. */
  stopSubgraph(name: SubgraphName): Promise<void>;
  /** Starts a stopped subgraph again, on the same port, as a fresh instance. */
  startSubgraph(name: SubgraphName): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Runs the gateway and the four subgraphs in this process. Every subgraph
 * still has its own HTTP server (on a free loopback port), its own database
 * and Redis key space, exactly as when each runs alone; only the in-process
 * event bus is shared, standing in for Kafka when no brokers are configured.
 */
export async function startStack(env: NodeJS.ProcessEnv = process.env, options: StackOptions = {}): Promise<RunningStack> {
  const gatewayConfig = loadGatewayConfig(env);
  const logger = createLogger('chirp', gatewayConfig.logLevel);
  const sharedBus = new InMemoryEventBus(logger);
  const infrastructure = {} as Record<SubgraphName, Infrastructure>;
  const apps = new Map<SubgraphName, SubgraphApp>();
  const subgraphUrls = {} as Record<SubgraphName, string>;
  const ports = new Map<SubgraphName, number>();
  const factories = { ...FACTORIES, ...options.factories };

  /** Subgraphs listen on loopback, on a free port the first time; PORT and HOST are the gateway's. */
  const startSubgraph = async (name: SubgraphName) => {
    const config = loadConfig(name, 0, { ...env, PORT: String(ports.get(name) ?? 0), HOST: '127.0.0.1' });
    const serviceLogger = logger.child({ service: name });
    infrastructure[name] ??= await connectInfrastructure(config, serviceLogger, { bus: sharedBus });
    const app = await factories[name]({ config, logger: serviceLogger, infra: infrastructure[name] });
    const server = await app.start();
    apps.set(name, app);
    ports.set(name, server.port);
    subgraphUrls[name] = server.url;
  };
  for (const name of Object.keys(FACTORIES) as SubgraphName[]) await startSubgraph(name);

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
    startSubgraph,
    async stopSubgraph(name) {
      await apps.get(name)?.stop();
      apps.delete(name);
    },
    async stop() {
      await gateway.close();
      for (const app of [...apps.values()].reverse()) await app.stop();
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

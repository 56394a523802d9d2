import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import {
  InMemoryEventBus,
  InMemoryLiveBus,
  connectLiveBus,
  connectInfrastructure,
  createLogger,
  loadConfig,
  type Infrastructure,
  type LiveBus,
  type Logger,
  type SubgraphApp,
  type SubgraphFactory,
  type TokenSettings,
} from '@chirp/platform';
import { gatewayOptionsFrom, loadGatewayConfig, startGateway, type RunningGateway, type SubgraphName } from '@chirp/gateway';
import { FACTORIES } from './factories.js';


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
  /** The key and settings this stack's tokens are signed with, for tests that make tokens of their own. */
  jwt: TokenSettings;
  /** The first gateway (the one at `url`), with its live edge's figures. */
  gateway: RunningGateway;
  /**
   * Starts another gateway replica over the same subgraphs, with its own
   * live connection: on a free port, or on `port` (the first's, once it is
   * closed, for a test of clients through a gateway restart).
   */
  startGateway(port?: number): Promise<RunningGateway>;
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
 * buses are shared, standing in for Kafka and Redis pub/sub when those are
 * not configured.
 */
export async function startStack(given: NodeJS.ProcessEnv = process.env, options: StackOptions = {}): Promise<RunningStack> {
  const media = await withLocalMedia(withSigningKey(given));
  const env = media.env;
  const gatewayConfig = loadGatewayConfig(env);
  const logger = createLogger('chirp', gatewayConfig.logLevel);
  const sharedBus = new InMemoryEventBus(logger);
  const sharedLive = new InMemoryLiveBus();
  const infrastructure = {} as Record<SubgraphName, Infrastructure>;
  const apps = new Map<SubgraphName, SubgraphApp>();
  const subgraphUrls = {} as Record<SubgraphName, string>;
  const ports = new Map<SubgraphName, number>();
  const factories = { ...FACTORIES, ...options.factories };

  /** Subgraphs listen on loopback, on a free port the first time; PORT and HOST are the gateway's. */
  const startSubgraph = async (name: SubgraphName) => {
    const config = loadConfig(name, 0, { ...env, PORT: String(ports.get(name) ?? 0), HOST: '127.0.0.1' });
    // Each service logs under its own name, as when it runs alone (one `service` key a line).
    const serviceLogger = createLogger(name, gatewayConfig.logLevel);
    infrastructure[name] ??= await connectInfrastructure(config, serviceLogger, { bus: sharedBus, live: sharedLive });
    const app = await factories[name]({ config, logger: serviceLogger, infra: infrastructure[name] });
    apps.set(name, app); // before start, so a start that fails half-way is stopped too
    const server = await app.start();
    ports.set(name, server.port);
    subgraphUrls[name] = server.url;
  };

  const gateways: Array<{ server: RunningGateway; live: LiveBus }> = [];
  /** A gateway over the running subgraphs, with its own live connection, as each replica has. */
  const startGatewayInstance = async (port: number) => {
    // Over Redis when configured, else the process's in-process bus.
    const gatewayLogger = createLogger('gateway', gatewayConfig.logLevel).child({ instance: gateways.length + 1 });
    const live = connectLiveBus(gatewayConfig, { live: sharedLive }, gatewayLogger);
    const server = await startGateway(gatewayOptionsFrom(gatewayConfig, { logger: gatewayLogger, live, subgraphUrls, port }));
    gateways.push({ server, live });
    return server;
  };
  const stopAll = async () => {
    for (const instance of gateways) await instance.server.close();
    for (const app of [...apps.values()].reverse()) await app.stop();
    await Promise.all(Object.values(infrastructure).map((infra) => infra.close()));
    await sharedBus.close();
    for (const instance of gateways) if (instance.live !== sharedLive) await instance.live.close();
    await sharedLive.close();
    await media.cleanUp();
  };

  let gateway: RunningGateway;
  try {
    for (const name of Object.keys(FACTORIES) as SubgraphName[]) await startSubgraph(name);
    gateway = await startGatewayInstance(gatewayConfig.port);
  } catch (error) {
    // Whatever did start stops again: a failed start leaves no server or consumer behind.
    await stopAll().catch(() => undefined);
    throw error;
  }

  return {
    url: gateway.url,
    port: gateway.port,
    infrastructure,
    subgraphUrls,
    description: infrastructure.users.description,
    inMemory: !gatewayConfig.mongo || !gatewayConfig.redis || !gatewayConfig.kafka,
    jwt: gatewayConfig.jwt,
    gateway,
    startGateway: (port = 0) => startGatewayInstance(port),
    startSubgraph,
    async stopSubgraph(name) {
      await apps.get(name)?.stop();
      apps.delete(name);
    },
    stop: stopAll,
  };
}

/**
 * Every service of the stack runs in this process, so they can share a key
 * no one else knows: without JWT_SECRET, a random one per start, rather
 * than the public development key, which would let anyone who reaches the
 * embedded default sign a token for any user. Its tokens end with the
 * process (log in again after a restart); set JWT_SECRET to keep them.
 */
/**
 * Media on disk (no S3 bucket given): the gateway serves it, so its public
 * URL must be known before the subgraphs start. With PORT 0 (tests) a free
 * port is taken now for the gateway; without MEDIA_DIR the files go to a
 * temporary directory removed at stop, like the rest of the in-memory data.
 */
async function withLocalMedia(env: NodeJS.ProcessEnv): Promise<{ env: NodeJS.ProcessEnv; cleanUp: () => Promise<void> }> {
  if (env.S3_BUCKET?.trim() || env.MEDIA_STORAGE === 's3') return { env, cleanUp: async () => undefined };
  const local: NodeJS.ProcessEnv = { ...env };
  let temporary: string | undefined;
  if (!local.MEDIA_DIR?.trim()) local.MEDIA_DIR = temporary = await mkdtemp(path.join(os.tmpdir(), 'chirp-media-'));
  if (!local.MEDIA_BASE_URL?.trim()) {
    const port = Number(local.PORT ?? 4000) || (await freePort());
    local.PORT = String(port);
    local.MEDIA_BASE_URL = `http://localhost:${port}`;
  }
  return { env: local, cleanUp: async () => (temporary ? rm(temporary, { recursive: true, force: true }) : undefined) };
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

function withSigningKey(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  if (env.JWT_SECRET?.trim()) return env;
  return { ...env, JWT_SECRET: randomBytes(32).toString('base64url') };
}

export function describeStart(stack: RunningStack, logger: Logger): void {
  logger.info(`Chirp supergraph ready at ${stack.url} (explorer: open it in a browser)`);
  logger.info(`Web client at ${new URL('/', stack.url.replace('127.0.0.1', 'localhost')).href}`);
  logger.info(`Data: ${stack.description}.`);
  if (stack.inMemory) {
    logger.warn(
      'Some data lives in memory and is lost when this process stops. Set MONGODB_URL, REDIS_URL and KAFKA_BROKERS to use real servers.',
    );
  }
}

export { FACTORIES } from './factories.js';
export { startReplicatedStack, startRoundRobin, type ReplicatedStack, type ReplicatedStackOptions, type RoundRobin } from './replicas.js';

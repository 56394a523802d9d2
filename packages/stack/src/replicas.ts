import http from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  connectInfrastructure,
  connectLiveBus,
  createLogger,
  loadConfig,
  type Infrastructure,
  type LiveBus,
  type SubgraphApp,
} from '@chirp/platform';
import { SUBGRAPH_NAMES, gatewayOptionsFrom, loadGatewayConfig, startGateway, type RunningGateway, type SubgraphName } from '@chirp/gateway';
import { FACTORIES } from './factories.js';

/**
 * Round robin over copies of one HTTP service, on loopback: each request to
 * the next copy, as a Kubernetes Service or a load balancer spreads them.
 * HTTP only (the subgraphs'): the live edge's WebSockets go to a gateway
 * directly.
 */
export interface RoundRobin {
  url: string;
  close(): Promise<void>;
}

export async function startRoundRobin(targets: readonly string[]): Promise<RoundRobin> {
  const agent = new http.Agent({ keepAlive: true });
  const origins = targets.map((target) => new URL(target));
  let next = 0;
  const server = http.createServer((request, response) => {
    const target = origins[next++ % origins.length]!;
    const forwarded = http.request(
      { host: target.hostname, port: target.port, path: request.url, method: request.method, headers: request.headers, agent },
      (answer) => {
        response.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(response);
      },
    );
    forwarded.on('error', () => {
      if (!response.headersSent) response.writeHead(502, { 'content-type': 'text/plain' });
      response.end('the replica did not answer');
    });
    request.pipe(forwarded);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const path = origins[0]?.pathname ?? '/';
  return {
    url: `http://127.0.0.1:${port}${path}`,
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      agent.destroy();
    },
  };
}

export interface ReplicatedStackOptions {
  /** Copies of every subgraph, each with its own connections and consumers (at least 1). */
  subgraphReplicas: number;
  /** Gateways over the subgraphs' round robins, each with its own live connection. */
  gateways: number;
}

export interface ReplicatedStack {
  gateways: RunningGateway[];
  /** Each subgraph's round robin over its copies. */
  subgraphUrls: Record<SubgraphName, string>;
  /** Every copy's connections, by subgraph. */
  infrastructure: Record<SubgraphName, Infrastructure[]>;
  stop(): Promise<void>;
}

/**
 * The production shape on one machine: several copies of every subgraph
 * and several gateways, sharing nothing but the real servers (MongoDB,
 * Redis, Kafka: their URLs must be set), each copy with its own
 * connections and consumer instances (one consumer group per subgraph's
 * group, its partitions shared among the copies), each gateway with its
 * own live connection. Unlike `startStack`, no in-process bus stands in:
 * what the copies share, they share through the servers.
 */
export async function startReplicatedStack(env: NodeJS.ProcessEnv, options: ReplicatedStackOptions): Promise<ReplicatedStack> {
  const gatewayConfig = loadGatewayConfig({ ...env, PORT: '0' });
  if (!gatewayConfig.mongo || !gatewayConfig.redis || !gatewayConfig.kafka) {
    throw new Error('replicas share only through the real servers: set MONGODB_URL, REDIS_URL and KAFKA_BROKERS');
  }
  const apps: SubgraphApp[] = [];
  const infrastructure = Object.fromEntries(SUBGRAPH_NAMES.map((name) => [name, [] as Infrastructure[]])) as Record<SubgraphName, Infrastructure[]>;
  const balancers: RoundRobin[] = [];
  const gateways: Array<{ server: RunningGateway; live: LiveBus }> = [];
  const subgraphUrls = {} as Record<SubgraphName, string>;
  const stop = async () => {
    for (const { server, live } of gateways) {
      await server.close();
      await live.close();
    }
    await Promise.all(balancers.map((balancer) => balancer.close()));
    for (const app of apps.reverse()) await app.stop();
    await Promise.all(Object.values(infrastructure).flat().map((infra) => infra.close()));
  };
  try {
    for (const name of SUBGRAPH_NAMES) {
      const urls: string[] = [];
      for (let copy = 1; copy <= options.subgraphReplicas; copy += 1) {
        const config = loadConfig(name, 0, { ...env, PORT: '0', HOST: '127.0.0.1' });
        const logger = createLogger(name, config.logLevel).child({ replica: copy });
        const infra = await connectInfrastructure(config, logger);
        infrastructure[name].push(infra);
        const app = await FACTORIES[name]({ config, logger, infra });
        apps.push(app);
        urls.push((await app.start()).url);
      }
      const balancer = await startRoundRobin(urls);
      balancers.push(balancer);
      subgraphUrls[name] = balancer.url;
    }
    for (let copy = 1; copy <= options.gateways; copy += 1) {
      const logger = createLogger('gateway', gatewayConfig.logLevel).child({ replica: copy });
      const live = connectLiveBus(gatewayConfig, {}, logger);
      const server = await startGateway(gatewayOptionsFrom(gatewayConfig, { logger, live, subgraphUrls, host: '127.0.0.1', port: 0 }));
      gateways.push({ server, live });
    }
  } catch (error) {
    await stop().catch(() => undefined);
    throw error;
  }
  return { gateways: gateways.map(({ server }) => server), subgraphUrls, infrastructure, stop };
}

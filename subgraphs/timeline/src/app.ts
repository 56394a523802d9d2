import {
  TokenService,
  startSubgraphServer,
  type EventSubscription,
  type SubgraphApp,
  type SubgraphAppOptions,
} from '@chirp/platform';
import { FollowGraphProjection } from './domain/follow-graph.js';
import { consumeFollowEvents } from './events/consumers.js';
import { createRepositories } from './repositories/index.js';
import { typeDefs } from './schema.js';

export const SERVICE = 'timeline';
export const DEFAULT_PORT = 4003;

export { FollowGraphProjection } from './domain/follow-graph.js';
export { FOLLOW_GRAPH_GROUP } from './events/consumers.js';

/** Wires the timeline subgraph: so far, its projection of the follow graph. */
export async function createTimelineSubgraph({ config, logger, infra }: SubgraphAppOptions): Promise<SubgraphApp> {
  const repositories = await createRepositories(infra.mongo);
  const followGraph = new FollowGraphProjection(repositories.followGraph);
  const tokens = new TokenService(config.jwt);
  let consumer: EventSubscription | undefined;
  let server: Awaited<ReturnType<typeof startSubgraphServer>> | undefined;
  return {
    name: SERVICE,
    async start() {
      consumer = await consumeFollowEvents(infra.bus, followGraph, logger);
      server = await startSubgraphServer({
        name: SERVICE,
        host: config.host,
        port: config.port,
        logger,
        typeDefs,
        resolvers: {},
        tokens,
        exposeInternals: config.env === 'development',
        checkReady: () => infra.checkReady(),
        createContext: (viewer) => ({ viewer }),
      });
      return server;
    },
    async stop() {
      await consumer?.stop();
      await server?.close();
    },
  };
}

import {
  IdGenerator,
  serveSubgraph,
  type EventSubscription,
  type RunningServer,
  type SubgraphApp,
  type SubgraphAppOptions,
  type ServedGraph,
} from '@chirp/platform';
import { NotificationInbox } from './domain/inbox.js';
import { NotificationProjector } from './domain/projector.js';
import { startConsumers } from './events/consumers.js';
import { createContext } from './graphql/context.js';
import { resolvers } from './graphql/resolvers.js';
import { createRepositories } from './repositories/index.js';
import { typeDefs } from './schema.js';

/** How this subgraph's collections are to be sharded (checked against every command it sends: sharding.e2e.test.ts). */
export { SHARDING } from './repositories/mongo/sharding.js';
export const SERVICE = 'notifications';
export const DEFAULT_PORT = 4004;

export { NOTIFICATIONS_GROUP } from './events/consumers.js';
export { RESTORE_WINDOW_MS } from './domain/rules.js';

/** Wires the notifications subgraph: repositories, the event consumer that makes notifications, the read side. */
export async function createNotificationsSubgraph(options: SubgraphAppOptions): Promise<SubgraphApp> {
  const { logger, infra } = options;
  const repositories = await createRepositories(infra.mongo);
  const ids = new IdGenerator();
  const projector = new NotificationProjector({ ...repositories, live: infra.live, logger, newId: () => ids.next() });
  const inbox = new NotificationInbox(repositories.notifications);
  let consumer: EventSubscription | undefined;
  let server: RunningServer | undefined;
  const graph: ServedGraph = { name: SERVICE, typeDefs, resolvers, createContext: (viewer) => createContext(inbox, viewer) };
  return {
    name: SERVICE,
    graph,
    startConsumers: async (bus) => [await startConsumers(bus, projector, logger)],
    async start() {
      consumer = await startConsumers(infra.bus, projector, logger);
      server = await serveSubgraph(options, graph);
      return server;
    },
    async stop() {
      await consumer?.stop();
      await server?.close();
    },
  };
}

import { serveSubgraph, type RunningServer, type SubgraphApp, type SubgraphAppOptions } from '@chirp/platform';
import { typeDefs } from './schema.js';

export const SERVICE = 'notifications';
export const DEFAULT_PORT = 4004;

/** Wires the notifications subgraph. It serves only its share of the schema so far. */
export async function createNotificationsSubgraph(options: SubgraphAppOptions): Promise<SubgraphApp> {
  let server: RunningServer | undefined;
  return {
    name: SERVICE,
    async start() {
      server = await serveSubgraph(options, {
        name: SERVICE,
        typeDefs,
        resolvers: {},
        createContext: (viewer) => ({ viewer }),
      });
      return server;
    },
    async stop() {
      await server?.close();
    },
  };
}

import { TokenService, startSubgraphServer, type SubgraphApp, type SubgraphAppOptions } from '@chirp/platform';
import { typeDefs } from './schema.js';

export const SERVICE = 'notifications';
export const DEFAULT_PORT = 4004;

/** Wires the notifications subgraph. It serves only its share of the schema so far. */
export async function createNotificationsSubgraph({ config, logger, infra }: SubgraphAppOptions): Promise<SubgraphApp> {
  const tokens = new TokenService(config.jwt);
  let server: Awaited<ReturnType<typeof startSubgraphServer>> | undefined;
  return {
    name: SERVICE,
    async start() {
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
      await server?.close();
    },
  };
}

import {
  EVERY_GATEWAY,
  IdGenerator,
  LiveStreams,
  OutboxRelay,
  TokenService,
  createRateLimiter,
  serveSubgraph,
  type RunningServer,
  type SubgraphApp,
  type SubgraphAppOptions,
} from '@chirp/platform';
import { outboxSources } from './events/producers.js';
import { FollowService } from './domain/follows.js';
import { FAST_HASHING, PRODUCTION_HASHING, PasswordHasher } from './domain/passwords.js';
import { UserService } from './domain/users.js';
import { createContext, type UsersServices } from './graphql/context.js';
import { resolvers } from './graphql/resolvers.js';
import { createRepositories } from './repositories/index.js';
import { typeDefs } from './schema.js';

export const SERVICE = 'users';
export const DEFAULT_PORT = 4001;

/** Wires the users subgraph: repositories, outbox relay, domain services, GraphQL. */
export async function createUsersSubgraph(options: SubgraphAppOptions): Promise<SubgraphApp> {
  const { config, logger, infra } = options;
  const repositories = await createRepositories(infra.mongo, infra.versionedCache);
  const relay = new OutboxRelay(infra.bus, outboxSources(repositories.users, repositories.follows), config.outbox, logger);
  const tokens = new TokenService(config.jwt);
  const now = () => new Date();
  const ids = new IdGenerator();
  const limit = (name: keyof typeof config.rateLimits) => createRateLimiter(name, config.rateLimits[name], infra.redis);
  const services: UsersServices = {
    users: new UserService({
      users: repositories.users,
      passwords: new PasswordHasher(config.env === 'test' ? FAST_HASHING : PRODUCTION_HASHING),
      tokens,
      relay,
      limits: { logInAccount: limit('loginAccount'), logInAddress: limit('loginAddress'), signUp: limit('signUp') },
      announceRevoked: async (userId) => {
        await infra.live.publish(LiveStreams.sessions, [EVERY_GATEWAY], userId).catch((error: unknown) => {
          logger.warn({ err: error, userId }, 'could not announce revoked sessions; gateways will notice when their cached answer expires');
        });
      },
      newId: () => ids.next(),
      now,
    }),
    follows: new FollowService({ users: repositories.users, follows: repositories.follows, relay, followLimit: limit('follow'), now }),
  };
  let server: RunningServer | undefined;
  return {
    name: SERVICE,
    async start() {
      relay.start();
      server = await serveSubgraph(options, {
        name: SERVICE,
        typeDefs,
        resolvers,
        tokens,
        createContext: (viewer, origin) => createContext(services, viewer, origin),
      });
      return server;
    },
    async stop() {
      await relay.stop();
      await server?.close();
    },
  };
}

import {
  IdGenerator,
  OutboxRelay,
  TokenService,
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
  const services: UsersServices = {
    users: new UserService({
      users: repositories.users,
      passwords: new PasswordHasher(config.env === 'test' ? FAST_HASHING : PRODUCTION_HASHING),
      tokens,
      relay,
      cache: infra.cache,
      newId: () => ids.next(),
      now,
    }),
    follows: new FollowService({ users: repositories.users, follows: repositories.follows, relay, now }),
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
        createContext: (viewer) => createContext(services, viewer),
      });
      return server;
    },
    async stop() {
      await relay.stop();
      await server?.close();
    },
  };
}

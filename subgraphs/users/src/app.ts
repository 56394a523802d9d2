import {
  EVERY_GATEWAY,
  IdGenerator,
  LiveStreams,
  OutboxRelay,
  TokenService,
  createObjectStorage,
  createRateLimiter,
  S3ObjectStorage,
  serveSubgraph,
  type MediaStorageConfig,
  type ObjectStorage,
  type RequestOrigin,
  type ServedGraph,
  type Viewer,
  type RunningServer,
  type SubgraphApp,
  type SubgraphAppOptions,
} from '@chirp/platform';
import { outboxSources } from './events/producers.js';
import { FollowService } from './domain/follows.js';
import { MediaService } from './domain/media.js';
import { FAST_HASHING, PRODUCTION_HASHING, PasswordHasher } from './domain/passwords.js';
import { PictureUrls } from './domain/pictures.js';
import { UserService } from './domain/users.js';
import { createContext, type UsersServices } from './graphql/context.js';
import { WorkerImageProcessor } from './media/worker-images.js';
import { resolvers } from './graphql/resolvers.js';
import { createRepositories } from './repositories/index.js';
import { typeDefs } from './schema.js';

// The MongoDB repository, for tests and tools that look behind the API (the outbox's pending changes).
export { MongoUserRepository } from './repositories/index.js';
/** How this subgraph's collections are to be sharded (checked against every command it sends: sharding.e2e.test.ts). */
export { SHARDING } from './repositories/mongo/sharding.js';
export const SERVICE = 'users';
export const DEFAULT_PORT = 4001;
/** How often uploads cut short are tidied (see MediaService.sweep). */
const MEDIA_SWEEP_INTERVAL_MS = 5 * 60 * 1000;

/** The configured media storage; a bucket on a local S3-compatible server (tests, development) is made when missing. */
async function mediaStorage(config: MediaStorageConfig): Promise<ObjectStorage> {
  const storage = createObjectStorage(config);
  if (storage instanceof S3ObjectStorage && config.kind === 's3' && config.endpoint) await storage.ensureBucket();
  return storage;
}

/** Wires the users subgraph: repositories, outbox relay, domain services, GraphQL. */
export async function createUsersSubgraph(options: SubgraphAppOptions): Promise<SubgraphApp> {
  const { config, logger, infra } = options;
  const repositories = await createRepositories(infra.mongo, infra.versionedCache);
  const storage = await mediaStorage(config.media);
  const pictures = new PictureUrls(storage);
  const relay = new OutboxRelay(infra.bus, outboxSources(repositories.users, repositories.follows, pictures), config.outbox, logger);
  const tokens = new TokenService(config.jwt);
  const now = () => new Date();
  const ids = new IdGenerator();
  const limit = (name: keyof typeof config.rateLimits) => createRateLimiter(name, config.rateLimits[name], infra.redis);
  const images = new WorkerImageProcessor(logger.child({ component: 'images' }));
  const media = new MediaService({
    uploads: repositories.uploads,
    users: repositories.users,
    storage,
    images,
    pictures,
    relay,
    limit: limit('upload'),
    logger,
    newId: () => ids.next(),
    now,
  });
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
      pictures,
      media,
      newId: () => ids.next(),
      now,
    }),
    media,
    pictures,
    follows: new FollowService({ users: repositories.users, follows: repositories.follows, relay, followLimit: limit('follow'), now }),
  };
  let server: RunningServer | undefined;
  let sweeper: NodeJS.Timeout | undefined;
  const graph: ServedGraph = { name: SERVICE, typeDefs, resolvers, tokens, createContext: (viewer: Viewer | null, origin: RequestOrigin) => createContext(services, viewer, origin) };
  return {
    name: SERVICE,
    graph,
    sweep: async () => (await relay.sweepOnce()) + (await media.sweep()),
    async start() {
      relay.start();
      sweeper = setInterval(() => {
        media.sweep().catch((error: unknown) => logger.warn({ err: error }, 'the media sweep failed; it runs again later'));
      }, MEDIA_SWEEP_INTERVAL_MS).unref();
      server = await serveSubgraph(options, graph);
      return server;
    },
    async stop() {
      clearInterval(sweeper);
      images.close();
      await relay.stop();
      await server?.close();
    },
  };
}

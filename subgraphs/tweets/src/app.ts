import {
  IdGenerator,
  OutboxRelay,
  createRateLimiter,
  serveSubgraph,
  type RunningServer,
  type SubgraphApp,
  type SubgraphAppOptions,
  type ServedGraph,
} from '@chirp/platform';
import { LikeService } from './domain/likes.js';
import { TweetService } from './domain/tweets.js';
import { outboxSources } from './events/producers.js';
import { createContext, type TweetsServices } from './graphql/context.js';
import { resolvers } from './graphql/resolvers.js';
import { createRepositories } from './repositories/index.js';
import { typeDefs } from './schema.js';

/** How this subgraph's collections are to be sharded (checked against every command it sends: sharding.e2e.test.ts). */
export { SHARDING } from './repositories/mongo/sharding.js';
export const SERVICE = 'tweets';
export const DEFAULT_PORT = 4002;

/** Wires the tweets subgraph: repositories, outbox relay, domain services, GraphQL. */
export async function createTweetsSubgraph(options: SubgraphAppOptions): Promise<SubgraphApp> {
  const { config, logger, infra } = options;
  const repositories = await createRepositories(infra.mongo, infra.versionedCache);
  const now = () => new Date();
  const ids = new IdGenerator();
  // The relay and the like service need each other: likes publish through the
  // relay, and the relay's sweeper settles like counts through the service.
  const relay: OutboxRelay = new OutboxRelay(
    infra.bus,
    outboxSources(repositories.tweets, repositories.likes, (tweetId) => services.likes.settleLikeCount(tweetId)),
    config.outbox,
    logger,
  );
  const limit = (name: 'post' | 'like') => createRateLimiter(name, config.rateLimits[name], infra.redis);
  const services: TweetsServices = {
    tweets: new TweetService({ tweets: repositories.tweets, relay, postLimit: limit('post'), newId: () => ids.next(), now }),
    likes: new LikeService({ tweets: repositories.tweets, likes: repositories.likes, relay, likeLimit: limit('like'), now }),
  };
  let server: RunningServer | undefined;
  const graph: ServedGraph = { name: SERVICE, typeDefs, resolvers, createContext: (viewer) => createContext(services, viewer) };
  return {
    name: SERVICE,
    graph,
    sweep: () => relay.sweepOnce(),
    async start() {
      relay.start();
      server = await serveSubgraph(options, graph);
      return server;
    },
    async stop() {
      await relay.stop();
      await server?.close();
    },
  };
}

import {
  serveSubgraph,
  type EventSubscription,
  type RunningServer,
  type SubgraphApp,
  type SubgraphAppOptions,
  type ServedGraph,
} from '@chirp/platform';
import { CARD_TTL_SECONDS, CardService } from './domain/cards.js';
import { FanoutService } from './domain/fanout.js';
import { HomeTimelineService } from './domain/home-timeline.js';
import { LikesProjection } from './domain/likes.js';
import { loadTimelineSettings, type TimelineSettings } from './domain/settings.js';
import { startConsumers, type TimelineEventHandlers } from './events/consumers.js';
import { resolvers, type TimelineContext } from './graphql/resolvers.js';
import { createRepositories } from './repositories/index.js';
import { typeDefs } from './schema.js';
import type { LikeCache } from './stores/like-cache.js';
import { InMemoryLikeCache } from './stores/memory-like-cache.js';
import { InMemoryTimelineStore } from './stores/memory-timeline-store.js';
import { RedisLikeCache } from './stores/redis-like-cache.js';
import { RedisTimelineStore } from './stores/redis-timeline-store.js';
import type { TimelineStore } from './stores/types.js';

/** How this subgraph's collections are to be sharded (checked against every command it sends: sharding.e2e.test.ts). */
export { SHARDING } from './repositories/mongo/sharding.js';
export const SERVICE = 'timeline';
export const DEFAULT_PORT = 4003;

export { TIMELINE_ENVIRONMENT_VARIABLES } from './domain/settings.js';
export { AUTHORS_GROUP, FOLLOW_GRAPH_GROUP, FANOUT_GROUP, LIKES_GROUP } from './events/consumers.js';

export interface TimelineSubgraphOptions extends SubgraphAppOptions {
  settings?: TimelineSettings;
  /** Where timelines are cached: by default Redis when configured, in memory otherwise. */
  store?: TimelineStore;
  /** Where like counts and viewers' like states are cached: by default Redis when configured, in memory otherwise. */
  likeCache?: LikeCache;
}

/** Wires the timeline subgraph: projections (likes included), the Redis timeline store, fan-out consumers, the read path. */
export async function createTimelineSubgraph(options: TimelineSubgraphOptions): Promise<SubgraphApp> {
  const { logger, infra, settings = loadTimelineSettings() } = options;
  const repositories = await createRepositories(infra.mongo);
  const store = options.store ?? defaultStore(infra.redis, settings);
  const likes = new LikesProjection(repositories.likes, options.likeCache ?? defaultLikeCache(infra.redis));
  const cards = new CardService(infra.versionedCache, repositories.tweets, repositories.authors, likes);
  const fanout = new FanoutService({ store, ...repositories, cards, live: infra.live, settings, logger, metrics: infra.metrics });
  const handlers: TimelineEventHandlers = {
    onFollowChanged: (change) => fanout.onFollowChanged(change),
    onTweetChanged: (change) => fanout.onTweetChanged(change),
    onProfileChanged: (change) => fanout.onProfileChanged(change),
    onLikeChanged: (change) => likes.onLikeChanged(change),
  };
  const homeTimeline = new HomeTimelineService({ store, followGraph: repositories.followGraph, tweets: repositories.tweets, cards, settings });
  let consumers: EventSubscription[] = [];
  let server: RunningServer | undefined;
  const graph: ServedGraph = { name: SERVICE, typeDefs, resolvers, createContext: (viewer) => ({ viewer, homeTimeline }) };
  return {
    name: SERVICE,
    graph,
    startConsumers: (bus) => startConsumers(bus, handlers, logger),
    async start() {
      consumers = await startConsumers(infra.bus, handlers, logger);
      server = await serveSubgraph(options, graph);
      return server;
    },
    async stop() {
      await Promise.all(consumers.map((consumer) => consumer.stop()));
      await server?.close();
    },
  };
}

function defaultStore(redis: SubgraphAppOptions['infra']['redis'], settings: TimelineSettings): TimelineStore {
  return redis ? new RedisTimelineStore(redis, settings) : new InMemoryTimelineStore(settings);
}

function defaultLikeCache(redis: SubgraphAppOptions['infra']['redis']): LikeCache {
  return redis ? new RedisLikeCache(redis, CARD_TTL_SECONDS) : new InMemoryLikeCache(CARD_TTL_SECONDS);
}

export { InMemoryTimelineStore, RedisTimelineStore, type TimelineStore };
/** The Redis keys of the timeline store (under the service's prefix): tests that drop a cached timeline name them. */
export { TIMELINE_KEYS } from './stores/redis-timeline-store.js';
export { InMemoryLikeCache, RedisLikeCache, type LikeCache };
export { loadTimelineSettings, type TimelineSettings };

// The timeline's Redis keys (under its prefix), as RedisTimelineStore names
// them: taken from the built store (TIMELINE_KEYS) when it exports them, so
// the bench's loader, its probes and the bare handler always write and read
// the keys the product uses (a user's home keys carry a hash tag, `home:{<id>}`,
// since the store runs on Redis Cluster too); the earlier layout
// (`home:<id>`) otherwise.

// Not exported by @chirp/timeline (its package exports only the app): the built module, by path.
import * as store from '../../subgraphs/timeline/dist/stores/redis-timeline-store.js';

/** @type {{ home: (userId: string) => string, homeCelebrities: (userId: string) => string, homeGeneration: (userId: string) => string, recent: (authorId: string) => string, celebrities: string }} */
export const TIMELINE_KEYS = /** @type {any} */ (store).TIMELINE_KEYS ?? {
  home: (/** @type {string} */ userId) => `home:${userId}`,
  homeCelebrities: (/** @type {string} */ userId) => `home:${userId}:celebs`,
  homeGeneration: (/** @type {string} */ userId) => `home:${userId}:gen`,
  recent: (/** @type {string} */ authorId) => `recent:${authorId}`,
  celebrities: 'celebrities',
};

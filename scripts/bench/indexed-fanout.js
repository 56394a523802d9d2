// The timeline's fan-out (its own FanoutService, RedisTimelineStore and
// CardService, from the built subgraph) over repositories that answer from
// memory through an index, standing in for MongoDB's indexes.
//
// Why: on FerretDB/SQLite only `_id` lookups avoid a full scan, so the
// fan-out's `followersOf`, `countFollowers` and the projection's
// `findByIds` ($in) each read the whole collection (a million follow edges:
// about a minute). A real MongoDB answers them from the indexes the
// repositories declare. This lets the bench measure the fan-out's own cost
// (Kafka, the domain code, Redis) as production would see it; the
// FerretDB-bound figure is measured too and reported beside it.
// The same follow graph, and the tweets projection as loaded, also serve
// the cold first reads over indexed lookups (measure-cold.js).

import { RedisTimelineStore } from '@chirp/timeline';
// Not exported by @chirp/timeline (its package exports only the app): the
// bench imports the built modules by path.
import { CardService } from '../../subgraphs/timeline/dist/domain/cards.js';
import { FanoutService } from '../../subgraphs/timeline/dist/domain/fanout.js';
import { InMemoryAuthorRepository, InMemoryTweetProjectionRepository } from '../../subgraphs/timeline/dist/repositories/index.js';
import { followeesOf, followersOf, tweetText } from './content.js';

/** @typedef {import('./network.js').Network} Network */

/** The follow graph of the generated network, by follower and by followee. */
export class IndexedFollowGraph {
  /** @param {Network} network */
  constructor(network) {
    this.network = network;
    /** @type {Map<string, number>} */
    this.indexOf = new Map(network.userIds.map((id, i) => [id, i]));
  }

  /** Follow events are not part of the measured load. */
  async apply() {
    return false;
  }

  /** @param {string} userId */
  async followeesOf(userId) {
    const i = this.indexOf.get(userId);
    return i === undefined ? [] : Array.from(followeesOf(this.network, i), (j) => this.network.userIds[j]);
  }

  /** @param {string} userId */
  async followersOf(userId) {
    const i = this.indexOf.get(userId);
    return i === undefined ? [] : Array.from(followersOf(this.network, i), (j) => this.network.userIds[j]);
  }

  /** @param {string} userId @param {number} atMost */
  async countFollowers(userId, atMost) {
    const i = this.indexOf.get(userId);
    return i === undefined ? 0 : Math.min(atMost, this.network.followerCount[i]);
  }
}

/**
 * The timeline's tweets projection as loaded (loader-mongo.js), answered from the generated network by author:
 * each author's tweets are in time order, so `latestIds` is a merge of the authors' newest ones, as MongoDB walks
 * its `by_author_newest_first` index. Read-only: what a rebuild reads (measure-cold.js).
 */
export class IndexedTweetProjection {
  /** @param {Network} network */
  constructor(network) {
    this.network = network;
    /** @type {Map<string, number>} */
    this.userIndex = new Map(network.userIds.map((id, i) => [id, i]));
    /** @type {Map<string, number>} */
    this.tweetIndex = new Map(network.tweetIds.map((id, k) => [id, k]));
  }

  /** @param {readonly string[]} authorIds @param {number} limit @param {string} [beforeId] */
  async latestIds(authorIds, limit, beforeId) {
    const { authorTweets: list, authorTweetsStart: start, tweetIds } = this.network;
    const below = beforeId === undefined ? Infinity : (this.tweetIndex.get(beforeId) ?? Infinity);
    const heads = [];
    const floors = [];
    for (const id of authorIds) {
      const a = this.userIndex.get(id);
      if (a === undefined) continue;
      let head = start[a + 1] - 1;
      while (head >= start[a] && list[head] >= below) head -= 1;
      heads.push(head);
      floors.push(start[a]);
    }
    const ids = [];
    while (ids.length < limit) {
      let best = -1;
      for (let s = 0; s < heads.length; s += 1) {
        if (heads[s] >= floors[s] && (best < 0 || list[heads[s]] > list[heads[best]])) best = s;
      }
      if (best < 0) break;
      ids.push(tweetIds[list[heads[best]]]);
      heads[best] -= 1;
    }
    return ids;
  }

  /** @param {readonly string[]} ids */
  async findByIds(ids) {
    const { tweetIds, tweetAuthor, tweetTime, userIds } = this.network;
    return ids.flatMap((id) => {
      const k = this.tweetIndex.get(id);
      return k === undefined ? [] : [{ id: tweetIds[k], authorId: userIds[tweetAuthor[k]], text: tweetText(k), createdAt: new Date(tweetTime[k]),
        editedAt: null, deleted: false, version: 1 }];
    });
  }
}

/**
 * @param {{ network: Network, infra: import('@chirp/platform').Infrastructure,
 *   settings: import('@chirp/timeline').TimelineSettings, logger: import('@chirp/platform').Logger }} options
 */
export function createIndexedFanout({ network, infra, settings, logger }) {
  if (!infra.redis) throw new Error('the bench needs Redis');
  const tweets = new InMemoryTweetProjectionRepository();
  const authors = new InMemoryAuthorRepository();
  return new FanoutService({
    store: new RedisTimelineStore(infra.redis, settings),
    followGraph: new IndexedFollowGraph(network),
    tweets,
    authors,
    cards: new CardService(infra.versionedCache, tweets, authors),
    live: infra.live,
    settings,
    logger,
  });
}

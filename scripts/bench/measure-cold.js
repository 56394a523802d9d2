// A cold first read: viewers whose home timeline is not cached (never
// built, or expired after TIMELINE_ACTIVE_DAYS) read their first page, and
// the timeline rebuilds it on read (HomeTimelineService.rebuild: the follow
// graph from MongoDB → the authors' recent lists in Redis, merged → Redis).
// The load writes every home timeline into Redis, so without this step the
// bench never reads a cold one.
//
// For each sampled viewer (none of the warm reads' viewers):
//   1. before: the Home query's first page through the gateway, warm (the
//      page to compare with; it also warms the gateway's session check for
//      the viewer, so the cold read below times the timeline, not the login
//      lookup), and the whole cached list (LRANGE) as loaded;
//   2. cold: DEL home:<id> and home:<id>:celebs (the keys RedisTimelineStore
//      reads; the `:gen` key stays, as an expiry leaves it), then at once the
//      first page through the gateway, `concurrency` readers at a time,
//      within a time budget (viewers not started by then are left out, and
//      keep their cached timelines);
//   3. warm again: the same page once more, now from the rebuilt list;
//   then whether the cold page and the rebuilt list equal the ones before.
// Over indexed lookups: all the sampled viewers' timelines dropped again and read
// through the timeline's own HomeTimelineService (the built subgraph's, on
// the same Redis) with the follow graph and the tweets projection answered
// from memory by index (indexed-fanout.js), in the bench's process: the
// domain read alone, no gateway, no GraphQL. Last, where a rebuild's time
// goes: its reads timed one by one (the follow graph on FerretDB, the
// recent lists on Redis), what refilling a list Redis lost costs on
// FerretDB, and what FerretDB says it pushes down for that.

import { MongoClient } from 'mongodb';
import { Redis } from 'ioredis';
import { RedisVersionedCache } from '@chirp/platform';
import { RedisTimelineStore } from '@chirp/timeline';
// Not exported by @chirp/timeline: the built modules, by path.
import { CARD_TTL_SECONDS, CardService } from '../../subgraphs/timeline/dist/domain/cards.js';
import { HomeTimelineService } from '../../subgraphs/timeline/dist/domain/home-timeline.js';
import { LikesProjection } from '../../subgraphs/timeline/dist/domain/likes.js';
import { rebuildReadLimit } from '../../subgraphs/timeline/dist/domain/recents.js';
import { InMemoryAuthorRepository, InMemoryLikeProjectionRepository, MongoFollowGraphRepository, MongoTweetProjectionRepository }
  from '../../subgraphs/timeline/dist/repositories/index.js';
import { RedisLikeCache } from '../../subgraphs/timeline/dist/stores/redis-like-cache.js';
import { IndexedFollowGraph, IndexedTweetProjection } from './indexed-fanout.js';
import { HOME_QUERY } from './requests.js';
import { round, summarize } from './stats.js';
import { TIMELINE_KEYS } from './timeline-keys.js';

/** @typedef {import('./network.js').Network} Network */
/** @typedef {{ index: number, id: string, token: string }} ColdViewer */


/**
 * The Home query's first page for a viewer, timed: ids shown, or the error.
 * @param {string} gatewayUrl @param {string} token
 * @returns {Promise<{ ms: number, ids: string[] | null, error?: string }>}
 */
async function firstPage(gatewayUrl, token) {
  const started = performance.now();
  try {
    const response = await fetch(gatewayUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query: HOME_QUERY, variables: {} }),
      signal: AbortSignal.timeout(60_000),
    });
    const answer = /** @type {any} */ (await response.json());
    const ms = performance.now() - started;
    if (answer.errors || !answer.data?.homeTimeline) return { ms, ids: null, error: JSON.stringify(answer.errors ?? answer).slice(0, 200) };
    return { ms, ids: answer.data.homeTimeline.edges.map((/** @type {any} */ edge) => edge.node.id) };
  } catch (error) {
    return { ms: performance.now() - started, ids: null, error: error instanceof Error ? error.message : String(error) };
  }
}

/**
 * Runs `work` over the items, `concurrency` at a time; none is started after `deadline` (epoch ms).
 * @template T, R
 * @param {T[]} items @param {number} concurrency @param {number} deadline @param {(item: T) => Promise<R>} work
 * @returns {Promise<Array<R | undefined>>}  undefined where the item was not started
 */
async function pool(items, concurrency, deadline, work) {
  /** @type {Array<R | undefined>} */
  const results = new Array(items.length).fill(undefined);
  let next = 0;
  const worker = async () => {
    while (next < items.length && Date.now() < deadline) {
      const i = next++;
      results[i] = await work(items[i]);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return results;
}

const sameIds = (/** @type {string[] | null | undefined} */ a, /** @type {string[] | null | undefined} */ b) =>
  Boolean(a && b) && JSON.stringify(a) === JSON.stringify(b);

/**
 * @param {{ gatewayUrl: string, redisUrl: string, prefix: string, mongoUrl: string, timelineDb: string, network: Network,
 *   viewers: ColdViewer[], concurrency: number, budgetSeconds: number,
 *   settings: import('@chirp/timeline').TimelineSettings, log: (line: string) => void }} options
 *   prefix: the timeline's full key prefix; timelineDb: the timeline subgraph's database
 */
export async function measureColdReads({ gatewayUrl, redisUrl, prefix, mongoUrl, timelineDb, network, viewers, concurrency, budgetSeconds, settings, log }) {
  const started = Date.now();
  const redis = new Redis(redisUrl, { keyPrefix: prefix });
  const forever = Number.POSITIVE_INFINITY;
  /** Drops the viewers' cached home timelines, as an expiry does. @param {ColdViewer[]} list */
  const drop = async (list) => {
    const pipeline = redis.pipeline();
    for (const v of list) pipeline.del(TIMELINE_KEYS.home(v.id), TIMELINE_KEYS.homeCelebrities(v.id));
    await pipeline.exec();
  };
  try {
    // 1. Before: each viewer's warm first page and whole cached list.
    const before = await pool(viewers, concurrency, forever, (v) => firstPage(gatewayUrl, v.token));
    const listsBefore = await Promise.all(viewers.map((v) => redis.lrange(TIMELINE_KEYS.home(v.id), 0, -1)));

    // 2. Cold, within the budget. Each viewer's keys go just before its read: a viewer left out by the budget keeps
    // its cached timeline (the fan-out steps after this one push onto every cached timeline).
    const coldStarted = Date.now();
    const cold = await pool(viewers, concurrency, coldStarted + budgetSeconds * 1000, async (v) => {
      await drop([v]);
      return firstPage(gatewayUrl, v.token);
    });
    const coldSeconds = round((Date.now() - coldStarted) / 1000, 1);
    const read = viewers.filter((_, i) => cold[i] !== undefined);
    log(`  ${read.length} of ${viewers.length} cold first pages read in ${coldSeconds}s (${concurrency} readers)`);

    // 3. Warm again, the same viewers.
    const warm = await pool(read, concurrency, forever, (v) => firstPage(gatewayUrl, v.token));
    const listsAfter = await Promise.all(read.map((v) => redis.lrange(TIMELINE_KEYS.home(v.id), 0, -1)));
    const coldOf = (/** @type {number} */ k) => cold[viewers.indexOf(read[k])];
    const beforeOf = (/** @type {number} */ k) => before[viewers.indexOf(read[k])];
    const listBeforeOf = (/** @type {number} */ k) => listsBefore[viewers.indexOf(read[k])];
    const ok = read.map((_, k) => !coldOf(k)?.error);
    const complete = {
      checked: read.length,
      coldSameAsBefore: read.filter((_, k) => sameIds(coldOf(k)?.ids, beforeOf(k)?.ids)).length,
      warmSameAsCold: read.filter((_, k) => sameIds(warm[k]?.ids, coldOf(k)?.ids)).length,
      rebuiltListSameAsLoaded: read.filter((_, k) => sameIds(listsAfter[k], listBeforeOf(k))).length,
      meanEdges: round(read.reduce((sum, _, k) => sum + (coldOf(k)?.ids?.length ?? 0), 0) / Math.max(read.length, 1), 1),
    };
    const errors = [...new Set(read.flatMap((_, k) => (coldOf(k)?.error ? [coldOf(k)?.error] : [])))];
    const gateway = {
      viewers: viewers.length,
      read: read.length,
      failed: ok.filter((v) => !v).length,
      errors: errors.slice(0, 3),
      seconds: coldSeconds,
      pagesPerSecond: round(read.length / Math.max(coldSeconds, 0.001), 2),
      beforeMs: summarize(before.flatMap((b) => (b && !b.error ? [b.ms] : []))),
      coldMs: summarize(read.flatMap((_, k) => (ok[k] ? [/** @type {number} */ (coldOf(k)?.ms)] : []))),
      warmMs: summarize(warm.flatMap((w) => (w && !w.error ? [w.ms] : []))),
      complete,
    };
    log(`  cold first page p50 ${gateway.coldMs.p50} / p99 ${gateway.coldMs.p99} / max ${gateway.coldMs.max} ms; warm again p99 ${gateway.warmMs.p99} ms; `
      + `${complete.coldSameAsBefore}/${complete.checked} pages and ${complete.rebuiltListSameAsLoaded}/${complete.checked} rebuilt lists as loaded`);

    // Every sampled viewer, read or not above: in-process reads are quick.
    const indexed = await overIndexedLookups({ redis, network, viewers, concurrency, settings, drop, listsBefore });
    log(`  over indexed lookups (HomeTimelineService.page in the bench's process): cold p99 ${indexed.coldMs.p99} ms, warm p99 ${indexed.warmMs.p99} ms`);

    const ferretdb = await rebuildSteps({ mongoUrl, timelineDb, redis, settings, viewers: read.slice(0, 2), deadline: Date.now() + 10_000 })
      .catch((error) => ({ error: error instanceof Error ? error.message : String(error) }));
    if ('steps' in ferretdb) {
      log(`  a rebuild's reads, one at a time: ${ferretdb.steps.map((s) => `followeesOf ${s.followeesOfMs} ms (FerretDB) + ${s.authors} recent lists ${s.recentListsMs} ms (Redis); refilling one lost list ${s.fillOneMs} ms (FerretDB)`).join('; ')}`);
    }
    return { concurrency, budgetSeconds, gateway, indexed, ferretdb, seconds: round((Date.now() - started) / 1000, 1) };
  } finally {
    redis.disconnect();
  }
}

/**
 * The timeline's own HomeTimelineService on the bench's Redis, with the follow graph and the tweets projection
 * answered from memory by index: what a cold first page costs the timeline's domain code where MongoDB answers
 * from its indexes. Timed per page() call, `concurrency` at a time, cold (home lists dropped) then warm.
 *
 * @param {{ redis: Redis, network: Network, viewers: ColdViewer[], concurrency: number,
 *   settings: import('@chirp/timeline').TimelineSettings, drop: (list: ColdViewer[]) => Promise<void>, listsBefore: string[][] }} options
 */
async function overIndexedLookups({ redis, network, viewers, concurrency, settings, drop, listsBefore }) {
  const tweets = new IndexedTweetProjection(network);
  const likes = new LikesProjection(new InMemoryLikeProjectionRepository(), new RedisLikeCache(redis, CARD_TTL_SECONDS));
  const service = new HomeTimelineService({
    store: new RedisTimelineStore(redis, settings),
    followGraph: new IndexedFollowGraph(network),
    tweets,
    cards: new CardService(new RedisVersionedCache(redis), tweets, new InMemoryAuthorRepository(), likes),
    settings,
  });
  const forever = Number.POSITIVE_INFINITY;
  const timed = async (/** @type {ColdViewer} */ v) => {
    const started = performance.now();
    const page = await service.page(v.id, 20);
    return { ms: performance.now() - started, ids: page.items.map((/** @type {any} */ card) => card.id) };
  };
  await drop(viewers);
  const cold = await pool(viewers, concurrency, forever, timed);
  const warm = await pool(viewers, concurrency, forever, timed);
  const lists = await Promise.all(viewers.map((v) => redis.lrange(TIMELINE_KEYS.home(v.id), 0, -1)));
  return {
    viewers: viewers.length,
    coldMs: summarize(cold.map((c) => /** @type {{ ms: number }} */ (c).ms)),
    warmMs: summarize(warm.map((w) => /** @type {{ ms: number }} */ (w).ms)),
    warmSameAsCold: viewers.filter((_, k) => sameIds(cold[k]?.ids, warm[k]?.ids)).length,
    rebuiltListSameAsLoaded: viewers.filter((_, k) => sameIds(lists[k], listsBefore[k])).length,
  };
}

/**
 * A rebuild's reads, one viewer and one read at a time (nothing else running): the follow graph on FerretDB, the
 * authors' recent lists on Redis (RedisTimelineStore.readRecent with the rebuild's per-author limit), and what
 * filling one list that Redis lost costs (one author's `latestIds` on FerretDB); then FerretDB's explain of that
 * query, for what it pushes down to its backend.
 *
 * @param {{ mongoUrl: string, timelineDb: string, redis: Redis, settings: import('@chirp/timeline').TimelineSettings,
 *   viewers: ColdViewer[], deadline: number }} options
 */
async function rebuildSteps({ mongoUrl, timelineDb, redis, settings, viewers, deadline }) {
  const client = await MongoClient.connect(mongoUrl);
  try {
    const db = client.db(timelineDb);
    const followGraph = new MongoFollowGraphRepository(db);
    const tweets = new MongoTweetProjectionRepository(db);
    const store = new RedisTimelineStore(redis, settings);
    const time = async (/** @type {() => Promise<any>} */ call) => {
      const t = performance.now();
      const value = await call();
      return { value, ms: round(performance.now() - t, 1) };
    };
    const steps = [];
    for (const v of viewers) {
      if (Date.now() > deadline) break;
      const followees = await time(() => followGraph.followeesOf(v.id));
      const authors = [v.id, ...followees.value];
      const limit = rebuildReadLimit(authors.length, settings.maxLength);
      const lists = await time(() => store.readRecent(authors, limit));
      const fill = await time(() => tweets.latestIds([v.id], settings.maxLength));
      const ids = lists.value.reduce((sum, /** @type {any} */ list) => sum + (list?.ids.length ?? 0), 0);
      steps.push({ authors: authors.length, followeesOfMs: followees.ms, recentListsMs: lists.ms, ids, fillOneMs: fill.ms });
    }
    const collection = db.collection('tweets');
    const documents = await collection.estimatedDocumentCount();
    /** @type {Record<string, unknown> | null} */
    let explain = null;
    if (viewers.length > 0 && Date.now() <= deadline) {
      const plan = await db.command({ explain: { find: 'tweets', filter: { authorId: viewers[0].id, deleted: false },
        projection: { _id: 1 }, sort: { _id: -1 }, limit: settings.maxLength } }).catch((error) => ({ error: String(error?.message ?? error) }));
      // FerretDB's explain says what it pushed down (filter, sort, limit) and gives its backend's plan.
      explain = Object.fromEntries(Object.entries(plan).filter(([key]) => /pushdown|error/i.test(key)));
      const backend = JSON.stringify(plan.queryPlanner ?? {});
      explain.backendPlan = backend.length > 600 ? `${backend.slice(0, 600)}…` : backend;
    }
    return { tweetsDocuments: documents, steps, explain };
  } finally {
    await client.close();
  }
}

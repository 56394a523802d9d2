// The capacity model: the bench's measured per-core costs and sizes, taken
// to 1M, 10M and 100M users under stated assumptions. Writes
// docs/capacity.md and its charts (docs/capacity-*.svg).
//
//   node scripts/bench/capacity.js                        # docs/capacity.md, docs/capacity-*.svg
//   node scripts/bench/capacity.js --stdout               # the document on stdout, nothing written
//   node scripts/bench/capacity.js --assume follows=100 --assume postsPerActive=5 --out .scratch/capacity
//   node scripts/bench/capacity.js --full benchmarks/results/users-100000/latest.json --scale benchmarks/results/only-scale/latest.json
//
// Inputs: the full bench report (--full, benchmarks/results/latest.json: CPU
// per page by process, live push cost, Redis bytes per timeline) and the
// scale step's (--scale, benchmarks/results/only-scale/latest.json, from
// `npm run bench -- --users 20000 --only scale`: fan-out cost per insert,
// what a post costs, Redis and MongoDB sizes, the one-against-two ratios).
// Every figure the document uses is named with its report and command.

import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { barChart } from './charts.js';
import { cpuPerPage, hopsOf } from './figures.js';
import { zipfLaw } from './network.js';

const root = resolve(fileURLToPath(import.meta.url), '../../..');

/**
 * The assumptions, each with what it means; `--assume key=value` changes one.
 * @type {Record<string, { value: number, unit: string, what: string }>}
 */
const ASSUMPTIONS = {
  dailyActiveShare: { value: 0.25, unit: 'of users', what: 'daily actives (DAU), 20–30% of users for a social app' },
  readsPerActive: { value: 50, unit: 'pages/day', what: 'home timeline pages (the Home query, page 1; a later page costs about 1.2×) per daily active' },
  postsPerActive: { value: 2, unit: 'posts/day', what: 'posts per daily active, every active user as likely to post (see "Posting skew" for the bench\'s skew)' },
  likesPerActive: { value: 5, unit: 'likes/day', what: 'likes per daily active (MongoDB sizes only)' },
  peakFactor: { value: 3, unit: '× the daily mean', what: 'the peak hour\'s rate against the day\'s mean' },
  follows: { value: 12, unit: 'per user', what: 'mean follows (= mean followers) per user, the bench\'s (`--following 12`); real networks are denser: every fan-out and follow-graph figure grows in proportion' },
  celebrityFollowers: { value: 50_000, unit: 'followers', what: '`TIMELINE_CELEBRITY_FOLLOWERS`: above it an author\'s posts are merged at read, not fanned out' },
  cachedShare: { value: 0.4, unit: 'of users', what: 'users with a cached home timeline: active within `TIMELINE_ACTIVE_DAYS` (14); the fan-out skips the others' },
  timelineLength: { value: 800, unit: 'ids', what: '`TIMELINE_MAX_LENGTH`: every cached timeline counted full (an upper bound)' },
  onlineShare: { value: 0.2, unit: 'of DAU', what: 'daily actives with a live subscription (`homeTimelineTweetAdded`) open at the peak' },
  sessionChecksPerPage: { value: 0.3, unit: 'per page', what: 'pages that make the gateway re-check the viewer\'s session with the users subgraph (it asks again once an answer is a minute old, per gateway process)' },
  historyDays: { value: 365, unit: 'days', what: 'posting history behind each author\'s recent list (`recent:<id>`, at most 800 ids, no expiry)' },
  tweetDays: { value: 730, unit: 'days', what: 'tweets (and likes) kept in MongoDB: two years of posts' },
  cardDays: { value: 2, unit: 'days of posts', what: 'tweet cards in Redis (24 h expiry, renewed by reads): about two days of posts' },
  authorShare: { value: 0.5, unit: 'of users', what: 'authors cached in Redis (24 h expiry): the authors of the cards read in a day' },
  utilisation: { value: 0.6, unit: 'of a core', what: 'CPU planned per core at the peak (headroom for bursts, GC, a lost instance)' },
  minInstances: { value: 2, unit: 'instances', what: 'the fewest instances of any service (one may fail)' },
  redisShardGB: { value: 25, unit: 'GB', what: 'usable memory per Redis shard (primary; one replica each on top)' },
  redisOverhead: { value: 1.25, unit: '×', what: 'Redis memory beyond MEMORY USAGE (fragmentation, replication and client buffers)' },
  liveBytes: { value: 200, unit: 'bytes', what: 'Redis memory per open subscription (its shard channel; estimated, not measured)' },
  mongoCompression: { value: 0.6, unit: '× BSON', what: 'MongoDB data on disk against BSON (WiredTiger snappy; estimated)' },
  mongoIndexEntryBytes: { value: 40, unit: 'bytes', what: 'on-disk bytes per index entry (WiredTiger prefix compression; estimated)' },
  mongoShardDiskTB: { value: 2, unit: 'TB', what: 'data and indexes per MongoDB shard' },
  mongoShardIndexGB: { value: 32, unit: 'GB', what: 'hot indexes per MongoDB shard, to stay in RAM (a 64 GB node\'s cache with room for hot documents): all of users, follows and the follow graph, and `hotDays` of tweets, likes and notifications' },
  hotDays: { value: 30, unit: 'days', what: 'the recent part of tweets, likes and notifications whose indexes are read often' },
  followGraphReadPerSecond: { value: 200_000, unit: 'edges/s', what: 'follow edges one MongoDB shard returns to one query from its `followeeId` index (estimated: the bench reads the graph from memory)' },
  celebrityMergeUs: { value: 60, unit: 'µs', what: 'CPU a page pays per celebrity followed (one more recent list read from Redis and merged; estimated)' },
  notificationBytes: { value: 250, unit: 'bytes', what: 'BSON of a notification (estimated; the bench loads none)' },
  notificationDays: { value: 90, unit: 'days', what: 'notifications kept' },
};

const SCALES = [1_000_000, 10_000_000, 100_000_000];
const SERVICES = ['gateway', 'timeline', 'users', 'tweets', 'notifications'];
/** The shard keys, from subgraphs/<subgraph>/src/repositories/mongo/sharding.ts. */
const SHARD_KEYS = {
  'users.users': '`_id` hashed', 'users.follows': '`_id` hashed', 'tweets.tweets': '`_id` hashed', 'tweets.likes': '`_id` hashed',
  'timeline.authors': '`_id` hashed', 'timeline.follow_graph': '`followeeId` hashed', 'timeline.tweets': '`_id` hashed',
  'timeline.like_edges': '`tweetId` hashed', 'timeline.like_counts': '`_id` hashed', 'notifications.notifications': '`recipientId` hashed',
};
const DAY = 86_400;
const GB = 1e9;

// ---------------------------------------------------------------- arguments

/** @param {string[]} argv */
function parseArgs(argv) {
  const args = { full: 'benchmarks/results/latest.json', scale: 'benchmarks/results/only-scale/latest.json', out: 'docs', stdout: false };
  for (let i = 0; i < argv.length; i += 1) {
    const flag = argv[i];
    if (flag === '--stdout') args.stdout = true;
    else if (flag === '--full' || flag === '--scale' || flag === '--out') args[/** @type {'full' | 'scale' | 'out'} */ (flag.slice(2))] = argv[++i];
    else if (flag === '--assume') {
      const [key, value] = String(argv[++i]).split('=');
      if (!ASSUMPTIONS[key] || !Number.isFinite(Number(value))) throw new Error(`--assume ${key}=${value}: one of ${Object.keys(ASSUMPTIONS).join(', ')}, with a number`);
      ASSUMPTIONS[key].value = Number(value);
    } else throw new Error(`unknown argument ${flag}; see scripts/bench/capacity.js`);
  }
  return args;
}

const A = (/** @type {string} */ key) => ASSUMPTIONS[key].value;

// ---------------------------------------------------------------- formatting

const int = (/** @type {number} */ v) => (Number.isFinite(v) ? Math.round(v).toLocaleString('en') : 'n/a');
/** Two significant digits below 10, whole numbers above. @param {number} v */
const num = (v) => (!Number.isFinite(v) ? 'n/a' : Math.abs(v) >= 10 ? int(v) : Number(v.toPrecision(2)).toLocaleString('en'));
const gb = (/** @type {number} */ bytes) => (bytes >= 1e12 ? `${num(bytes / 1e12)} TB` : bytes >= GB ? `${num(bytes / GB)} GB` : `${num(bytes / 1e6)} MB`);
const users = (/** @type {number} */ n) => (n >= 1e6 ? `${n / 1e6}M` : `${n / 1e3}K`);
const ms3 = (/** @type {number} */ v) => `${v.toFixed(3)} ms`;
const round = (/** @type {number} */ v, digits = 3) => Number(v.toFixed(digits));

// ---------------------------------------------------------------- the network

/**
 * Σ k^-p for k = a..b: exact up to a million terms, the rest by the
 * midpoint integral (exact to well under a part per million for these smooth
 * tails).
 * @param {number} a @param {number} b @param {number} p
 */
function powerSum(a, b, p) {
  if (b < a) return 0;
  const exactTo = Math.min(b, a + 1_000_000);
  let sum = 0;
  for (let k = a; k <= exactTo; k += 1) sum += k ** -p;
  if (exactTo < b) {
    const F = (/** @type {number} */ x) => (Math.abs(p - 1) < 1e-9 ? Math.log(x) : x ** (1 - p) / (1 - p));
    sum += F(b + 0.5) - F(exactTo + 0.5);
  }
  return sum;
}

/**
 * The bench's follower law (network.js: Zipf, the exponent that gives its
 * 100K-user network a mean of `follows` with the biggest account just above
 * the threshold), extended to `n` users with the same exponent and mean and
 * no cap: rank k (1 = biggest) has c0 · k^-alpha followers.
 *
 * @param {number} n @param {number} alpha
 */
function networkAt(n, alpha) {
  const follows = A('follows');
  const threshold = A('celebrityFollowers');
  const c0 = (follows * n) / powerSum(1, n, alpha);
  const followersAt = (/** @type {number} */ k) => c0 * k ** -alpha;
  // Celebrities are ranks 1..K: more followers than the threshold.
  const K = Math.min(n, Math.floor((c0 / threshold) ** (1 / alpha)));
  const celebrityEdges = c0 * powerSum(1, K, alpha);
  // The bench's tweets per author (network.js tweetsOf): 1 + followers/12, at most 1000: the skewed posting weight.
  const capAt = Math.min(n, Math.floor((c0 / (999 * 12)) ** (1 / alpha))); // ranks with followers ≥ 11,988: weight 1000
  const weightSum = 1000 * capAt + (n - capAt) + (c0 / 12) * powerSum(capAt + 1, n, alpha);
  // Σ weight × followers, over the fanned-out ranks (K+1..n) and over all.
  const weighted = (/** @type {number} */ from) => {
    const top = Math.max(from, capAt + 1);
    const capped = from <= capAt ? 1000 * c0 * powerSum(from, capAt, alpha) : 0;
    return capped + c0 * powerSum(top, n, alpha) + (c0 * c0 / 12) * powerSum(top, n, 2 * alpha);
  };
  return {
    users: n,
    biggest: c0,
    celebrities: K,
    celebrityEdgeShare: celebrityEdges / (follows * n),
    celebritiesFollowedPerUser: celebrityEdges / n,
    median: followersAt(n / 2),
    p99: followersAt(n / 100),
    /** Followers per post, every active user as likely to post: all followers, and the fanned-out ones. */
    uniform: { followersPerPost: follows, fannedOutPerPost: follows * (1 - celebrityEdges / (follows * n)) },
    /** Followers per post, authors posting in proportion to the bench's tweets per author. */
    skewed: { followersPerPost: weighted(1) / weightSum, fannedOutPerPost: weighted(K + 1) / weightSum, celebrityPostShare: (1000 * Math.min(K, capAt) + Math.max(0, K - capAt)) / weightSum },
  };
}

// ---------------------------------------------------------------- measured costs

/**
 * The per-unit costs the model uses, each with where it comes from.
 * @param {any} full @param {any} scale @param {{ full: string, scale: string }} files
 */
function measuredCosts(full, scale, files) {
  /** @type {Array<{ figure: string, value: string, source: string }>} */
  const cited = [];
  const fromFull = `${files.full} (\`${full.command}\`, ${full.startedAt})`;
  const fromScale = `${files.scale} (\`${scale.command}\`, ${scale.startedAt})`;
  const cite = (/** @type {string} */ figure, /** @type {string} */ value, /** @type {string} */ source) => cited.push({ figure, value, source });

  // Reads: the Home query, page 1, closed loop: CPU per page of every process and Redis.
  const home = cpuPerPage(full.reads.home.closed);
  if (!home || home.redis === undefined) throw new Error(`${files.full}: no per-process CPU for the Home query`);
  const page = { ...home.byProcess, redis: home.redis };
  cite('CPU per Home page (page 1), by process', `${Object.entries(page).map(([name, v]) => `${name} ${ms3(v)}`).join(', ')}; in all ${ms3(home.total ?? 0)}`, `${fromFull}: "CPU per page, process by process", Home query page 1, closed loop at ${int(full.reads.home.closed.throughput)} pages/s`);
  // A session check: the users subgraph's CPU per request it served in that run.
  const usersHops = hopsOf(full.reads.home.closed)?.users ?? 0;
  const sessionCheckMs = usersHops > 0 ? page.users / usersHops : 0.4;
  cite('CPU of one session check (the users subgraph, per request)', ms3(sessionCheckMs), `${fromFull}: users CPU per page ${ms3(page.users)} at ${usersHops} users requests per page`);

  // Live pushes: the gateway's CPU per push at the largest level.
  const level = full.live?.levels?.at(-1);
  const pushUs = level ? level.selections.reduce((sum, m) => sum + (1000 * m.runtime.gateway.cpuMs) / (level.subscriptions * m.posts * m.deliveredShare), 0) / level.selections.length : 20;
  const subscriptionBytes = level?.memory?.bytesPerSubscription?.heap ?? 13_000;
  cite('gateway CPU per live push', `${num(pushUs)} µs`, level ? `${fromFull}: "Live pushes", ${int(level.subscriptions)} open subscriptions, gateway CPU during the posts / pushes delivered` : 'estimated');
  cite('gateway heap per open subscription', `${int(subscriptionBytes)} bytes`, level ? `${fromFull}: "Live pushes", memory per subscription at ${int(level.subscriptions)}` : 'estimated');

  // Redis memory per cached timeline.
  const m = full.memory;
  cite('Redis bytes per cached 800-id timeline', `${int(m.meanBytes)} (+${m.genKeyBytes} with a \`:gen\` key; a \`:celebs\` set ${m.celebsSetBytes})`, `${fromFull}: "Redis memory"`);

  // A post: every process's CPU, from the scale step (authors with 1–50 followers: the fixed part of a post).
  const post = scale.scale.posts.cpuMsPerPost;
  const postMs = { ...post.stack, ...post.servers };
  cite('CPU per post (postTweet, 1–50 followers), by process', `${Object.entries(postMs).filter(([, v]) => v >= 0.005).map(([name, v]) => `${name} ${ms3(v)}`).join(', ')}`, `${fromScale}: "What a post costs" (FerretDB and PostgreSQL stand in for MongoDB)`);

  // The fan-out per insert: the steady run, less the fixed part of its posts.
  const paced = scale.scale.fanout.paced;
  const perInsert = (/** @type {string} */ name, /** @type {number} */ fixedMs) => {
    const cpu = paced.cpuMs.stack[name] ?? paced.cpuMs.servers[name] ?? 0;
    const variable = (cpu - paced.posts * fixedMs) / paced.inserts;
    return Math.max(variable, cpu / paced.inserts / 2) * 1000; // µs; never below half the plain share
  };
  const insertUs = { timeline: perInsert('timeline', postMs.timeline ?? 0), redis: perInsert('redis', postMs.redis ?? 0), kafka: 0 };
  cite('fan-out CPU per timeline insert (steady, the product\'s consumer)', `timeline ${num(insertUs.timeline)} µs, Redis ${num(insertUs.redis)} µs (${int(paced.insertsPerCoreSecond)} inserts per core-second of both, posts' fixed part included)`, `${fromScale}: "Fan-out", the steady row (${int(paced.rate)} posts/s, ${int(paced.inserts)} inserts), less the posts' fixed part above`);
  const burst = scale.scale.fanout.one;
  // One consumer instance handles one event at a time: its inserts per second of handler time (steady, in order).
  const consumerInsertsPerSecond = paced.inserts / ((paced.handlerMs.mean * paced.handlerMs.count) / 1000);
  cite('one fan-out consumer\'s throughput (one event at a time)', `${int(consumerInsertsPerSecond)} inserts per second of handler time in the steady run; ${int(burst.insertsPerSecond)} inserts/s in the burst (${(100 * burst.insertedBelowHead / (burst.insertedAtHead + burst.insertedBelowHead)).toFixed(0)}% of them out of order, Redis ${burst.cpuUsPerInsert.redis} µs an insert)`, `${fromScale}: "Fan-out", the steady row (handler p50 ${paced.handlerMs.p50} ms, mean ${paced.handlerMs.mean} ms over ${paced.handlerMs.count} posts) and the burst with one consumer`);

  // Sizes.
  const kinds = scale.scale.sizes.redis.byKind;
  const kind = (/** @type {RegExp} */ pattern) => Object.entries(kinds).find(([name]) => pattern.test(name))?.[1];
  const card = kind(/^timeline:card:/);
  const author = kind(/^timeline:author:/);
  const recent = kind(/^timeline:recent:/);
  const bytesPerId = m.bytesPerEntry;
  const recentBase = recent ? Math.max(40, recent.meanBytes - (recent.meanLength ?? 0) * bytesPerId) : 60;
  cite('Redis bytes per tweet card, per cached author, per recent list', `${int(card?.meanBytes ?? 350)}, ${int(author?.meanBytes ?? 220)}, ${int(recentBase)} + ${bytesPerId} per id`, `${fromScale}: "Sizes", Redis by key kind (and the timeline's bytes per id above)`);
  const mongo = scale.scale.sizes.mongo;
  cite('MongoDB BSON bytes per document', Object.entries(mongo).map(([name, c]) => `${name} ${c.meanBsonBytes}`).join(', '), `${fromScale}: "Sizes", MongoDB by collection`);
  const pubsubCall = [burst, paced].flatMap((run) => run.redisCommands?.top ?? []).find((c) => c.command.startsWith('pubsub'));
  cite('Redis per listening check (PUBSUB SHARDNUMSUB, up to 500 channels)', `${pubsubCall ? pubsubCall.usecPerCall : 3} µs`, pubsubCall ? `${fromScale}: "Fan-out", Redis's busiest commands` : 'estimated');
  const reads = scale.scale.reads;
  cite('reads, one copy against two on this box', `${reads.ratio}× (${int(reads.one.throughput)} → ${int(reads.two.throughput)} pages/s)`, `${fromScale}: "Scale", reads`);
  cite('fan-out burst, one consumer against two on this box', `${scale.scale.fanout.ratio}× (${int(burst.insertsPerSecond)} → ${int(scale.scale.fanout.two.insertsPerSecond)} inserts/s)`, `${fromScale}: "Scale", fan-out`);

  const benchCelebritiesPerUser = (full.network.celebrities ?? []).reduce((sum, x) => sum + x.followers, 0) / full.network.users;
  return {
    benchCelebritiesPerUser, consumerInsertsPerSecond, cited, page, sessionCheckMs, pushUs, subscriptionBytes, memory: m, postMs, insertUs, burst, paced,
    cardBytes: card?.meanBytes ?? 350, authorBytes: author?.meanBytes ?? 220, recentBase, bytesPerId, mongo,
    pubsubUs: pubsubCall?.usecPerCall ?? 3, reads, fanoutRatio: scale.scale.fanout.ratio, partitions: scale.scale.topic.partitions,
  };
}

// ---------------------------------------------------------------- the model

/** @param {number} n @param {ReturnType<typeof networkAt>} net @param {ReturnType<typeof measuredCosts>} c */
function modelAt(n, net, c) {
  const dau = n * A('dailyActiveShare');
  const peak = A('peakFactor');
  const readsPerSecond = (dau * A('readsPerActive') / DAY) * peak;
  const postsPerSecond = (dau * A('postsPerActive') / DAY) * peak;
  const cached = A('cachedShare');
  const online = A('dailyActiveShare') * A('onlineShare'); // share of all users with a socket open at the peak
  const sockets = n * online;
  const fan = (/** @type {'uniform' | 'skewed'} */ kind) => {
    const insertsPerPost = net[kind].fannedOutPerPost * cached + cached; // the followers' cached timelines, and the author's own
    const pushesPerPost = net[kind].followersPerPost * online;
    return { insertsPerPost, pushesPerPost, insertsPerSecond: postsPerSecond * insertsPerPost, pushesPerSecond: postsPerSecond * pushesPerPost };
  };
  const uniform = fan('uniform');
  const skewed = fan('skewed');
  const sessionChecks = readsPerSecond * A('sessionChecksPerPage');
  // The measured page already merged the bench's celebrity for the share of viewers who follow it.
  const celebrityMergeMs = (Math.max(0, net.celebritiesFollowedPerUser - c.benchCelebritiesPerUser) * A('celebrityMergeUs')) / 1000;

  /** CPU-seconds per second of each service and Redis at the peak, for a posting pattern. @param {typeof uniform} f */
  const cores = (f) => {
    const p = c.page;
    const post = c.postMs;
    return {
      gateway: readsPerSecond * p.gateway / 1000 + postsPerSecond * (post.gateway ?? 0) / 1000 + f.pushesPerSecond * c.pushUs / 1e6,
      timeline: readsPerSecond * (p.timeline + celebrityMergeMs) / 1000 + postsPerSecond * (post.timeline ?? 0) / 1000 + f.insertsPerSecond * c.insertUs.timeline / 1e6,
      users: sessionChecks * c.sessionCheckMs / 1000 + postsPerSecond * (post.users ?? 0) / 1000,
      tweets: readsPerSecond * (p.tweets ?? 0) / 1000 + postsPerSecond * (post.tweets ?? 0) / 1000,
      notifications: readsPerSecond * (p.notifications ?? 0) / 1000 + postsPerSecond * (post.notifications ?? 0) / 1000,
      redis: readsPerSecond * p.redis / 1000 + postsPerSecond * (post.redis ?? 0) / 1000 + f.insertsPerSecond * c.insertUs.redis / 1e6,
    };
  };
  const instances = (/** @type {number} */ busy) => Math.max(A('minInstances'), Math.ceil(busy / A('utilisation')));

  // Redis memory.
  const postsPerDay = dau * A('postsPerActive');
  const perUserPerDay = A('dailyActiveShare') * A('postsPerActive');
  const recentLength = Math.min(A('timelineLength'), perUserPerDay * A('historyDays'));
  const followsCelebrity = Math.min(1, net.celebritiesFollowedPerUser);
  const redis = {
    homes: n * cached * (c.memory.meanBytes + followsCelebrity * (c.memory.celebsSetBytes ?? 120)),
    recents: n * (c.recentBase + recentLength * c.bytesPerId),
    cards: postsPerDay * A('cardDays') * c.cardBytes,
    authors: n * A('authorShare') * c.authorBytes,
    live: sockets * A('liveBytes'),
  };
  const redisBytes = Object.values(redis).reduce((a, b) => a + b, 0) * A('redisOverhead');
  const redisCpu = cores(uniform).redis;
  const redisCpuSkewed = cores(skewed).redis;
  const redisShards = Math.max(1, Math.ceil(redisBytes / (A('redisShardGB') * GB)), Math.ceil(redisCpuSkewed / A('utilisation')));

  // Kafka: the tweets topic; the fan-out consumers it needs.
  const eventBytes = 450;
  const fanoutCores = (/** @type {typeof uniform} */ f) => postsPerSecond * ((c.postMs.timeline ?? 0) / 1000) + f.insertsPerSecond * (c.insertUs.timeline + c.insertUs.redis) / 1e6;
  // One consumer instance handles one event at a time: planned at the utilisation target of its handler time, and of a core.
  const consumers = (/** @type {typeof uniform} */ f) => Math.max(A('minInstances'),
    Math.ceil(f.insertsPerSecond / (A('utilisation') * c.consumerInsertsPerSecond)), Math.ceil(fanoutCores(f) / A('utilisation')));
  const partitions = (/** @type {number} */ needed) => Math.max(12, Math.ceil((2 * needed) / 12) * 12);

  // MongoDB, per collection.
  const tweets = postsPerDay * A('tweetDays');
  const likes = dau * A('likesPerActive') * A('tweetDays');
  const edges = n * A('follows');
  const measured = (/** @type {string} */ name, /** @type {number} */ fallback) => c.mongo[name]?.meanBsonBytes ?? fallback;
  const indexCount = (/** @type {string} */ name, /** @type {number} */ fallback) => c.mongo[name]?.indexes?.length ?? fallback;
  /** @type {Array<{ name: string, docs: number, bson: number, indexes: number, estimated: boolean }>} */
  const collections = [
    { name: 'users.users', docs: n, bson: measured('users.users', 420), indexes: indexCount('users.users', 4), estimated: false },
    { name: 'users.follows', docs: edges, bson: measured('users.follows', 195), indexes: indexCount('users.follows', 4), estimated: false },
    { name: 'tweets.tweets', docs: tweets, bson: measured('tweets.tweets', 295), indexes: indexCount('tweets.tweets', 3), estimated: false },
    { name: 'tweets.likes', docs: likes, bson: measured('users.follows', 195), indexes: 3, estimated: true },
    { name: 'timeline.authors', docs: n, bson: measured('timeline.authors', 117), indexes: indexCount('timeline.authors', 1), estimated: false },
    { name: 'timeline.follow_graph', docs: edges, bson: measured('timeline.follow_graph', 144), indexes: indexCount('timeline.follow_graph', 3), estimated: false },
    { name: 'timeline.tweets', docs: tweets, bson: measured('timeline.tweets', 233), indexes: indexCount('timeline.tweets', 2), estimated: false },
    { name: 'timeline.like_edges', docs: likes, bson: measured('timeline.follow_graph', 144), indexes: 2, estimated: true },
    { name: 'timeline.like_counts', docs: Math.min(tweets, likes), bson: 60, indexes: 1, estimated: true },
    { name: 'notifications.notifications', docs: (dau * A('likesPerActive') + n * A('follows') / 365) * A('notificationDays'), bson: A('notificationBytes'), indexes: 3, estimated: true },
  ].map((x) => ({ ...x, data: x.docs * x.bson, disk: x.docs * x.bson * A('mongoCompression'), indexBytes: x.docs * x.indexes * A('mongoIndexEntryBytes') }));
  const mongoDisk = collections.reduce((sum, x) => sum + x.disk + x.indexBytes, 0);
  const mongoIndexes = collections.reduce((sum, x) => sum + x.indexBytes, 0);
  // Hot indexes: the collections that do not grow with time whole, the others' recent days.
  const growing = /tweets|like|notifications\.notifications/;
  const hotIndexes = collections.reduce((sum, x) => sum + (growing.test(x.name) && !/authors/.test(x.name)
    ? x.indexBytes * Math.min(1, A('hotDays') / (/notifications\./.test(x.name) ? A('notificationDays') : A('tweetDays'))) : x.indexBytes), 0);
  const mongoShards = Math.max(1, Math.ceil(mongoDisk / (A('mongoShardDiskTB') * 1e12)), Math.ceil(hotIndexes / (A('mongoShardIndexGB') * GB)));
  const mongoWrites = postsPerSecond * 4 + (dau * A('likesPerActive') / DAY) * peak * 4;

  // A celebrity's post, and the biggest fanned-out one.
  const celebrity = {
    followers: net.biggest,
    listeningCalls: Math.ceil(net.biggest / 500),
    listeningRedisSeconds: (Math.ceil(net.biggest / 500) * c.pubsubUs) / 1e6,
    followGraphSeconds: net.biggest / A('followGraphReadPerSecond'),
    pushes: net.biggest * online,
    pushGatewaySeconds: (net.biggest * online * c.pushUs) / 1e6,
    readCostMs: A('celebrityMergeUs') / 1000,
    readersPerSecond: readsPerSecond * Math.min(1, net.biggest / n),
  };
  const biggestFannedOut = Math.min(A('celebrityFollowers'), net.biggest);
  const tenK = Math.min(10_000, biggestFannedOut);
  const bigPost = {
    tenKSeconds: (tenK * cached) / c.consumerInsertsPerSecond + tenK / A('followGraphReadPerSecond'),
    followers: biggestFannedOut,
    inserts: biggestFannedOut * cached,
    cpuSeconds: (biggestFannedOut * cached * (c.insertUs.timeline + c.insertUs.redis)) / 1e6,
    seconds: (biggestFannedOut * cached) / c.consumerInsertsPerSecond + biggestFannedOut / A('followGraphReadPerSecond'),
    pushes: biggestFannedOut * online,
  };

  return {
    n, net, dau, readsPerSecond, postsPerSecond, sockets, sessionChecks, uniform, skewed,
    cores: { uniform: cores(uniform), skewed: cores(skewed) }, instances,
    redis, redisBytes, redisCpu, redisCpuSkewed, redisShards,
    kafka: { eventBytes, eventsPerSecond: postsPerSecond, mbPerSecond: (postsPerSecond * eventBytes) / 1e6,
      consumers: { uniform: consumers(uniform), skewed: consumers(skewed) }, fanoutCores: { uniform: fanoutCores(uniform), skewed: fanoutCores(skewed) },
      partitions: { uniform: partitions(consumers(uniform)), skewed: partitions(consumers(skewed)) } },
    collections, mongoDisk, mongoIndexes, hotIndexes, mongoShards, mongoWrites, celebrity, bigPost, gatewayHeap: sockets * c.subscriptionBytes,
  };
}

// ---------------------------------------------------------------- the document

/** @param {any[]} models @param {ReturnType<typeof measuredCosts>} c @param {{ full: string, scale: string }} files @param {any} full @param {any} scale @param {number} alpha */
function documentText(models, c, files, full, scale, alpha) {
  const cols = models.map((m) => users(m.n));
  const head = (/** @type {string} */ first) => [`| ${first} | ${cols.join(' | ')} |`, `|---|${cols.map(() => '---:|').join('')}`];
  const row = (/** @type {string} */ name, /** @type {(m: any) => string} */ cell) => `| ${name} | ${models.map(cell).join(' | ')} |`;
  /** A row of the MongoDB table, whose first three columns name the collection. */
  const mongoRow = (/** @type {string} */ name, /** @type {(m: any) => string} */ cell) => `| ${name} | | | ${models.map(cell).join(' | ')} |`;
  const s = scale.scale;
  const sumCores = (/** @type {any} */ m, /** @type {'uniform' | 'skewed'} */ kind) => SERVICES.reduce((sum, name) => sum + m.instances(m.cores[kind][name]), 0);
  return [
    '# Capacity: Chirp at 1M, 10M and 100M users',
    '',
    `Generated by \`node scripts/bench/capacity.js\` (${new Date().toISOString().slice(0, 10)}) from the bench's measurements; change an assumption with \`--assume key=value\` and run it again rather than editing this file. Every measured figure below names its report and the command that made it. The model is arithmetic on those figures: per-core costs measured on a 2-core box shared by the servers, the load generator and the stack (so, if anything, high: CPU per request rises when processes contend for cores), multiplied by the load the assumptions give. It sizes the tiers; it does not replace a load test on the target hardware.`,
    '',
    '![cores by service](capacity-cores.svg) ![Redis memory](capacity-redis.svg)',
    '',
    '## The measured figures',
    '',
    '| Figure | Value | From |',
    '|---|---|---|',
    ...c.cited.map((x) => `| ${x.figure} | ${x.value} | ${x.source} |`),
    '',
    `The full report ran on ${full.machine.nproc} CPUs (${full.machine.cpuModel}), load average ${full.loadAverage?.atStart?.join(', ')} before and ${full.loadAverage?.atEnd?.join(', ')} after; the scale step's on ${scale.machine.nproc}, load average ${scale.loadAverage?.atStart?.join(', ')} before and ${scale.loadAverage?.atEnd?.join(', ')} after (other engineers' work shares the box).`,
    '',
    '## Assumptions',
    '',
    '| Assumption | Value | What |',
    '|---|---|---|',
    ...Object.entries(ASSUMPTIONS).map(([key, a]) => `| \`${key}\` | ${num(a.value)} ${a.unit} | ${a.what} |`),
    '',
    `**The follower law** is the bench's (\`scripts/bench/network.js\`): Zipf, rank k with c₀·k^-α followers, α = ${alpha.toFixed(3)} (the exponent the generator solves for its 100K-user network: mean ${A('follows')} follows, the biggest account at 55,001 followers), extended here to more users with the same α and mean and without the bench's cap (the bench stops the biggest account just above the celebrity threshold; a real network's top accounts grow with it). The bench's 20K-user network has mean 12.7 followers, median 4, p99 116; its 100K-user one mean 12.0, median 3, p99 108, the biggest 55,001.`,
    '',
    '## The network at each size',
    '',
    ...head('Users'),
    row('daily actives', (m) => int(m.dau)),
    row('followers: median / p99 / biggest account', (m) => `${num(m.net.median)} / ${num(m.net.p99)} / ${int(m.net.biggest)}`),
    row(`celebrities (over ${int(A('celebrityFollowers'))} followers: merged at read)`, (m) => int(m.net.celebrities)),
    row('follows that go to celebrities', (m) => `${(100 * m.net.celebrityEdgeShare).toFixed(1)}% (${num(m.net.celebritiesFollowedPerUser)} per user)`),
    row('followers per post: every active as likely to post (fanned out)', (m) => `${num(m.net.uniform.followersPerPost)} (${num(m.net.uniform.fannedOutPerPost)})`),
    row('followers per post: posting skewed as the bench\'s tweets (fanned out)', (m) => `${int(m.net.skewed.followersPerPost)} (${int(m.net.skewed.fannedOutPerPost)})`),
    '',
    `**Posting skew.** The bench gives each author 1 + followers/12 tweets (at most 1,000): popular accounts post more. If posts follow that skew, a post reaches far more followers than the mean; the fan-out rows below give both, the even spread first. Which one holds is the single largest unknown of the fan-out: measure it on real traffic.`,
    '',
    '## Load at the peak',
    '',
    ...head('At the peak hour'),
    row('home pages/s', (m) => int(m.readsPerSecond)),
    row('posts/s', (m) => int(m.postsPerSecond)),
    row('fan-out inserts/s (even / skewed posting)', (m) => `${int(m.uniform.insertsPerSecond)} / ${int(m.skewed.insertsPerSecond)}`),
    row('live pushes/s (even / skewed)', (m) => `${int(m.uniform.pushesPerSecond)} / ${int(m.skewed.pushesPerSecond)}`),
    row('open subscriptions', (m) => int(m.sockets)),
    row('session checks/s (users subgraph → MongoDB)', (m) => int(m.sessionChecks)),
    '',
    '## Cores per service',
    '',
    `CPU-seconds per second at the peak from the measured costs (a page: ${Object.entries(c.page).map(([k, v]) => `${k} ${v.toFixed(3)}`).join(', ')} ms; plus ${A('celebrityMergeUs')} µs of the timeline per celebrity followed; a session check ${c.sessionCheckMs.toFixed(2)} ms of the users subgraph; a post's fixed part; ${num(c.insertUs.timeline)} µs of the timeline and ${num(c.insertUs.redis)} µs of Redis per insert; ${num(c.pushUs)} µs of the gateway per push), then instances at ${A('utilisation') * 100}% of a core each, at least ${A('minInstances')}. With skewed posting in brackets where it differs.`,
    '',
    ...head('Service'),
    ...SERVICES.map((name) => row(name, (m) => {
      const even = m.cores.uniform[name];
      const skew = m.cores.skewed[name];
      const text = `${num(even)} busy → **${m.instances(even)}**`;
      return m.instances(skew) !== m.instances(even) ? `${text} (${num(skew)} → ${m.instances(skew)})` : text;
    })),
    row('all five, cores', (m) => `**${sumCores(m, 'uniform')}**${sumCores(m, 'skewed') !== sumCores(m, 'uniform') ? ` (${sumCores(m, 'skewed')})` : ''}`),
    row('gateway heap for the open subscriptions (open subscriptions per gateway)', (m) => `${gb(m.gatewayHeap)} (${int(m.sockets / m.instances(m.cores.uniform.gateway))})`),
    '',
    `The gateway and the timeline are stateless between requests (sessions, cards and timelines live in Redis), so these are instances behind a load balancer; the scale step measured what a second copy does on this box (below). The users subgraph's share is almost all session checks: \`sessionChecksPerPage\` is its lever (a longer check interval, or one cache shared by the gateways).`,
    '',
    '## Redis',
    '',
    ...head('Redis'),
    row(`home timelines (${(A('cachedShare') * 100).toFixed(0)}% of users, ${int(c.memory.meanBytes)} B each)`, (m) => gb(m.redis.homes)),
    row(`recent lists (every author, ${num(Math.min(A('timelineLength'), A('dailyActiveShare') * A('postsPerActive') * A('historyDays')))} ids each)`, (m) => gb(m.redis.recents)),
    row(`tweet cards (${A('cardDays')} days of posts, ${int(c.cardBytes)} B each)`, (m) => gb(m.redis.cards)),
    row(`authors (${A('authorShare') * 100}% of users, ${int(c.authorBytes)} B each)`, (m) => gb(m.redis.authors)),
    row('live subscriptions\' channels', (m) => gb(m.redis.live)),
    row(`**in all** (×${A('redisOverhead')} overhead)`, (m) => `**${gb(m.redisBytes)}**`),
    row('CPU at the peak, cores (even / skewed posting)', (m) => `${num(m.redisCpu)} / ${num(m.redisCpuSkewed)}`),
    row(`**shards** (${A('redisShardGB')} GB usable, ${A('utilisation') * 100}% of a thread each)`, (m) => `**${m.redisShards}**`),
    row('memory with one replica per shard', (m) => gb(2 * m.redisBytes)),
    '',
    'Home timelines, recent lists and live channels are keyed by user (a home\'s keys share a hash tag, `home:{<id>}`), so they spread over a Redis Cluster\'s slots; a fan-out chunk is grouped by slot and sent to each node in one pipeline. Memory, not CPU, sets the shard count: a page costs Redis about a tenth of a millisecond, an insert a few µs.',
    '',
    '## Kafka',
    '',
    ...head('`tweets.tweets` and the fan-out group'),
    row('events/s at the peak (posts)', (m) => int(m.kafka.eventsPerSecond)),
    row(`MB/s (about ${m0(models).kafka.eventBytes} bytes an event)`, (m) => num(m.kafka.mbPerSecond)),
    row('fan-out CPU, cores (even / skewed)', (m) => `${num(m.kafka.fanoutCores.uniform)} / ${num(m.kafka.fanoutCores.skewed)}`),
    row('fan-out consumer instances (even / skewed)', (m) => `${m.kafka.consumers.uniform} / ${m.kafka.consumers.skewed}`),
    row('**partitions** (twice the consumers, a multiple of 12, at least 12)', (m) => `**${m.kafka.partitions.uniform}** / **${m.kafka.partitions.skewed}**`),
    row(`broker CPU at the measured ${num(c.postMs.kafka ?? 0)} ms a post, cores (an upper bound)`, (m) => num((m.postsPerSecond * (c.postMs.kafka ?? 0)) / 1000)),
    '',
    `Bytes are never the limit (a partition takes megabytes a second). The broker's CPU per post was measured at a few dozen posts a second on the bench's one-broker Kafka, where each post is its own produce request and every consumer group's fetch answers it alone; batching makes it far less per post at these rates, so that row is an upper bound. The partition count caps the consumers of a group: a member beyond it sits idle. A consumer instance handles one event at a time (four chunks of 1,000 followers in flight within it): ${int(c.consumerInsertsPerSecond)} inserts per second of handler time in the steady run, so each is planned at ${A('utilisation') * 100}% of that, and of a core. In a backlog the inserts arrive out of id order and cost Redis far more (the scale step's burst: ${c.burst.cpuUsPerInsert.redis} µs an insert against ${c.paced.cpuUsPerInsert.redis} µs steady), so a fan-out that falls behind catches up slowly: plan the consumers and Redis so it does not. The services create topics with \`KAFKA_PARTITIONS\` partitions (12 by default); a topic keeps its count, so raise it before the consumers need it (adding partitions later moves keys, which the consumers tolerate). The other topics (follows, likes, profiles) carry fewer, smaller events.`,
    '',
    '## MongoDB',
    '',
    `Documents from the assumptions; BSON bytes per document measured on the bench's data (FerretDB, \`scripts/bench/measure-scale.js\`) where the bench loads the collection, estimated (*est.*) where it does not; on disk at ${A('mongoCompression')}× BSON plus ${A('mongoIndexEntryBytes')} bytes per index entry. Shard keys from \`subgraphs/*/src/repositories/mongo/sharding.ts\`.`,
    '',
    `| Collection | Shard key | BSON bytes | ${cols.map((col) => `${col}: documents / on disk`).join(' | ')} |`,
    `|---|---|---:|${cols.map(() => '---:|').join('')}`,
    ...models[0].collections.map((/** @type {any} */ x, /** @type {number} */ k) => `| ${x.name}${x.estimated ? ' (*est.*)' : ''} | ${SHARD_KEYS[/** @type {keyof typeof SHARD_KEYS} */ (x.name)] ?? '—'} | ${int(x.bson)} | ${models.map((m) => `${num(m.collections[k].docs)} / ${gb(m.collections[k].disk + m.collections[k].indexBytes)}`).join(' | ')} |`),
    mongoRow('**in all**: on disk (of which indexes)', (m) => `**${gb(m.mongoDisk)}** (${gb(m.mongoIndexes)})`),
    mongoRow('writes/s at the peak (posts and likes, about 4 each)', (m) => int(m.mongoWrites)),
    mongoRow(`hot indexes (users, follows, the follow graph; ${A('hotDays')} days of tweets, likes, notifications)`, (m) => gb(m.hotIndexes)),
    mongoRow(`**shards** (≤ ${A('mongoShardDiskTB')} TB on disk and ≤ ${A('mongoShardIndexGB')} GB of hot indexes each)`, (m) => `**${m.mongoShards}**`),
    '',
    'The read path does not touch MongoDB while Redis holds the timelines, cards and sessions; what reaches it are session checks (by `_id`, one shard each), cold rebuilds (a returning user\'s follow list: `followerId` is not the shard key, so one indexed read per shard), posts and likes. Tweets and likes grow without bound: at two years they are most of the data, and an archive tier would cap them.',
    '',
    '## A celebrity\'s post, and the biggest fanned-out one',
    '',
    ...head('Post'),
    row('the biggest account\'s followers', (m) => int(m.celebrity.followers)),
    row('· timeline inserts', () => '0 (merged at read)'),
    row('· follow edges read for the live check (`followersOf`, one shard: `followeeId` hashed)', (m) => `${int(m.celebrity.followers)}: ${num(m.celebrity.followGraphSeconds)} s`),
    row('· listening checks (PUBSUB SHARDNUMSUB, 500 a call): calls, Redis CPU', (m) => `${int(m.celebrity.listeningCalls)}, ${num(m.celebrity.listeningRedisSeconds)} s`),
    row('· live pushes, gateway CPU', (m) => `${int(m.celebrity.pushes)}, ${num(m.celebrity.pushGatewaySeconds)} core-s`),
    row('· what its followers\' reads pay: per page, pages/s that pay it', (m) => `${A('celebrityMergeUs')} µs, ${int(m.celebrity.readersPerSecond)}`),
    row(`the biggest fanned-out post (${int(A('celebrityFollowers'))} followers or the biggest account): inserts`, (m) => int(m.bigPost.inserts)),
    row('· CPU (timeline + Redis), time on one consumer', (m) => `${num(m.bigPost.cpuSeconds)} core-s, ${num(m.bigPost.seconds)} s`),
    row('· live pushes', (m) => int(m.bigPost.pushes)),
    '',
    `A celebrity's post costs nothing at write for the timelines (fan-out on read), but the fan-out still reads every follower's edge and asks Redis which of them have a socket open, to push to them: at 100M users that is a read of tens of millions of edges from one MongoDB shard (all of one followee's edges share the shard key) per post, minutes at the assumed ${int(A('followGraphReadPerSecond'))} edges/s, before the first push. That is the step to redesign before such accounts exist: keep the live followers of big accounts in Redis (a set per celebrity, maintained as sockets open and close), or push celebrity posts to every open socket of their followers through a channel per celebrity instead of per follower. Their followers' reads pay a merge per celebrity followed, already in the measured page cost (${int(full.network.celebrities[0]?.followers ?? 0)} of the bench's ${int(full.network.users)} users follow its celebrity). The biggest fanned-out post is ${int(A('celebrityFollowers'))} followers' worth of inserts (the cached ones), about ${num(models[0].bigPost.seconds)} s on one consumer at its steady rate (one event at a time, four chunks in flight; the follow-graph read included); a 10,000-follower post about ${num(models[0].bigPost.tenKSeconds)} s, against the lag target of 1 s at p99 up to 10,000 followers (the bench's lag step measures it end to end).`,
    '',
    '## What the scale step showed on this box',
    '',
    `\`npm run bench -- --users 20000 --only scale\` (${files.scale}): reads **${c.reads.ratio}×** with two gateways and two timelines against one of each (${int(c.reads.one.throughput)} → ${int(c.reads.two.throughput)} pages/s; the bench's own processes used ${c.reads.one.ownCores ?? 'n/a'} of ${scale.machine.nproc} cores with one copy), the fan-out burst **${c.fanoutRatio}×** with two consumer instances against one (${int(c.burst.insertsPerSecond)} → ${int(s.fanout.two.insertsPerSecond)} inserts/s, the topic's ${c.partitions} partitions split ${(s.topic.assignment?.two?.partitions ?? []).map((/** @type {number[]} */ p) => p?.length).join(' + ')}). With two copies a page cost ${(c.reads.two.cpuMsPerPage.stackTotal + c.reads.two.cpuMsPerPage.servers.redis).toFixed(2)} ms of CPU (the stack and Redis) against ${(c.reads.one.cpuMsPerPage.stackTotal + c.reads.one.cpuMsPerPage.servers.redis).toFixed(2)} ms with one (more processes on the same cores), and the burst was held by Redis's one thread (${(c.burst.redisCpuMs / 1000 / c.burst.seconds).toFixed(2)} cores busy with one consumer, ${(s.fanout.two.redisCpuMs / 1000 / s.fanout.two.seconds).toFixed(2)} with two), busy with the out-of-order inserts. On ${scale.machine.nproc} cores that already run everything, a second copy can only use what the first left idle; the ratios measure contention, not what a copy on its own cores adds. Nothing in either path is shared but Redis, Kafka and MongoDB, so on more cores the model above scales copies linearly until those servers are the limit, which is what the Redis and MongoDB rows size.`,
    '',
    '## What this model leaves out',
    '',
    '- Network: every hop here is loopback; across hosts a page adds two network round trips (client → gateway → timeline) and the CPU of TLS where it is used.',
    '- MongoDB\'s CPU: the bench runs FerretDB on PostgreSQL, whose costs are not MongoDB\'s; MongoDB is sized by data, indexes and writes here, not by cores.',
    '- Notifications reads, profile pages, search, media: not in the bench\'s load; likes appear only in MongoDB\'s sizes.',
    '- The follower law: the bench\'s mean of 12 follows is low for a social network (real ones are in the hundreds); `--assume follows=…` scales the follow graph, the fan-out and the pushes with it.',
    `- The fan-out's out-of-order inserts: a consumer that is behind delivers a follower's posts out of id order, and the insert script then reads the whole list (LPOS, LRANGE of up to 800 ids) to place each one: in the scale step's burst ${c.burst.cpuUsPerInsert.redis} µs of Redis per insert against ${c.paced.cpuUsPerInsert.redis} µs in the steady run, with ${(100 * c.burst.insertedBelowHead / (c.burst.insertedAtHead + c.burst.insertedBelowHead)).toFixed(0)}% of the inserts out of order. The model uses the steady figure; a backlog costs Redis an order of magnitude more per insert, which the utilisation target does not absorb. Reading only the top of a list first (a late id almost always belongs near the head) would keep a backlog's inserts near the steady cost.`,
    '',
  ].join('\n');
}

/** The first model (for the per-event constants shown once). @param {any[]} models */
const m0 = (models) => models[0];

/** @param {any[]} models */
function charts(models) {
  const groups = models.map((m) => `${users(m.n)} users`);
  return {
    'capacity-cores.svg': barChart({
      title: 'Instances per service at the peak (even posting)', unit: 'instances', log: true, groups,
      series: [...SERVICES.map((name) => ({ name, values: models.map((m) => m.instances(m.cores.uniform[name])) })),
        { name: 'Redis shards', values: models.map((m) => m.redisShards) }],
    }),
    'capacity-redis.svg': barChart({
      title: 'Redis memory by kind', unit: 'GB', log: true, groups,
      series: [['home timelines', 'homes'], ['recent lists', 'recents'], ['cards', 'cards'], ['authors', 'authors'], ['live channels', 'live']]
        .map(([name, key]) => ({ name, values: models.map((m) => round(m.redis[key] / GB, 3)) })),
    }),
  };
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const files = { full: relative(root, resolve(root, args.full)), scale: relative(root, resolve(root, args.scale)) };
  const read = async (/** @type {string} */ file, /** @type {string} */ hint) => {
    try {
      return JSON.parse(await readFile(resolve(root, file), 'utf8'));
    } catch (error) {
      throw new Error(`${file}: ${error instanceof Error ? error.message : error}; ${hint}`);
    }
  };
  const full = await read(files.full, 'run `npm run bench -- --users 20000` first');
  const scale = await read(files.scale, 'run `npm run bench -- --users 20000 --only scale` first');
  if (!scale.scale) throw new Error(`${files.scale} has no scale step`);
  const { alpha } = zipfLaw({ users: 100_000, avgFollowing: A('follows'), celebrityFollowers: A('celebrityFollowers') });
  const costs = measuredCosts(full, scale, files);
  const models = SCALES.map((n) => modelAt(n, networkAt(n, alpha), costs));
  const text = documentText(models, costs, files, full, scale, alpha);
  if (args.stdout) {
    process.stdout.write(text);
    return;
  }
  const dir = resolve(root, args.out);
  await mkdir(dir, { recursive: true });
  await writeFile(resolve(dir, 'capacity.md'), text);
  for (const [name, svg] of Object.entries(charts(models))) await writeFile(resolve(dir, name), svg);
  console.log(`wrote ${relative(root, resolve(dir, 'capacity.md'))} and ${Object.keys(charts(models)).map((name) => relative(root, resolve(dir, name))).join(', ')}`);
}

main().catch((error) => {
  console.error(`capacity: ${error instanceof Error ? error.message : error}`);
  process.exit(1);
});

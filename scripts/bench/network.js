// The synthetic network: users with a power-law (Zipf) follower distribution,
// their follow edges and tweets, all derived from one seed. Kept in typed
// arrays (compressed sparse rows) so a million users fit in memory, and
// regenerated identically by any process that needs it.

import { createRandom, randomInt, sampleDistinct, shuffle } from './random.js';

/** Twitter's epoch, as in packages/platform/src/ids.ts. */
const EPOCH_MS = 1288834974657n;
/** Node numbers the product's IdGenerator draws at random; the bench uses fixed ones. */
const USER_NODE = 1022n;
const TWEET_NODE = 1023n;
const DAY_MS = 24 * 3600 * 1000;

/** Author classes the lag is measured for: about this many followers each. */
export const AUTHOR_CLASSES = [10, 1000, 10000];

/**
 * @typedef {object} NetworkOptions
 * @property {number} users
 * @property {number} seed
 * @property {number} avgFollowing       mean follows per user
 * @property {number} celebrityFollowers the timeline's celebrity threshold
 * @property {number} maxLength          ids per cached home timeline
 * @property {number} now                ms; tweets are dated in the 7 days before
 */

/**
 * @typedef {object} Network
 * @property {NetworkOptions} options
 * @property {number} users
 * @property {string[]} userIds                  index → 19-digit id
 * @property {Int32Array} followerCount
 * @property {Int32Array} followersStart         CSR by followee (length users + 1)
 * @property {Int32Array} followers
 * @property {Int32Array} followeesStart         CSR by follower
 * @property {Int32Array} followees
 * @property {number} edges
 * @property {number[]} celebrities              indices above the threshold
 * @property {Record<number, number[]>} probes   author class → indices of such authors
 * @property {number} tweets                     count; tweet k is older than k + 1
 * @property {Int32Array} tweetAuthor
 * @property {string[]} tweetIds
 * @property {Float64Array} tweetTime            ms
 * @property {Int32Array} authorTweetsStart      CSR by author, oldest first
 * @property {Int32Array} authorTweets
 */

/** @param {number} index */
export const handleOf = (index) => `b${index.toString(36)}`;

/**
 * A snowflake id (packages/platform/src/ids.ts layout) for a given time.
 *
 * @param {number} ms
 * @param {bigint} node
 * @param {number} sequence
 */
function snowflake(ms, node, sequence) {
  return (((BigInt(Math.floor(ms)) - EPOCH_MS) << 22n) | (node << 12n) | BigInt(sequence & 0xfff)).toString();
}

/**
 * The Zipf law of a network's follower counts: the biggest account's
 * followers (just above the celebrity threshold) and the exponent that makes
 * the edges add up to users × avgFollowing (what zipfCounts uses; the
 * capacity model, capacity.js, extends it to more users).
 *
 * @param {{ users: number, avgFollowing: number, celebrityFollowers: number }} options
 */
export function zipfLaw({ users, avgFollowing, celebrityFollowers }) {
  const biggest = Math.min(users - 1, Math.ceil(celebrityFollowers * 1.1));
  const wanted = users * avgFollowing;
  const total = (/** @type {number} */ alpha) => {
    let sum = biggest;
    for (let r = 1; r < users; r += 1) sum += Math.min(biggest, biggest * (r + 1) ** -alpha);
    return sum;
  };
  let low = 0.3;
  let high = 3;
  for (let step = 0; step < 40; step += 1) {
    const mid = (low + high) / 2;
    if (total(mid) > wanted) low = mid;
    else high = mid;
  }
  return { biggest, alpha: (low + high) / 2 };
}

/**
 * Expected follower counts by rank: rank 0 is the biggest account, just above
 * the celebrity threshold; the rest fall off as rank^-alpha, alpha chosen so
 * that the edges add up to users × avgFollowing.
 *
 * @param {NetworkOptions} options
 * @returns {Float64Array}
 */
function zipfCounts({ users, avgFollowing, celebrityFollowers }) {
  const { biggest, alpha } = zipfLaw({ users, avgFollowing, celebrityFollowers });
  const counts = new Float64Array(users);
  counts[0] = biggest;
  for (let r = 1; r < users; r += 1) counts[r] = Math.min(biggest - 1, biggest * (r + 1) ** -alpha);
  return counts;
}

/**
 * Pins a few authors per class to exactly that many followers (the ranks
 * whose expected count is nearest), so every class exists at every size.
 * A class at or above the celebrity threshold is left out.
 *
 * @param {Float64Array} counts
 * @param {NetworkOptions} options
 * @returns {Record<number, number[]>}
 */
function pinProbes(counts, { users, celebrityFollowers }) {
  /** @type {Record<number, number[]>} */
  const probes = {};
  const used = new Set([0]);
  for (const size of AUTHOR_CLASSES) {
    if (size >= celebrityFollowers || size > users * 0.7) continue;
    const ranks = [];
    for (let r = 1; r < users && ranks.length < 400; r += 1) if (!used.has(r) && counts[r] <= size * 1.5) ranks.push(r);
    ranks.sort((a, b) => Math.abs(counts[a] - size) - Math.abs(counts[b] - size));
    probes[size] = ranks.slice(0, 3);
    for (const r of probes[size]) {
      used.add(r);
      counts[r] = size;
    }
  }
  return probes;
}

/**
 * Turns per-row lists into compressed sparse rows.
 *
 * @param {number} rows
 * @param {(row: number) => ArrayLike<number>} listOf
 */
function toRows(rows, listOf) {
  const start = new Int32Array(rows + 1);
  const lists = [];
  for (let r = 0; r < rows; r += 1) {
    const list = listOf(r);
    lists.push(list);
    start[r + 1] = start[r] + list.length;
  }
  const values = new Int32Array(start[rows]);
  for (let r = 0; r < rows; r += 1) values.set(lists[r], start[r]);
  return { start, values };
}

/**
 * Inverts CSR rows (followee → followers into follower → followees).
 *
 * @param {number} rows
 * @param {Int32Array} start
 * @param {Int32Array} values
 */
function invert(rows, start, values) {
  const inverseStart = new Int32Array(rows + 1);
  for (const v of values) inverseStart[v + 1] += 1;
  for (let r = 0; r < rows; r += 1) inverseStart[r + 1] += inverseStart[r];
  const fill = inverseStart.slice(0, rows);
  const inverse = new Int32Array(values.length);
  for (let r = 0; r < rows; r += 1) {
    for (let k = start[r]; k < start[r + 1]; k += 1) inverse[fill[values[k]]++] = r;
  }
  return { start: inverseStart, values: inverse };
}

/**
 * How many tweets an author has written: popular accounts post more (about
 * one per 12 followers), everyone at least one; at most 1000.
 *
 * @param {() => number} random
 * @param {number} followers
 */
const tweetsOf = (random, followers) => Math.min(1000, 1 + randomInt(random, 2) + Math.floor(followers / 12));

/**
 * Builds the whole network from the options (same options, same network).
 *
 * @param {NetworkOptions} options
 * @returns {Network}
 */
export function generateNetwork(options) {
  const { users, seed, now } = options;
  const random = createRandom(seed);
  const expected = zipfCounts(options);
  const probes = pinProbes(expected, options);
  const followerCount = new Int32Array(users);
  for (let i = 0; i < users; i += 1) {
    followerCount[i] = Math.floor(expected[i]) + (random() < expected[i] % 1 ? 1 : 0);
  }
  const byFollowee = toRows(users, (i) => sampleDistinct(random, users, followerCount[i], i));
  const byFollower = invert(users, byFollowee.start, byFollowee.values);
  const celebrities = [];
  for (let i = 0; i < users; i += 1) if (followerCount[i] > options.celebrityFollowers) celebrities.push(i);

  // Tweets: each author's count, then the whole lot shuffled over the last
  // 7 days in time order, so tweet k is older than tweet k + 1.
  const authorOf = [];
  for (let i = 0; i < users; i += 1) for (let n = tweetsOf(random, followerCount[i]); n > 0; n -= 1) authorOf.push(i);
  const tweetAuthor = shuffle(random, Int32Array.from(authorOf));
  const tweets = tweetAuthor.length;
  const first = now - 7 * DAY_MS;
  const step = (7 * DAY_MS - 60_000) / tweets;
  const tweetTime = new Float64Array(tweets);
  const tweetIds = new Array(tweets);
  for (let k = 0; k < tweets; k += 1) {
    tweetTime[k] = first + k * step;
    tweetIds[k] = snowflake(tweetTime[k], TWEET_NODE, k);
  }
  const byAuthor = invert(tweets, Int32Array.from({ length: tweets + 1 }, (_, k) => k), tweetAuthor);
  // invert() made tweet → author into author → tweets; keep only the first `users` rows.
  const userFirstMs = now - 400 * DAY_MS;
  return {
    options,
    users,
    userIds: Array.from({ length: users }, (_, i) => snowflake(userFirstMs + i * 100, USER_NODE, i)),
    followerCount,
    followersStart: byFollowee.start,
    followers: byFollowee.values,
    followeesStart: byFollower.start,
    followees: byFollower.values,
    edges: byFollowee.values.length,
    celebrities,
    probes,
    tweets,
    tweetAuthor,
    tweetIds,
    tweetTime,
    authorTweetsStart: byAuthor.start.subarray(0, users + 1),
    authorTweets: byAuthor.values,
  };
}

// What the stores hold for each user and tweet of the network: names, tweet
// texts and each user's home timeline. Derived from indices alone (no random
// state), so any process can recompute any one of them.

import { handleOf } from './network.js';

/** @typedef {import('./network.js').Network} Network */

const FIRST = ['Ada', 'Grace', 'Alan', 'Edsger', 'Barbara', 'Donald', 'Frances', 'Ken', 'Radia', 'Dennis', 'Margaret', 'Tim'];
const LAST = ['Lovelace', 'Hopper', 'Turing', 'Dijkstra', 'Liskov', 'Knuth', 'Allen', 'Thompson', 'Perlman', 'Ritchie', 'Hamilton', 'Berners-Lee'];
const WORDS = ('the of a timeline fan out cache redis kafka graph read write tweet follow post reply coffee morning build ship test ' +
  'latency queue shard index replica lunch deploy rollback merge review bench chart metric window hot cold').split(' ');

/** A cheap integer hash (xorshift-multiply), so text depends on the index only. */
const mix = (/** @type {number} */ n) => {
  let x = Math.imul(n ^ (n >>> 15), 0x2c1b3c6d);
  x = Math.imul(x ^ (x >>> 12), 0x297a2d39);
  return (x ^ (x >>> 15)) >>> 0;
};

/**
 * @param {Network} network
 * @param {number} i
 */
export function profileOf(network, i) {
  return {
    id: network.userIds[i],
    handle: handleOf(i),
    firstName: FIRST[i % FIRST.length],
    lastName: LAST[mix(i) % LAST.length],
    avatarUrl: null,
  };
}

/** Tweet text of 8 to 20 words. @param {number} k */
export function tweetText(k) {
  const words = 8 + (mix(k) % 13);
  const out = [];
  for (let w = 0; w < words; w += 1) out.push(WORDS[mix(k * 31 + w) % WORDS.length]);
  return out.join(' ');
}

/**
 * @param {Network} network
 * @param {number} i
 */
export function followersOf(network, i) {
  return network.followers.subarray(network.followersStart[i], network.followersStart[i + 1]);
}

/**
 * @param {Network} network
 * @param {number} i
 */
export function followeesOf(network, i) {
  return network.followees.subarray(network.followeesStart[i], network.followeesStart[i + 1]);
}

/**
 * The home timeline the service would cache for user `u` after a rebuild:
 * the newest `maxLength` tweets of the user and everyone they follow (a
 * rebuild includes celebrities' tweets too; their newer ones are merged at
 * read time), newest first, and whether that reaches the very first tweet.
 * A k-way merge over the authors' tweet lists, which are oldest first.
 *
 * @param {Network} network
 * @param {number} u
 * @returns {{ tweets: number[], complete: boolean, celebrities: number[] }}
 */
export function homeOf(network, u) {
  const { authorTweetsStart: start, authorTweets: list, options } = network;
  const authors = [u, ...followeesOf(network, u)];
  const heads = authors.map((a) => start[a + 1] - 1);
  const floors = authors.map((a) => start[a]);
  const tweets = [];
  while (tweets.length < options.maxLength) {
    let best = -1;
    for (let s = 0; s < heads.length; s += 1) {
      if (heads[s] >= floors[s] && (best < 0 || list[heads[s]] > list[heads[best]])) best = s;
    }
    if (best < 0) break;
    tweets.push(list[heads[best]]);
    heads[best] -= 1;
  }
  const complete = tweets.length < options.maxLength;
  const celebrities = authors.slice(1).filter((a) => network.followerCount[a] > options.celebrityFollowers);
  return { tweets, complete, celebrities };
}

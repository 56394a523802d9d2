// What the bench sends: the home timeline through the gateway (the card
// only, as the bare handler serves it, and the README's Home query with its
// likes and cursor), the card page from the bare handler, and postTweet.

import { EventTypes, Topics } from '@chirp/platform';
import { round } from './stats.js';

/** The card only: what the bare handler serves too, so both paths' pages can be compared. */
export const CARD_QUERY = 'query { homeTimeline(first: 20) { edges { node { text author { handle displayName } } } } }';
/**
 * The README's Home query, as a client pages with it: the likes too (the
 * tweets subgraph answers likeCount and likedByViewer), and the cursor.
 */
export const HOME_QUERY = 'query Home($after: String) { homeTimeline(first: 20, after: $after) { edges { node { id text createdAt likeCount likedByViewer author { handle displayName avatarUrl } } } pageInfo { hasNextPage endCursor } } }';
const POST_TWEET = 'mutation Post($text: String!) { postTweet(text: $text) { id } }';

/** @typedef {{ id: string, token: string, after?: string }} Viewer  after: the cursor a paged read sends */

/**
 * Cycles through the viewers, one request each: `query` with each viewer's
 * token, and its `after` cursor when the query pages.
 *
 * @param {string} gatewayUrl
 * @param {Viewer[]} viewers
 * @param {string} [query]  CARD_QUERY by default
 */
export function gatewayHome(gatewayUrl, viewers, query = CARD_QUERY) {
  const path = new URL(gatewayUrl).pathname;
  // Built once per viewer: the load generator's own CPU should go to sending.
  const requests = viewers.map((viewer) => ({
    method: 'POST',
    path,
    body: JSON.stringify(query === CARD_QUERY ? { query } : { query, variables: viewer.after ? { after: viewer.after } : {} }),
    headers: { 'content-type': 'application/json', authorization: `Bearer ${viewer.token}` },
  }));
  let next = 0;
  return {
    url: gatewayUrl,
    makeRequest: () => requests[next++ % requests.length],
    isGood: (/** @type {number} */ status, /** @type {string} */ body) => status === 200 && body.includes('"edges"') && !body.includes('"errors"'),
  };
}

/**
 * One page of the Home query for a viewer, as a client reads it.
 *
 * @param {string} gatewayUrl
 * @param {Viewer} viewer
 * @param {string | undefined} after
 * @returns {Promise<{ edges: number, hasNextPage: boolean, endCursor: string | null }>}
 */
export async function homePage(gatewayUrl, viewer, after) {
  const response = await fetch(gatewayUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${viewer.token}` },
    body: JSON.stringify({ query: HOME_QUERY, variables: after ? { after } : {} }),
  });
  const answer = /** @type {any} */ (await response.json());
  if (answer.errors || !answer.data?.homeTimeline) throw new Error(`Home failed: ${JSON.stringify(answer.errors ?? answer)}`);
  const { edges, pageInfo } = answer.data.homeTimeline;
  return { edges: edges.length, hasNextPage: pageInfo.hasNextPage, endCursor: pageInfo.endCursor };
}

/**
 * @param {string} bareUrl
 * @param {Viewer[]} viewers
 */
export function bareHome(bareUrl, viewers) {
  let next = 0;
  return {
    url: bareUrl,
    makeRequest: () => ({ method: 'GET', path: `/home/${viewers[next++ % viewers.length].id}`, headers: {} }),
    isGood: (/** @type {number} */ status, /** @type {string} */ body) => status === 200 && body.includes('"edges"'),
  };
}

/**
 * Posts through the gateway; resolves to the new tweet's id and how long the mutation took.
 *
 * @param {string} gatewayUrl
 * @param {string} token
 * @param {string} text
 */
export async function postTweet(gatewayUrl, token, text) {
  const started = performance.now();
  const response = await fetch(gatewayUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query: POST_TWEET, variables: { text } }),
    signal: AbortSignal.timeout(90_000),
  });
  const answer = /** @type {any} */ (await response.json());
  if (!answer.data?.postTweet?.id) throw new Error(`postTweet failed: ${JSON.stringify(answer.errors ?? answer)}`);
  return { id: /** @type {string} */ (answer.data.postTweet.id), ms: round(performance.now() - started) };
}

/**
 * One page through either path, as the texts and handles shown.
 *
 * @param {{ url: string, makeRequest: () => any }} target
 */
export async function fetchPage(target) {
  const spec = target.makeRequest();
  const response = await fetch(new URL(spec.path, target.url), { method: spec.method, headers: spec.headers, body: spec.body });
  const answer = /** @type {any} */ (await response.json());
  if (answer.errors) throw new Error(`homeTimeline failed: ${JSON.stringify(answer.errors)}`);
  return answer.data.homeTimeline.edges.map((/** @type {any} */ edge) => `${edge.node.author.handle}: ${edge.node.text}`);
}

/**
 * The event the tweets subgraph publishes for a new tweet (its
 * tweetChangedEvent), sent straight to Kafka: a post with the tweets
 * subgraph's own write left out, for isolating what the timeline does.
 *
 * @param {import('@chirp/platform').EventBus} bus
 * @param {string} authorId
 * @param {string} tweetId
 * @param {string} text
 */
export async function publishTweetEvent(bus, authorId, tweetId, text) {
  const createdAt = new Date().toISOString();
  await bus.publish(Topics.tweets, [{
    id: `tweet:${tweetId}:v1`,
    type: EventTypes.tweetPosted,
    occurredAt: createdAt,
    key: authorId,
    payload: { tweetId, authorId, version: 1, text, createdAt, editedAt: null, deleted: false },
  }]);
}

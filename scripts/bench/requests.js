// What the bench sends: the home timeline query through the gateway, the
// same page from the bare handler, and postTweet.

import { EventTypes, Topics } from '@chirp/platform';
import { round } from './stats.js';

export const HOME_QUERY = 'query { homeTimeline(first: 20) { edges { node { text author { handle displayName } } } } }';
const POST_TWEET = 'mutation Post($text: String!) { postTweet(text: $text) { id } }';

/** @typedef {{ id: string, token: string }} Viewer */

/**
 * Cycles through the viewers, one request each.
 *
 * @param {string} gatewayUrl
 * @param {Viewer[]} viewers
 */
export function gatewayHome(gatewayUrl, viewers) {
  const path = new URL(gatewayUrl).pathname;
  const body = JSON.stringify({ query: HOME_QUERY });
  let next = 0;
  return {
    url: gatewayUrl,
    makeRequest: () => {
      const viewer = viewers[next++ % viewers.length];
      return { method: 'POST', path, body, headers: { 'content-type': 'application/json', authorization: `Bearer ${viewer.token}` } };
    },
    isGood: (/** @type {number} */ status, /** @type {string} */ body) => status === 200 && body.includes('"edges"') && !body.includes('"errors"'),
  };
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

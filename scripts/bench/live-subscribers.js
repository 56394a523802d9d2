// Child process of the live push step (measure-live.js): opens one
// graphql-ws socket and one subscription per subscriber it is given, and
// notes when each socket receives each tweet. The subscribers live outside
// the bench's own process so that its work (posting, polling, Redis) never
// delays a receive time, and the sockets are opened in true waves: the next
// wave starts once every socket of this one has its `connection_ack`.
//
// Times are `performance.timeOrigin + performance.now()`: milliseconds since
// the epoch with sub-millisecond resolution, the same time base in every
// process on the box (the bench compares them with its own post times and
// with Kafka's record timestamps).
//
//   → { type: 'ready' }
//   ← { id, type: 'open', url, query, subscribers: [{ token }], wave }
//        → { id, opened, failed, errors, closes, seconds }   (errors and closes: counts by code)
//   ← { id, type: 'resubscribe', query, wave }  → { id, changed }  every subscription not selecting `query`
//                                       is completed and made again with it
//   ← { id, type: 'count', tweetId }    → { id, received }  sockets that have received it
//   ← { id, type: 'times', tweetId }    → { id, times }     receive time per subscriber, in the order
//                                                           given (null: not received)
//   ← { id, type: 'usage' }             → { id, cpuMs, dropped, subscriptionErrors }  CPU since the last call;
//                                       sockets closed after opening; subscription errors so far, by message
//   ← { type: 'stop' }                  closes every socket and exits

import { createClient } from 'graphql-ws';
import WebSocket from 'ws';

/** Epoch milliseconds, sub-millisecond resolution, comparable across processes. */
const now = () => performance.timeOrigin + performance.now();
/** How long one socket may take to be acknowledged before it counts as failed. */
const OPEN_TIMEOUT_MS = 120_000;

/** @type {Array<import('graphql-ws').Client>} */
const clients = [];
/** Each socket's subscription: what it selects, and how to complete it. */
const subscriptions = /** @type {Array<{ query: string, complete: () => void }>} */ ([]);
/** @type {Map<string, number>} subscription errors by message, since the start */
const subscriptionErrors = new Map();
/** Receive times by tweet id, one slot per subscriber (NaN until received). */
const times = new Map();
/** Sockets that have received each tweet id. */
const counts = new Map();
let dropped = 0;
let cpu = process.cpuUsage();

/** @param {number} index @param {string | undefined} tweetId */
function record(index, tweetId) {
  const at = now();
  if (!tweetId) return;
  let slots = times.get(tweetId);
  if (!slots) {
    slots = new Float64Array(clients.length).fill(NaN);
    times.set(tweetId, slots);
  }
  if (index < slots.length && Number.isNaN(slots[index])) {
    slots[index] = at;
    counts.set(tweetId, (counts.get(tweetId) ?? 0) + 1);
  }
}

/**
 * Subscribes socket `index` with `query` (sent once the socket is acknowledged).
 * @param {number} index @param {string} query
 */
function subscribe(index, query) {
  const complete = clients[index].subscribe({ query }, {
    next: (/** @type {any} */ result) => record(index, result.data?.homeTimelineTweetAdded?.id),
    error: (error) => bump(subscriptionErrors, String(/** @type {any} */ (error)?.[0]?.message ?? /** @type {any} */ (error)?.message ?? error)),
    complete: () => {},
  });
  subscriptions[index] = { query, complete };
}

/**
 * Every socket whose subscription selects something else completes it and subscribes with `query`,
 * `wave` sockets per turn of the event loop.
 * @param {{ query: string, wave: number }} request
 */
async function resubscribe({ query, wave }) {
  let changed = 0;
  for (let index = 0; index < clients.length; index += 1) {
    if (subscriptions[index]?.query === query) continue;
    subscriptions[index]?.complete();
    subscribe(index, query);
    changed += 1;
    if (changed % wave === 0) await new Promise((resolve) => setImmediate(resolve));
  }
  return { changed };
}

/** @param {Map<string, number>} map @param {string} key */
const bump = (map, key) => map.set(key, (map.get(key) ?? 0) + 1);

/**
 * @param {{ url: string, query: string, subscribers: Array<{ token: string }>, wave: number }} request
 */
async function open({ url, query, subscribers, wave }) {
  const started = now();
  /** @type {Map<string, number>} */
  const errors = new Map();
  /** @type {Map<string, number>} */
  const closes = new Map();
  let opened = 0;
  let failed = 0;
  for (let start = 0; start < subscribers.length; start += wave) {
    await Promise.all(subscribers.slice(start, start + wave).map(({ token }) => new Promise((settle) => {
      const index = clients.length;
      let acknowledged = false;
      const timer = setTimeout(() => {
        failed += 1;
        bump(errors, 'no connection_ack in time');
        settle(undefined);
      }, OPEN_TIMEOUT_MS);
      const client = createClient({
        url,
        webSocketImpl: WebSocket,
        lazy: false,
        // A connect refused or reset is retried, as a real client would; every failure is counted.
        retryAttempts: 3,
        // Failures are counted below; graphql-ws would print each one besides.
        onNonLazyError: () => {},
        connectionParams: { authorization: `Bearer ${token}` },
        on: {
          connected: () => {
            if (acknowledged) return;
            acknowledged = true;
            opened += 1;
            clearTimeout(timer);
            settle(undefined);
          },
          error: (error) => {
            const cause = /** @type {any} */ (error)?.error ?? error;
            bump(errors, String(cause?.code ?? cause?.message ?? cause?.type ?? cause));
          },
          closed: (event) => {
            bump(closes, String(/** @type {any} */ (event)?.code));
            if (acknowledged) dropped += 1;
          },
        },
      });
      clients.push(client);
      subscribe(index, query);
    })));
  }
  return { opened, failed, errors: Object.fromEntries(errors), closes: Object.fromEntries(closes), seconds: Math.round(now() - started) / 1000 };
}

process.on('message', async (/** @type {any} */ message) => {
  const send = (/** @type {object} */ answer) => process.send?.({ id: message.id, ...answer });
  if (message.type === 'open') {
    send(await open(message));
  } else if (message.type === 'resubscribe') {
    send(await resubscribe(message));
  } else if (message.type === 'count') {
    send({ received: counts.get(message.tweetId) ?? 0 });
  } else if (message.type === 'times') {
    const slots = times.get(message.tweetId);
    send({ times: Array.from({ length: clients.length }, (_, i) => (slots && i < slots.length && !Number.isNaN(slots[i]) ? slots[i] : null)) });
  } else if (message.type === 'usage') {
    const used = process.cpuUsage(cpu);
    cpu = process.cpuUsage();
    send({ cpuMs: Math.round((used.user + used.system) / 1000), dropped, subscriptionErrors: Object.fromEntries(subscriptionErrors) });
  } else if (message.type === 'stop') {
    await Promise.allSettled(clients.map((client) => client.dispose()));
    process.exit(0);
  }
});
process.on('disconnect', () => process.exit(0));
process.send?.({ type: 'ready' });

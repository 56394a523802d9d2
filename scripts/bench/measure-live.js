// Live push latency: from `postTweet` returning to each subscriber's socket
// receiving the tweet, with 1K and 10K open `homeTimelineTweetAdded`
// subscriptions, and the gateway's memory per open subscription.
//
// The subscribers are synthetic users: their tokens are signed with the
// stack's JWT secret and their follow edges reach the timeline as
// `users.follows` events on Kafka, exactly as the users subgraph would
// publish them. Every subscriber follows one author, so each post is pushed
// to every open subscription: the worst case for one gateway.

import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { KafkaEventBus, LiveStreams, RedisLiveBus, TokenService, Topics, createLogger, loadConfig } from '@chirp/platform';
import { startChild } from './children.js';
import { sleep, summarize } from './stats.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '../..');
const SUBSCRIPTION = 'subscription { homeTimelineTweetAdded { id text author { handle displayName } } }';
/** Sockets opened at once while connecting subscribers. */
const CONNECT_WAVE = 100;

/**
 * @param {{ env: NodeJS.ProcessEnv, counts: number[], posts: number, log: (line: string) => void }} options
 *   env: MONGODB_URL, REDIS_URL, KAFKA_BROKERS and a namespace of the bench's own
 */
export async function measureLive({ env, counts, posts, log }) {
  const stackEnv = { ...env, NODE_ENV: 'production', PORT: '0', LOG_LEVEL: 'warn' };
  const config = loadConfig('bench', 0, stackEnv);
  const stack = await startChild(path.join(HERE, 'live-stack-process.js'), {
    env: stackEnv,
    name: 'live stack',
    cwd: ROOT,
    execArgv: ['--expose-gc'],
  });
  const gatewayUrl = stack.ready.url;
  const tokens = new TokenService(config.jwt);
  const bus = new KafkaEventBus(/** @type {NonNullable<typeof config.kafka>} */ (config.kafka), createLogger('bench', 'warn'));
  /** @type {Array<{ dispose(): Promise<void> }>} */
  const clients = [];
  /** When each tweet's `postTweet` returned, by id. */
  const postedAt = new Map();
  /** @type {Map<string, number[]>} latencies by tweet id */
  const received = new Map();
  /**
   * A listener of its own on one subscriber's channel: when the fan-out's
   * announcement reaches Redis pub/sub, to split the latency into before
   * the gateway and in it.
   */
  const probe = new RedisLiveBus(/** @type {string} */ (env.REDIS_URL), env.REDIS_KEY_PREFIX ?? '');
  /** @type {number[]} */
  let announced = [];

  /** @type {{ id: string, token: string }} */
  let author = { id: '', token: '' };
  try {
    author = await signUp(gatewayUrl);
    const results = [];
    const baseline = await stack.ask({ type: 'memory' });
    for (const count of counts) {
      log(`live: ${count} subscribers following one author`);
      await follow(bus, author.id, subscriberIds(clients.length, count));
      await openSubscribers(count - clients.length);
      await waitForSubscriptions(count);
      const memory = await stack.ask({ type: 'memory' });
      await warmUp(count);
      const stopProbe = await probe.listen(LiveStreams.homeTimeline, subscriberIds(count - 1, count)[0] ?? '', (id) => {
        const posted = postedAt.get(id);
        if (posted !== undefined) announced.push(Math.max(0, performance.now() - posted));
      });
      announced = [];
      const samples = [];
      let delivered = 0;
      for (let index = 0; index < posts; index += 1) {
        const id = await post(`live ${count} #${index}`);
        await waitForDeliveries(id, count, 15_000);
        const latencies = received.get(id) ?? [];
        delivered += latencies.length;
        samples.push(...latencies);
        await sleep(300);
      }
      await stopProbe();
      const summary = summarize(samples);
      results.push({
        subscriptions: count,
        posts,
        deliveredShare: delivered / (count * posts),
        latencyMs: { ...summary, min: Math.round(Math.min(...samples) * 100) / 100 },
        /** From postTweet returning to the announcement reaching Redis pub/sub (Kafka, the fan-out consumer). */
        announcedMs: summarize(announced),
        bytesPerSubscription: {
          heap: Math.round((memory.heapUsed - baseline.heapUsed) / count),
          rss: Math.round((memory.rss - baseline.rss) / count),
        },
      });
      log(`live: ${count} subscriptions: p50 ${summary.p50} ms, p99 ${summary.p99} ms ` +
        `(announced after p50 ${summarize(announced).p50} ms), ` +
        `${Math.round((memory.heapUsed - baseline.heapUsed) / count)} B heap per subscription`);
    }
    return { subscription: SUBSCRIPTION, results };
  } finally {
    await Promise.allSettled(clients.map((client) => client.dispose()));
    await bus.close();
    await probe.close();
    await stack.stop();
  }

  /** @param {number} from @param {number} to */
  function subscriberIds(from, to) {
    return Array.from({ length: to - from }, (_, index) => String(7_000_000_000_000_000_000n + BigInt(from + index)));
  }

  /** @param {number} more */
  async function openSubscribers(more) {
    const ids = subscriberIds(clients.length, clients.length + more);
    for (let start = 0; start < ids.length; start += CONNECT_WAVE) {
      await Promise.all(ids.slice(start, start + CONNECT_WAVE).map(async (id) => {
        const token = await tokens.issue({ id, handle: `live${id.slice(-6)}` });
        const client = createClient({
          url: gatewayUrl.replace(/^http/, 'ws'),
          webSocketImpl: WebSocket,
          lazy: false,
          // A connect refused under the burst is retried, as a real client would.
          retryAttempts: 5,
          connectionParams: { authorization: `Bearer ${token}` },
        });
        clients.push(client);
        client.subscribe({ query: SUBSCRIPTION }, {
          next: (/** @type {any} */ result) => record(result.data?.homeTimelineTweetAdded?.id),
          error: () => {},
          complete: () => {},
        });
      }));
    }
  }

  /** @param {string | undefined} id */
  function record(id) {
    if (!id) return;
    const at = performance.now();
    const latencies = received.get(id) ?? [];
    received.set(id, latencies);
    // A push may beat the mutation's own response home: that counts as 0.
    const posted = postedAt.get(id);
    latencies.push(posted === undefined ? 0 : Math.max(0, at - posted));
  }

  /** @param {number} count */
  async function waitForSubscriptions(count) {
    for (let tries = 0; tries < 600; tries += 1) {
      const stats = await stack.ask({ type: 'live' });
      if (stats.subscriptions >= count) return;
      await sleep(100);
    }
    throw new Error(`the gateway did not reach ${count} subscriptions`);
  }

  /** Posts until every subscriber hears of it: the follow edges have reached the timeline. @param {number} count */
  async function warmUp(count) {
    for (let tries = 0; tries < 30; tries += 1) {
      const id = await post(`warm-up ${count} #${tries}`);
      if (await waitForDeliveries(id, count, 5_000)) return;
    }
    throw new Error('the subscribers never all received a warm-up post');
  }

  /** @param {string} id @param {number} count @param {number} timeoutMs */
  async function waitForDeliveries(id, count, timeoutMs) {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if ((received.get(id)?.length ?? 0) >= count) return true;
      await sleep(5);
    }
    return false;
  }

  /** @param {string} text */
  async function post(text) {
    const body = await graphql(gatewayUrl, author.token, 'mutation($text: String!) { postTweet(text: $text) { id } }', { text });
    const id = body.data.postTweet.id;
    postedAt.set(id, performance.now());
    return id;
  }
}

/** @param {string} url @param {string | null} token @param {string} query @param {object} variables */
async function graphql(url, token, query, variables) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  const body = /** @type {any} */ (await response.json());
  if (body.errors) throw new Error(JSON.stringify(body.errors));
  return body;
}

/** @param {string} url */
async function signUp(url) {
  const handle = `live${Date.now().toString(36).slice(-8)}`;
  const body = await graphql(url, null, 'mutation($input: SignUpInput!) { signUp(input: $input) { token user { id } } }', {
    input: { handle, email: `${handle}@example.com`, password: 'password123', firstName: 'Live', lastName: 'Author' },
  });
  return { id: body.data.signUp.user.id, token: body.data.signUp.token };
}

/**
 * Follow edges as the users subgraph publishes them (state events, seq 1).
 * @param {KafkaEventBus} bus @param {string} authorId @param {string[]} followerIds
 */
async function follow(bus, authorId, followerIds) {
  const now = new Date().toISOString();
  const events = followerIds.map((followerId) => ({
    id: `bench-follow-${followerId}-${authorId}`,
    type: 'user.followed',
    occurredAt: now,
    key: followerId,
    payload: { followerId, followeeId: authorId, active: true, seq: 1, changedAt: now },
  }));
  for (let start = 0; start < events.length; start += 1_000) await bus.publish(Topics.userFollows, events.slice(start, start + 1_000));
}

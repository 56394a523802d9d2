// Child process: the same first page of a home timeline, served without
// GraphQL, federation or a token check by the smallest node:http handler
// over the same Redis data: LRANGE the home list 0..19, MGET the cards, MGET
// their authors, JSON in the GraphQL response's shape. What the gateway
// path costs on top of this is the price of the API layer.
//   GET /home/<viewerId>
// Env: REDIS_URL, BENCH_TIMELINE_PREFIX (e.g. "bench:timeline:").

import http from 'node:http';
import { Redis } from 'ioredis';
import { createRuntimeProbe } from './runtime-stats.js';
import { TIMELINE_KEYS } from './timeline-keys.js';

const PAGE = 20;
const runtime = createRuntimeProbe();
/** A cached JSON value; a `<version>|` prefix is skipped should the cache ever carry one. */
const decode = (/** @type {string} */ raw) => JSON.parse(raw.replace(/^\d+\|/, ''));
const redis = new Redis(/** @type {string} */ (process.env.REDIS_URL), {
  keyPrefix: process.env.BENCH_TIMELINE_PREFIX,
  enableAutoPipelining: true,
});

/** @param {string} viewerId */
async function page(viewerId) {
  const ids = (await redis.lrange(TIMELINE_KEYS.home(viewerId), 0, PAGE - 1)).filter((id) => id !== '0');
  if (ids.length === 0) return [];
  const cards = (await redis.mget(ids.map((id) => `card:${id}`))).flatMap((raw) => (raw ? [decode(raw)] : []));
  const authorIds = [...new Set(cards.map((card) => card.authorId))];
  const authors = new Map();
  for (const raw of await redis.mget(authorIds.map((id) => `author:${id}`))) {
    if (raw) {
      const author = decode(raw);
      authors.set(author.id, author);
    }
  }
  return cards.flatMap((card) => {
    const author = authors.get(card.authorId);
    return author ? [{ node: { text: card.text, author: { handle: author.handle, displayName: `${author.firstName} ${author.lastName}` } } }] : [];
  });
}

const server = http.createServer(async (req, res) => {
  const match = /^\/home\/(\d{1,20})$/.exec(req.url ?? '');
  if (!match) {
    res.writeHead(404).end();
    return;
  }
  try {
    const edges = await page(match[1]);
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ data: { homeTimeline: { edges } } }));
  } catch (error) {
    res.writeHead(500).end(String(error));
  }
});
server.keepAliveTimeout = 60_000;

server.listen(0, '127.0.0.1', () => {
  const address = /** @type {import('node:net').AddressInfo} */ (server.address());
  process.send?.({ type: 'ready', url: `http://127.0.0.1:${address.port}` });
});
process.on('message', (/** @type {any} */ message) => {
  if (message.type === 'stop') {
    server.closeAllConnections();
    server.close(() => redis.quit().finally(() => process.exit(0)));
  } else if (message.type === 'usage') process.send?.({ id: message.id, cpu: process.cpuUsage(), memory: process.memoryUsage(), runtime: runtime.take() });
});
process.on('disconnect', () => process.exit(0));

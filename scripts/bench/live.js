// `npm run bench:live`: only the live push benchmark, on servers of its own
// (or those in MONGODB_URL / REDIS_URL / KAFKA_BROKERS, under a namespace).
//   node scripts/bench/live.js [--counts 1000,10000] [--posts 10]

import { parseArgs } from 'node:util';
import { startServers } from '../servers/index.js';
import { measureLive } from './measure-live.js';

const { values } = parseArgs({ options: { counts: { type: 'string', default: '1000,10000' }, posts: { type: 'string', default: '10' } } });
const counts = String(values.counts).split(',').map(Number);
const posts = Number(values.posts);
const log = (/** @type {string} */ line) => console.log(`[bench] ${line}`);

const given = process.env.MONGODB_URL && process.env.REDIS_URL && process.env.KAFKA_BROKERS;
const servers = given ? { env: {}, stop: async () => {} } : await startServers({ log });
const namespace = `benchlive_${Date.now().toString(36)}`;
try {
  const result = await measureLive({
    env: {
      ...process.env,
      ...servers.env,
      MONGODB_DB_PREFIX: namespace,
      REDIS_KEY_PREFIX: `${namespace}:`,
      KAFKA_TOPIC_PREFIX: `${namespace}.`,
      JWT_SECRET: 'bench-only-secret-of-at-least-32-characters!',
    },
    counts,
    posts,
    log,
  });
  console.log(JSON.stringify(result, null, 2));
} finally {
  await servers.stop();
}

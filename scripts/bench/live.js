// `npm run bench:live`: only the live push benchmark, on servers of its own
// (or those in MONGODB_URL / REDIS_URL / KAFKA_BROKERS, under a namespace).
//   node scripts/bench/live.js [--counts 1000,10000] [--posts 10]

import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { describeMachine } from './machine.js';
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
  await writeResults({ machine: describeMachine(), command: `npm run bench:live -- ${process.argv.slice(2).join(' ')}`.trim(), ...result });
} finally {
  await servers.stop();
}

/** `benchmarks/results/live.json` and `live.md`. @param {any} report */
async function writeResults(report) {
  const dir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../benchmarks/results');
  await mkdir(dir, { recursive: true });
  await writeFile(path.join(dir, 'live.json'), `${JSON.stringify(report, null, 2)}\n`);
  const targets = /** @type {Record<number, number>} */ ({ 1000: 50, 10000: 250 });
  const rows = report.results.map((/** @type {any} */ r) => {
    const target = targets[r.subscriptions];
    const verdict = target === undefined ? '' : r.latencyMs.p99 <= target ? `met (≤ ${target})` : `**missed** (≤ ${target})`;
    const gateway = `${Math.max(0, r.latencyMs.p50 - r.announcedMs.p50).toFixed(0)} / ${Math.max(0, r.latencyMs.p99 - r.announcedMs.p99).toFixed(0)}`;
    return `| ${r.subscriptions} | ${r.latencyMs.p50} | ${r.latencyMs.p99} | ${verdict} | ${r.announcedMs.p50} / ${r.announcedMs.p99} | ${gateway} | ${(r.deliveredShare * 100).toFixed(1)}% | ${r.bytesPerSubscription.heap} / ${r.bytesPerSubscription.rss} |`;
  });
  const markdown = [
    '# Live push benchmark',
    '',
    `Machine: ${JSON.stringify(report.machine)}`,
    '',
    `Command: \`${report.command}\`. Every subscriber follows one author, whose posts therefore reach every open subscription (the worst case for one gateway); ${report.results[0]?.posts ?? 0} posts per level. Subscription: \`${report.subscription}\`.`,
    '',
    '| Open subscriptions | Push p50 (ms) | Push p99 (ms) | Target p99 | Announced on Redis p50 / p99 (ms) | Gateway share p50 / p99 (ms, difference) | Delivered | Gateway bytes per subscription (heap / RSS) |',
    '|---|---|---|---|---|---|---|---|',
    ...rows,
    '',
    'Push latency runs from `postTweet` returning to the subscriber\'s socket receiving the tweet. "Announced" is when the fan-out consumer\'s announcement reaches Redis pub/sub (a listener of the bench\'s own on one subscriber\'s channel): everything before it is Kafka and the timeline\'s fan-out on FerretDB, whose follower lookups scan (see the main report\'s two lag modes). The gateway share is the difference of the two percentiles, an approximation.',
    '',
  ].join('\n');
  await writeFile(path.join(dir, 'live.md'), markdown);
}

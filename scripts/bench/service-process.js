// Child process, `--layout processes` (the default): one Chirp service in
// its own process, started through its production entry point, as
// docker-compose runs it. BENCH_SERVICE names it: `gateway` imports
// gateway/dist/main.js, `users`, `tweets`, `notifications` their
// subgraph's dist/main.js; `timeline` runs `runSubgraphProcess` (what its
// main.js calls) with the bench's switchable fan-out (fanout-switch.js).
// Each reads the same environment as in production (PORT, HOST,
// MONGODB_URL, ..., and for the gateway USERS_URL, TWEETS_URL, ...).
//
// The port is chosen here (a free loopback port) so the bench can be told
// it; `stop` sends this process SIGTERM, which the service's own
// stopOnSignals handles (stop the server, close the connections, exit).
// Sends { type: 'ready', url } once the service listens.

// With WORKERS=N above 1 the service's own entry point (runInWorkers) forks
// N node:cluster workers, each running this script again: this process, the
// primary, chooses the port (the workers share it), waits for every worker's
// 'ready', and relays the bench's messages to the workers, combining their
// answers (usage, timings and memory summed; event-loop delay and GC pauses
// the worst of them).

import cluster from 'node:cluster';
import net from 'node:net';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { answerBench } from './child-messages.js';

const root = resolve(fileURLToPath(import.meta.url), '../../..');
const ENTRY_POINTS = {
  gateway: 'gateway/dist/main.js',
  users: 'subgraphs/users/dist/main.js',
  tweets: 'subgraphs/tweets/dist/main.js',
  notifications: 'subgraphs/notifications/dist/main.js',
};

const service = process.env.BENCH_SERVICE ?? '';
if (service !== 'timeline' && !Object.hasOwn(ENTRY_POINTS, service)) throw new Error(`BENCH_SERVICE=${service}: no such service`);
const workers = Number(process.env.WORKERS ?? 1);
const relaying = workers > 1 && cluster.isPrimary;

/** A port nobody listens on right now. */
async function freePort() {
  const server = net.createServer();
  await new Promise((done) => server.listen(0, '127.0.0.1', () => done(undefined)));
  const { port } = /** @type {net.AddressInfo} */ (server.address());
  await new Promise((done) => server.close(done));
  return port;
}

/** Starts the service through its production entry point; in a relaying primary that only forks the workers. */
async function startService(/** @type {ReturnType<typeof import('./fanout-switch.js').createFanoutSwitch> | undefined} */ fanout) {
  if (service !== 'timeline') {
    await import(resolve(root, ENTRY_POINTS[/** @type {keyof typeof ENTRY_POINTS} */ (service)]));
    return;
  }
  const { runSubgraphProcess } = await import('@chirp/platform');
  const { DEFAULT_PORT, SERVICE } = await import('@chirp/timeline');
  await runSubgraphProcess(SERVICE, DEFAULT_PORT, fanout ? fanout.factory : () => {
    throw new Error('the primary runs no subgraph: its workers do');
  });
}

/** Sums the workers' answers to one message; the worst where a sum means nothing (delays, pauses). @param {any[]} answers */
function combine(answers) {
  const [first] = answers;
  /** @param {any[]} values @param {string} key */
  const merge = (values, key) => {
    const present = values.filter((v) => v !== undefined && v !== null);
    if (present.length === 0) return undefined;
    if (typeof present[0] === 'number') return /max|p99|p50|^seconds$/.test(key) ? Math.max(...present) : present.reduce((a, b) => a + b, 0);
    if (Array.isArray(present[0])) return present.flat();
    if (typeof present[0] === 'object') return Object.fromEntries(Object.keys(present[0]).map((k) => [k, merge(present.map((v) => v[k]), k)]));
    return present[0];
  };
  return { ...merge(answers, ''), id: first?.id, workers: answers.length };
}

if (relaying) {
  process.env.PORT = String(await freePort());
  /** @type {Map<number, (answer: any) => void>} */
  const waiting = new Map();
  let nextId = 0;
  let ready = 0;
  cluster.on('message', (_worker, message) => {
    if (message?.type === 'ready') {
      ready += 1;
      if (ready === workers) process.send?.({ type: 'ready', url: `http://127.0.0.1:${process.env.PORT}/graphql`, workers });
      return;
    }
    waiting.get(message?.id)?.(message);
  });
  /** @param {import('node:cluster').Worker} worker @param {object} message */
  const ask = (worker, message) => new Promise((answer) => {
    const id = `relay-${nextId++}`;
    waiting.set(id, (reply) => {
      waiting.delete(id);
      answer(reply);
    });
    worker.send({ ...message, id });
  });
  process.on('message', async (/** @type {any} */ message) => {
    if (message.type === 'stop') {
      process.kill(process.pid, 'SIGTERM'); // runInWorkers passes it on and exits once the workers have stopped
      return;
    }
    const answers = await Promise.all(Object.values(cluster.workers ?? {}).flatMap((worker) => (worker ? [ask(worker, message)] : [])));
    process.send?.({ ...combine(answers), id: message.id });
  });
  process.on('disconnect', () => process.kill(process.pid, 'SIGTERM'));
  await startService(undefined);
} else {
  if (!cluster.isWorker) process.env.PORT = String(await freePort());
  // Only the timeline's process rebuilds the network (for the indexed fan-out).
  const fanout = service === 'timeline' ? (await import('./fanout-switch.js')).createFanoutSwitch(process.env) : undefined;
  const { send } = answerBench({ fanout, stop: () => process.kill(process.pid, 'SIGTERM') });
  await startService(fanout);
  send({ type: 'ready', url: `http://127.0.0.1:${process.env.PORT}/graphql` });
}

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

/** A port nobody listens on right now. */
async function freePort() {
  const server = net.createServer();
  await new Promise((done) => server.listen(0, '127.0.0.1', () => done(undefined)));
  const { port } = /** @type {net.AddressInfo} */ (server.address());
  await new Promise((done) => server.close(done));
  return port;
}

const port = await freePort();
process.env.PORT = String(port);
// Only the timeline's process rebuilds the network (for the indexed fan-out).
const fanout = service === 'timeline' ? (await import('./fanout-switch.js')).createFanoutSwitch(process.env) : undefined;
const { send } = answerBench({ fanout, stop: () => process.kill(process.pid, 'SIGTERM') });
if (fanout) {
  const { runSubgraphProcess } = await import('@chirp/platform');
  const { DEFAULT_PORT, SERVICE } = await import('@chirp/timeline');
  await runSubgraphProcess(SERVICE, DEFAULT_PORT, fanout.factory);
} else {
  await import(resolve(root, ENTRY_POINTS[/** @type {keyof typeof ENTRY_POINTS} */ (service)]));
}
send({ type: 'ready', url: `http://127.0.0.1:${port}/graphql` });

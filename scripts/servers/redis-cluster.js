// A throwaway Redis Cluster of three masters (no replicas) on free loopback
// ports, persistence off: three redis-server processes in cluster mode, each
// with its own cluster config file and dir, joined by `redis-cli --cluster
// create`.

import { execFile } from 'node:child_process';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';

import { freePort, retryOnPortClash, serverError, spawnServer, stopServer, waitUntilReady, which } from './processes.js';

const MASTERS = 3;
const READY_TIMEOUT_MS = 15_000;
const CREATE_TIMEOUT_MS = 30_000;
const STOP_GRACE_MS = 5_000;

/**
 * @typedef {object} RedisClusterOptions
 * @property {string} bin   redis-server binary
 * @property {string} [cli] redis-cli binary (Debian's redis-tools, installed with redis-server; default:
 *   the one beside redis-server, else on PATH)
 * @property {string} root  temp dir for this run
 * @property {(msg: string) => void} log
 */

/**
 * Starts three cluster-enabled redis-servers, makes them one cluster (the
 * 16384 slots split in three) and waits until every node says
 * `cluster_state:ok` and knows the other two.
 *
 * REDIS_CLUSTER_URL lists the three nodes, comma-separated, as
 * `REDIS_URL` does for a service with `REDIS_CLUSTER=true`.
 *
 * @param {RedisClusterOptions} opts
 * @returns {Promise<{ env: { REDIS_CLUSTER_URL: string }, stop: () => Promise<void> }>}
 */
export function startRedisCluster(opts) {
  return retryOnPortClash(() => startOnce(opts));
}

/** @param {RedisClusterOptions} opts */
async function startOnce({ bin, cli = redisCli(bin), root, log }) {
  // A node's cluster bus listens on its own port too (by default port +
  // 10000, which may be past 65535 or taken): each is given a free one.
  /** @type {number[]} */
  const ports = [];
  for (let i = 0; i < MASTERS * 2; i++) ports.push(await freePort(ports));
  const nodes = [];
  for (let i = 0; i < MASTERS; i++) {
    const [port, busPort] = [ports[i * 2], ports[i * 2 + 1]];
    const dir = path.join(root, `redis-cluster-${port}`);
    await fsp.mkdir(dir, { recursive: true });
    const server = spawnServer({
      name: `redis-cluster node ${port}`,
      command: bin,
      args: [
        '--port', String(port),
        '--cluster-port', String(busPort),
        '--bind', '127.0.0.1',
        '--daemonize', 'no',
        '--cluster-enabled', 'yes',
        '--cluster-config-file', path.join(dir, 'nodes.conf'),
        '--cluster-node-timeout', '5000',
        '--save', '',
        '--appendonly', 'no',
        '--dir', dir,
        '--logfile', '',
      ],
      logFile: path.join(root, `redis-cluster-${port}.log`),
      log,
    });
    nodes.push({ port, server });
  }

  const stop = async () => {
    await Promise.all(nodes.map(({ server }) => stopServer(server, STOP_GRACE_MS)));
  };
  try {
    await Promise.all(nodes.map(({ port, server }) => waitUntilReady(server, async () => (await ask(port, 'PING')) === '+PONG', {
      timeoutMs: READY_TIMEOUT_MS,
      intervalMs: 50,
      what: `PING on 127.0.0.1:${port} answered PONG`,
    })));
    await createCluster(cli, nodes, root);
    await Promise.all(nodes.map(({ port, server }) => waitUntilReady(server, () => clusterOk(port), {
      timeoutMs: READY_TIMEOUT_MS,
      intervalMs: 50,
      what: `CLUSTER INFO on 127.0.0.1:${port} said cluster_state:ok, all 16384 slots and ${MASTERS} nodes known`,
    })));
  } catch (err) {
    await stop();
    throw err;
  }
  for (const { server } of nodes) server.ready = true;
  return { env: { REDIS_CLUSTER_URL: nodes.map(({ port }) => `redis://127.0.0.1:${port}`).join(',') }, stop };
}

/**
 * `redis-cli --cluster create`: assigns the slots, introduces the nodes to
 * one another and waits for them to agree. Its output goes into the log
 * dir, and into the error should it fail.
 *
 * @param {string} cli
 * @param {Array<{ port: number, server: import('./processes.js').Server }>} nodes
 * @param {string} root
 */
async function createCluster(cli, nodes, root) {
  const args = ['--cluster', 'create', ...nodes.map(({ port }) => `127.0.0.1:${port}`), '--cluster-replicas', '0', '--cluster-yes'];
  const output = await new Promise((resolve, reject) => {
    execFile(cli, args, { timeout: CREATE_TIMEOUT_MS }, (error, stdout, stderr) => {
      const text = `${stdout}${stderr}`;
      if (error) reject(Object.assign(new Error(`redis-cli ${args.join(' ')} failed: ${error.message}\n${text.trim()}`), { output: text }));
      else resolve(text);
    });
  });
  await fsp.writeFile(path.join(root, `redis-cluster-${nodes[0].port}-create.log`), String(output));
  if (!/\[OK\] All 16384 slots covered/.test(String(output))) {
    throw serverError(nodes[0].server, `redis-cli --cluster create did not cover every slot:\n${String(output).trim()}`);
  }
}

/** @param {string} server redis-server's path */
function redisCli(server) {
  const beside = path.join(path.dirname(server), 'redis-cli');
  const found = fs.existsSync(beside) ? beside : which('redis-cli');
  if (!found) throw new Error('redis-cli is not on PATH (Debian: apt-get install redis-tools, which redis-server brings)');
  return found;
}

/** @param {number} port */
async function clusterOk(port) {
  const info = await ask(port, 'CLUSTER', 'INFO');
  return (
    info.includes('cluster_state:ok') &&
    info.includes('cluster_slots_ok:16384') &&
    info.includes(`cluster_known_nodes:${MASTERS}`)
  );
}

/**
 * Sends one command in the RESP protocol over a raw socket (no client
 * library needed) and returns the reply: a simple reply or error as its
 * line (`+PONG`), a bulk string as its text. Any failure gives ''.
 *
 * @param {number} port
 * @param {...string} args
 * @returns {Promise<string>}
 */
function ask(port, ...args) {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    let answer = Buffer.alloc(0);
    const done = (/** @type {string} */ reply) => {
      socket.destroy();
      resolve(reply);
    };
    socket.setTimeout(1000, () => done(''));
    socket.once('error', () => done(''));
    socket.once('connect', () => socket.write(`*${args.length}\r\n${args.map((arg) => `$${Buffer.byteLength(arg)}\r\n${arg}\r\n`).join('')}`));
    socket.on('data', (chunk) => {
      answer = Buffer.concat([answer, chunk]);
      const end = answer.indexOf('\r\n');
      if (end < 0) return;
      const line = answer.subarray(0, end).toString('latin1');
      if (line[0] !== '$') return done(line);
      const length = Number(line.slice(1));
      if (length < 0) return done('');
      if (answer.length >= end + 2 + length) done(answer.subarray(end + 2, end + 2 + length).toString('utf8'));
    });
  });
}

// A throwaway redis-server on a free loopback port, with persistence off.

import fsp from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';

import { freePort, retryOnPortClash, spawnServer, stopServer, waitUntilReady } from './processes.js';

const READY_TIMEOUT_MS = 15_000;
const STOP_GRACE_MS = 5_000;

/**
 * @typedef {object} RedisOptions
 * @property {string} bin   redis-server binary
 * @property {string} root  temp dir for this run
 * @property {(msg: string) => void} log
 */

/**
 * Starts redis-server and waits until it answers PING.
 *
 * @param {RedisOptions} opts
 * @returns {Promise<{ env: { REDIS_URL: string }, stop: () => Promise<void> }>}
 */
export function startRedis(opts) {
  return retryOnPortClash(() => startOnce(opts));
}

/** @param {RedisOptions} opts */
async function startOnce({ bin, root, log }) {
  const port = await freePort();
  const dir = path.join(root, `redis-${port}`);
  await fsp.mkdir(dir, { recursive: true });

  const server = spawnServer({
    name: 'redis',
    command: bin,
    // Run in the foreground (daemonized it would escape us and linger as a
    // zombie), and never write RDB/AOF files: the data is thrown away anyway.
    args: [
      '--port', String(port),
      '--bind', '127.0.0.1',
      '--daemonize', 'no',
      '--save', '',
      '--appendonly', 'no',
      '--dir', dir,
      '--logfile', '',
    ],
    logFile: path.join(root, `redis-${port}.log`),
    log,
  });

  const stop = () => stopServer(server, STOP_GRACE_MS);
  try {
    await waitUntilReady(server, () => ping(port), {
      timeoutMs: READY_TIMEOUT_MS,
      intervalMs: 50,
      what: `PING on 127.0.0.1:${port} answered PONG`,
    });
  } catch (err) {
    await stop();
    throw err;
  }
  server.ready = true;
  return { env: { REDIS_URL: `redis://127.0.0.1:${port}` }, stop };
}

/**
 * Sends PING in the RESP protocol over a raw socket (no client library
 * needed) and tells whether the answer was +PONG.
 *
 * @param {number} port
 * @returns {Promise<boolean>}
 */
function ping(port) {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    let answer = '';
    const done = (/** @type {boolean} */ ok) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1000, () => done(false));
    socket.once('error', () => done(false));
    socket.once('connect', () => socket.write('*1\r\n$4\r\nPING\r\n'));
    socket.on('data', (chunk) => {
      answer += chunk.toString('latin1');
      if (answer.includes('\r\n')) done(answer.startsWith('+PONG'));
    });
  });
}

// A throwaway S3-compatible server: moto in server mode on a free loopback
// port, keeping everything in memory.

import http from 'node:http';
import path from 'node:path';

import { freePort, retryOnPortClash, spawnServer, stopServer, waitUntilReady } from './processes.js';

// Importing moto takes ~0.3 s warm, but far longer from a cold disk cache.
const READY_TIMEOUT_MS = 30_000;
const STOP_GRACE_MS = 5_000;

/**
 * @typedef {object} S3Options
 * @property {string} bin   moto_server, from the venv ensureMoto made
 * @property {string} root  temp dir for this run
 * @property {(msg: string) => void} log
 */

/**
 * Starts moto_server and waits until it answers an S3 ListBuckets.
 *
 * @param {S3Options} opts
 * @returns {Promise<{ env: { S3_ENDPOINT: string }, stop: () => Promise<void> }>}
 */
export function startS3(opts) {
  return retryOnPortClash(() => startOnce(opts));
}

/** @param {S3Options} opts */
async function startOnce({ bin, root, log }) {
  const port = await freePort();

  const server = spawnServer({
    name: 's3',
    command: bin,
    // Loopback only, said explicitly rather than trusting moto's default.
    // No --reload: its file watcher would run the server in a second process
    // whose PID we would not know.
    args: ['-H', '127.0.0.1', '-p', String(port)],
    logFile: path.join(root, `s3-${port}.log`),
    env: {
      // moto builds URLs it hands out (e.g. for Lambda) from MOTO_PORT and
      // only sets it from -p when unset: one inherited from our environment
      // would point them at the wrong port.
      MOTO_PORT: String(port),
      // Unbuffered, so that the log tail in an error shows Python's last words.
      PYTHONUNBUFFERED: '1',
    },
    log,
  });

  const stop = () => stopServer(server, STOP_GRACE_MS);
  try {
    await waitUntilReady(server, () => listsBuckets(port), {
      timeoutMs: READY_TIMEOUT_MS,
      intervalMs: 50,
      what: `GET http://127.0.0.1:${port}/ (S3 ListBuckets) answered 200`,
    });
  } catch (err) {
    await stop();
    throw err;
  }
  server.ready = true;
  return { env: { S3_ENDPOINT: `http://127.0.0.1:${port}` }, stop };
}

/**
 * Sends an unsigned S3 ListBuckets (`GET /`; moto treats a request without
 * credentials as S3) and tells whether it answered 200. Asking S3 itself,
 * rather than moto's dashboard, also loads moto's S3 backend, so the first
 * test does not pay for that. No agent: the connection is closed after the
 * answer, so no idle keep-alive socket holds this process open.
 *
 * @param {number} port
 * @returns {Promise<boolean>}
 */
function listsBuckets(port) {
  return new Promise((resolve) => {
    const req = http.get({ host: '127.0.0.1', port, path: '/', agent: false, timeout: 1000 }, (res) => {
      res.resume(); // drain the body so the socket can close
      resolve(res.statusCode === 200);
    });
    req.once('timeout', () => req.destroy());
    req.once('error', () => resolve(false));
  });
}

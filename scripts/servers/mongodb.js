// The MongoDB side: FerretDB v1 (infra/ferretdb), since no mongod binary can
// be had here, over SQLite files or, when given one, a PostgreSQL database.
// It speaks the MongoDB wire protocol, with gaps: see scripts/servers/README.md.

import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';

import { spawnServer, stopServer, waitUntilReady } from './processes.js';

const READY_TIMEOUT_MS = 20_000;
const STOP_GRACE_MS = 5_000;

/**
 * @typedef {object} MongoOptions
 * @property {string} bin   the binary built from infra/ferretdb
 * @property {string} root  temp dir for this run
 * @property {string} [postgresUrl]  store in this PostgreSQL database instead of SQLite files
 * @property {(msg: string) => void} log
 */

/**
 * Starts FerretDB on a port the kernel picks (so no port can clash) and
 * waits until it answers a MongoDB `ping` through the real driver.
 *
 * @param {MongoOptions} opts
 * @returns {Promise<{ env: { MONGODB_URL: string }, stop: () => Promise<void> }>}
 */
export async function startMongo({ bin, root, postgresUrl, log }) {
  const dir = path.join(root, 'ferretdb');
  await fsp.mkdir(dir, { recursive: true });
  const logFile = path.join(root, 'ferretdb.log');

  const server = spawnServer({
    name: 'ferretdb',
    command: bin,
    args: ['-listen', '127.0.0.1:0', '-log-level', 'warn', ...(postgresUrl ? ['-postgresql-url', postgresUrl] : ['-dir', dir])],
    logFile,
    log,
  });

  const stop = () => stopServer(server, STOP_GRACE_MS);
  try {
    // The program prints "listening on HOST:PORT" once its port is bound.
    const address = await waitUntilReady(server, async () => listeningAddress(logFile), {
      timeoutMs: READY_TIMEOUT_MS,
      intervalMs: 25,
      what: 'it printed "listening on HOST:PORT"',
    });
    const url = `mongodb://${address}/`;
    await waitUntilReady(server, () => ping(url), {
      timeoutMs: READY_TIMEOUT_MS,
      what: `a MongoDB ping on ${url} answered`,
    });
    server.ready = true;
    return { env: { MONGODB_URL: url }, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** @param {string} logFile */
function listeningAddress(logFile) {
  const text = fs.readFileSync(logFile, 'utf8');
  return /^listening on (\S+)$/m.exec(text)?.[1] ?? null;
}

/**
 * @param {string} url
 * @returns {Promise<boolean>}
 */
async function ping(url) {
  const { MongoClient } = await import('mongodb');
  const client = new MongoClient(url, { serverSelectionTimeoutMS: 2000, connectTimeoutMS: 2000 });
  try {
    const res = await client.db('admin').command({ ping: 1 });
    return res.ok === 1;
  } finally {
    await client.close();
  }
}

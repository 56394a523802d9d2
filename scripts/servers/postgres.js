// A throwaway PostgreSQL cluster on a free loopback port, for FerretDB's
// PostgreSQL backend. Durability is off: the data is thrown away anyway.

import { execFile } from 'node:child_process';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

import { freePort, spawnServer, stopServer, waitUntilReady } from './processes.js';

const READY_TIMEOUT_MS = 30_000;
const STOP_GRACE_MS = 10_000;
const execFileAsync = promisify(execFile);

/**
 * @typedef {object} PostgresOptions
 * @property {string} binDir  where `initdb` and `postgres` are
 * @property {string} root    temp dir for this run (its log goes there)
 * @property {(msg: string) => void} log
 */

/**
 * Creates a cluster and starts it, then waits until it accepts connections.
 *
 * @param {PostgresOptions} opts
 * @returns {Promise<{ url: string, stop: () => Promise<void> }>}
 */
export async function startPostgres(opts) {
  const user = await serverUser();
  // Its own directory, owned by the user the server runs as (the run's temp
  // dir is private to this user).
  const dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'chirp-postgres-'));
  const removeDir = () => fsp.rm(dir, { recursive: true, force: true, maxRetries: 3 });
  try {
    if (user) await fsp.chown(dir, user.uid, user.gid);
    const data = path.join(dir, 'data');
    await execFileAsync(path.join(opts.binDir, 'initdb'), ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync'], {
      ...user,
    });
    const server = await startOnce({ ...opts, dir, data, user });
    return {
      url: server.url,
      stop: async () => {
        await server.stop();
        await removeDir();
      },
    };
  } catch (err) {
    await removeDir();
    throw err;
  }
}

/**
 * @param {PostgresOptions & { dir: string, data: string, user: { uid: number, gid: number } | undefined }} opts
 */
async function startOnce({ binDir, root, log, dir, data, user }) {
  const port = await freePort();
  const logFile = path.join(root, `postgres-${port}.log`);
  const server = spawnServer({
    name: 'postgres',
    command: path.join(binDir, 'postgres'),
    args: [
      '-D', data,
      '-p', String(port),
      '-k', dir,
      '-c', 'listen_addresses=127.0.0.1',
      '-c', 'fsync=off',
      '-c', 'synchronous_commit=off',
      '-c', 'full_page_writes=off',
    ],
    logFile,
    user,
    log,
  });
  const stop = () => stopServer(server, STOP_GRACE_MS);
  try {
    await waitUntilReady(server, async () => fs.readFileSync(logFile, 'utf8').includes('ready to accept connections'), {
      timeoutMs: READY_TIMEOUT_MS,
      intervalMs: 50,
      what: 'it logged "ready to accept connections"',
    });
    server.ready = true;
    return { url: `postgres://postgres@127.0.0.1:${port}/postgres`, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** PostgreSQL will not run as root: as root, the `postgres` user the package creates runs it. */
async function serverUser() {
  if (process.getuid?.() !== 0) return undefined;
  const id = async (/** @type {string} */ flag) => Number((await execFileAsync('id', [flag, 'postgres'])).stdout.trim());
  try {
    return { uid: await id('-u'), gid: await id('-g') };
  } catch {
    throw new Error('PostgreSQL cannot run as root, and there is no `postgres` user to run it as (apt-get install postgresql creates one).');
  }
}

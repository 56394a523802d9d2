// Child-process plumbing shared by the server starters: spawning a server with
// its output in a log file, waiting for it to be ready, stopping it by PID,
// and making sure no child outlives this process.

import { spawn } from 'node:child_process';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * @typedef {object} Server
 * @property {string} name      short name used in messages ("redis", "kafka", ...)
 * @property {number} pid
 * @property {string} logFile   where the server's stdout and stderr go
 * @property {import('node:child_process').ChildProcess} child
 * @property {Promise<void>} exited  settles when the process has exited
 * @property {() => boolean} hasExited
 * @property {() => string} exitReason  e.g. "exited with code 1"
 * @property {boolean} stopping  set once stop was asked for: exits are expected
 * @property {boolean} ready     set by the starter once the server answered;
 *   only then is an exit worth a warning (before, the start fails anyway)
 */

/** Servers started by this process and not yet stopped. */
const liveServers = new Set();
/** Temp dirs created by this process and not yet removed. */
const liveDirs = new Set();

const TEMP_PREFIX = 'chirp-servers-';

// ---------------------------------------------------------------- spawning

/** Whether util-linux's setpriv is on PATH (Linux only). */
const setpriv = process.platform === 'linux' ? which('setpriv') : null;

/**
 * Starts a server as a child of this process, with stdout and stderr
 * appended to logFile.
 *
 * On Linux the command runs under `setpriv --pdeathsig KILL`, which execs it
 * (same PID) with a parent-death signal: the kernel kills it as soon as this
 * process dies, even by SIGKILL, when no exit handler can run.
 *
 * `user` runs it as another user (PostgreSQL refuses to run as root).
 *
 * @param {{ name: string, command: string, args: string[], logFile: string,
 *           env?: NodeJS.ProcessEnv, cwd?: string, user?: { uid: number, gid: number },
 *           log?: (msg: string) => void }} spec
 * @returns {Server}
 */
export function spawnServer({ name, command, args, logFile, env, cwd, user, log }) {
  const [file, argv] = setpriv
    ? [setpriv, ['--pdeathsig', 'KILL', '--', command, ...args]]
    : [command, args];

  const fd = fs.openSync(logFile, 'a');
  let child;
  try {
    child = spawn(file, argv, { stdio: ['ignore', fd, fd], env: { ...process.env, ...env }, cwd, ...user });
  } finally {
    fs.closeSync(fd); // the child has its own copy
  }

  let reason = '';
  /** @type {Server} */
  const server = {
    name,
    pid: child.pid ?? -1,
    logFile,
    child,
    stopping: false,
    ready: false,
    hasExited: () => reason !== '',
    exitReason: () => reason,
    exited: new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        reason = signal ? `was killed by ${signal}` : `exited with code ${code}`;
        resolve();
      });
      // 'error' without 'exit' happens when the command cannot be run at all.
      child.once('error', (err) => {
        reason = `could not be run: ${err.message}`;
        resolve();
      });
    }),
  };

  liveServers.add(server);
  installExitHandlers();

  server.exited.then(() => {
    liveServers.delete(server);
    uninstallExitHandlersIfIdle();
    if (server.ready && !server.stopping && log) {
      log(`${name} (pid ${server.pid}) ${reason} unexpectedly${tailText(logFile)}`);
    }
  });
  return server;
}

/**
 * Stops a server: SIGTERM, then SIGKILL if it is still there after graceMs.
 * Resolves once the process has exited. Safe to call more than once.
 *
 * @param {Server} server
 * @param {number} graceMs
 */
export async function stopServer(server, graceMs) {
  server.stopping = true;
  if (!server.hasExited()) {
    // child.kill signals the PID node spawned, and is a no-op once node has
    // seen that child exit, so a reused PID can never be hit.
    server.child.kill('SIGTERM');
    if (!(await settlesWithin(server.exited, graceMs))) {
      server.child.kill('SIGKILL');
      await server.exited;
    }
  }
  liveServers.delete(server);
  uninstallExitHandlersIfIdle();
}

// ---------------------------------------------------------------- readiness

/**
 * Calls check() every intervalMs until it returns a truthy value, which is
 * returned. Fails early if the server exits, and after timeoutMs; both errors
 * end with the tail of the server's log.
 *
 * @template T
 * @param {Server} server
 * @param {() => Promise<T | undefined | null | false>} check
 * @param {{ timeoutMs: number, intervalMs?: number, what: string }} opts
 * @returns {Promise<T>}
 */
export async function waitUntilReady(server, check, { timeoutMs, intervalMs = 100, what }) {
  const deadline = Date.now() + timeoutMs;
  let lastError = '';
  for (;;) {
    if (server.hasExited()) {
      throw serverError(server, `${server.name} ${server.exitReason()} before ${what}`);
    }
    try {
      const value = await check();
      if (value) return value;
    } catch (err) {
      lastError = err instanceof Error ? err.message : String(err);
    }
    if (Date.now() > deadline) {
      const detail = lastError ? ` (last error: ${lastError})` : '';
      throw serverError(server, `${server.name} (pid ${server.pid}) not ready after ${timeoutMs / 1000}s: ${what}${detail}`);
    }
    await Promise.race([sleep(intervalMs), server.exited]);
  }
}

/**
 * An Error whose message ends with the tail of the server's log; `portInUse`
 * is set when the log says the port was taken, so the caller can retry.
 *
 * @param {Server} server
 * @param {string} message
 */
export function serverError(server, message) {
  const err = /** @type {Error & { portInUse?: boolean }} */ (new Error(message + tailText(server.logFile)));
  err.portInUse = /address already in use|EADDRINUSE|BindException/i.test(readTail(server.logFile));
  return err;
}

/**
 * Runs start() up to `attempts` times while it fails with a port clash. Free
 * ports are found by binding port 0 and closing it, so another process can
 * grab one before the server binds it; a retry with fresh ports fixes that.
 *
 * @template T
 * @param {() => Promise<T>} start
 * @param {number} [attempts]
 * @returns {Promise<T>}
 */
export async function retryOnPortClash(start, attempts = 3) {
  for (let i = 1; ; i++) {
    try {
      return await start();
    } catch (err) {
      if (!(/** @type {any} */ (err).portInUse) || i >= attempts) throw err;
    }
  }
}

/**
 * A TCP port on 127.0.0.1 that was free a moment ago.
 *
 * @param {number[]} [avoid] ports already chosen for the same server
 * @returns {Promise<number>}
 */
export async function freePort(avoid = []) {
  for (;;) {
    const port = await new Promise((resolve, reject) => {
      const srv = net.createServer();
      srv.once('error', reject);
      srv.listen(0, '127.0.0.1', () => {
        const { port } = /** @type {net.AddressInfo} */ (srv.address());
        srv.close(() => resolve(port));
      });
    });
    if (!avoid.includes(port)) return port;
  }
}

/**
 * The last lines of a log file, as a block to append to an error message.
 *
 * @param {string} file
 * @param {number} [lines]
 */
export function tailText(file, lines = 30) {
  const tail = readTail(file).split('\n').slice(-lines - 1).join('\n').trimEnd();
  return tail ? `\n--- last lines of ${file} ---\n${tail}\n---` : `\n(${file} is empty)`;
}

/** @param {string} file */
function readTail(file, bytes = 16384) {
  try {
    const fd = fs.openSync(file, 'r');
    try {
      const size = fs.fstatSync(fd).size;
      const buf = Buffer.alloc(Math.min(bytes, size));
      fs.readSync(fd, buf, 0, buf.length, size - buf.length);
      return buf.toString('utf8');
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    return '';
  }
}

// ---------------------------------------------------------------- temp dirs

/**
 * A fresh directory under the OS temp dir. Its name carries our PID so that
 * a later run can tell it was left behind by a dead process.
 */
export async function makeTempDir() {
  const dir = await fsp.mkdtemp(path.join(os.tmpdir(), `${TEMP_PREFIX}${process.pid}-`));
  liveDirs.add(dir);
  installExitHandlers();
  return dir;
}

/** @param {string} dir */
export async function removeTempDir(dir) {
  await fsp.rm(dir, { recursive: true, force: true, maxRetries: 3 });
  liveDirs.delete(dir);
  uninstallExitHandlersIfIdle();
}

/**
 * Removes temp dirs of earlier runs whose process is gone (killed with
 * SIGKILL, or the machine's power went), so they do not pile up.
 */
export async function removeStaleTempDirs() {
  const tmp = os.tmpdir();
  const entries = await fsp.readdir(tmp).catch(() => []);
  await Promise.all(entries.map(async (entry) => {
    const m = entry.startsWith(TEMP_PREFIX) && /^(\d+)-/.exec(entry.slice(TEMP_PREFIX.length));
    if (m && !isAlive(Number(m[1]))) {
      await fsp.rm(path.join(tmp, entry), { recursive: true, force: true }).catch(() => {});
    }
  }));
}

/** @param {number} pid */
export function isAlive(pid) {
  try {
    process.kill(pid, 0); // signal 0 only checks that the PID exists
    return true;
  } catch (err) {
    return /** @type {NodeJS.ErrnoException} */ (err).code === 'EPERM';
  }
}

// ---------------------------------------------------------------- cleanup

const SIGNALS = /** @type {const} */ (['SIGINT', 'SIGTERM', 'SIGHUP']);
let handlersInstalled = false;

/**
 * While anything is running, make sure it goes when this process goes:
 * - on 'exit' (normal end, process.exit, uncaught exception) SIGKILL what is
 *   left and remove temp dirs, synchronously since nothing async runs there;
 * - on SIGINT/SIGTERM/SIGHUP stop everything gracefully, then let the signal
 *   do what it would have done without us.
 * A SIGKILL of this process is covered by the parent-death signal instead.
 * The handlers are removed again once nothing is left, so that a process
 * that is done with its servers gets its usual signal behaviour back.
 */
function installExitHandlers() {
  if (handlersInstalled) return;
  handlersInstalled = true;
  process.on('exit', killAllNow);
  for (const sig of SIGNALS) process.on(sig, onSignal);
}

function uninstallExitHandlersIfIdle() {
  if (!handlersInstalled || liveServers.size > 0 || liveDirs.size > 0) return;
  handlersInstalled = false;
  process.off('exit', killAllNow);
  for (const sig of SIGNALS) process.off(sig, onSignal);
}

function killAllNow() {
  for (const server of liveServers) {
    server.stopping = true;
    server.child.kill('SIGKILL');
  }
  for (const dir of liveDirs) {
    try {
      fs.rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
    } catch {
      // a dying server may still be writing; removeStaleTempDirs gets it later
    }
  }
}

/** @param {NodeJS.Signals} sig */
async function onSignal(sig) {
  // From here on a second Ctrl+C ends us at once; 'exit' still kills.
  for (const s of SIGNALS) process.off(s, onSignal);

  await Promise.allSettled([...liveServers].map((server) => stopServer(server, 5000)));
  await Promise.allSettled([...liveDirs].map(removeTempDir));

  // If nobody else handles this signal, die of it as we would have without
  // our handler (exit status 128 + signal number, as shells expect).
  if (process.listenerCount(sig) === 0) process.kill(process.pid, sig);
}

// ---------------------------------------------------------------- helpers

/**
 * @param {Promise<unknown>} promise
 * @param {number} ms
 * @returns {Promise<boolean>} whether it settled in time
 */
async function settlesWithin(promise, ms) {
  const timer = sleep(ms, false, { ref: false });
  return Promise.race([promise.then(() => true, () => true), timer]);
}

/**
 * Full path of an executable on PATH, or null.
 *
 * @param {string} command
 */
export function which(command) {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const file = path.join(dir, command);
    try {
      fs.accessSync(file, fs.constants.X_OK);
      if (fs.statSync(file).isFile()) return file;
    } catch {
      // not here
    }
  }
  return null;
}

// The bench's own child processes (the stack, the bare handler): started
// with an IPC channel, asked things by message, stopped by their PID.

import { fork } from 'node:child_process';

const READY_TIMEOUT_MS = 300_000;
const ANSWER_TIMEOUT_MS = 60_000;
const STOP_GRACE_MS = 30_000;

/**
 * @typedef {object} Child
 * @property {number} pid
 * @property {any} ready                     the child's 'ready' message
 * @property {(message: object, timeoutMs?: number) => Promise<any>} ask
 * @property {() => Promise<void>} stop
 */

/**
 * Forks `script` and resolves once it sends { type: 'ready' }.
 *
 * @param {string} script  absolute path
 * @param {{ env: NodeJS.ProcessEnv, name: string, cwd: string, execArgv?: string[] }} options
 * @returns {Promise<Child>}
 */
export function startChild(script, { env, name, cwd, execArgv = [] }) {
  const child = fork(script, [], { env, cwd, execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  let nextId = 1;
  /** @type {Map<number, (answer: any) => void>} */
  const waiting = new Map();
  let exited = false;
  const exit = new Promise((resolve) => child.once('exit', (code, signal) => { exited = true; resolve({ code, signal }); }));

  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name} did not start within ${READY_TIMEOUT_MS / 1000}s`)), READY_TIMEOUT_MS);
    exit.then(({ code, signal }) => reject(new Error(`${name} exited before it was ready (code ${code}, signal ${signal})`)));
    child.on('message', (/** @type {any} */ message) => {
      if (message?.type === 'ready') {
        clearTimeout(timer);
        resolve({ pid: /** @type {number} */ (child.pid), ready: message, ask, stop });
        return;
      }
      waiting.get(message?.id)?.(message);
      waiting.delete(message?.id);
    });
  });

  /** @param {object} message @param {number} [timeoutMs] */
  function ask(message, timeoutMs = ANSWER_TIMEOUT_MS) {
    const id = nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => { waiting.delete(id); reject(new Error(`${name} did not answer ${JSON.stringify(message)}`)); }, timeoutMs);
      waiting.set(id, (answer) => { clearTimeout(timer); resolve(answer); });
      child.send({ ...message, id });
    });
  }

  /** Asks it to stop; kills it by PID if it has not exited after the grace period. */
  async function stop() {
    if (exited) return;
    if (child.connected) child.send({ type: 'stop' });
    const timedOut = new Promise((resolve) => setTimeout(() => resolve('timeout'), STOP_GRACE_MS).unref());
    if ((await Promise.race([exit, timedOut])) === 'timeout' && !exited) {
      process.kill(/** @type {number} */ (child.pid), 'SIGKILL');
      await exit;
    }
  }
}

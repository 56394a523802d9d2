// Starts the Chirp stack for the bench in one of two layouts:
//   processes (default): the production shape, as docker-compose runs it:
//     each subgraph in its own Node process (service-process.js), then the
//     gateway in its own, pointed at them by USERS_URL, TWEETS_URL, ...
//   one: `startStack`, the gateway and the four subgraphs in one process
//     (stack-process.js), as `npm start` runs them.
// Either way the bench talks to it the same way: the gateway's URL (and each
// subgraph's), runtime figures per process, and the timeline's process for the
// fan-out switch.

import { resolve } from 'node:path';
import { startChild } from './children.js';
import { LAYOUTS } from './options.js';

const SUBGRAPHS = ['users', 'tweets', 'timeline', 'notifications'];

/**
 * @param {{ layout: string, env: NodeJS.ProcessEnv, here: string, root: string, profileDir?: string, nodeFlags?: string[] }} options
 *   profileDir: a V8 CPU profile of each process goes to `<profileDir>/<process name>/`
 *   nodeFlags: extra Node flags for every stack process (BENCH_NODE_FLAGS, e.g. `--max-semi-space-size=32`)
 */
export async function startBenchStack({ layout, env, here, root, profileDir, nodeFlags = [] }) {
  // --expose-gc lets the bench ask a process for its memory after a full GC (the live step's bytes per
  // subscription); it changes nothing else about how V8 collects.
  const execArgv = (/** @type {string} */ name) =>
    ['--expose-gc', ...nodeFlags, ...(profileDir ? ['--cpu-prof', `--cpu-prof-dir=${resolve(profileDir, name)}`] : [])];
  /** @type {Map<string, import('./children.js').Child>} */
  const children = new Map();
  /** More copies of a service (the scale step's), by name (`gateway-2`, `timeline-2`). @type {Map<string, import('./children.js').Child>} */
  const replicas = new Map();
  /** The gateway's environment: its subgraphs' URLs once they run. @type {NodeJS.ProcessEnv} */
  let gatewayEnv = {};
  const stop = async () => {
    // The gateway first, as a deploy would; then the subgraphs.
    for (const child of [...replicas.values()].reverse()) await child.stop();
    for (const child of [...children.values()].reverse()) await child.stop();
  };
  try {
    if (layout === 'one') {
      children.set('stack', await startChild(resolve(here, 'stack-process.js'), { name: 'stack', cwd: root, execArgv: execArgv('stack'), env }));
    } else if (layout === 'processes') {
      // One after another, as startStack does: subgraphs starting at once on a fresh Kafka race to
      // create the same topics, and kafkajs can fail one of them with UNKNOWN_TOPIC_OR_PARTITION.
      for (const name of SUBGRAPHS) {
        children.set(name, await startChild(resolve(here, 'service-process.js'), { name, cwd: root, execArgv: execArgv(name), env: { ...env, BENCH_SERVICE: name } }));
      }
      const urls = Object.fromEntries(SUBGRAPHS.map((name) => [`${name.toUpperCase()}_URL`, children.get(name)?.ready.url]));
      // The gateway stores nothing: its subgraphs' URLs, and Redis for live events (no MongoDB, no Kafka).
      const { MONGODB_URL: _m, KAFKA_BROKERS: _k, BENCH_NETWORK: _n, ...withoutStores } = env;
      gatewayEnv = { ...withoutStores, ...urls };
      children.set('gateway', await startChild(resolve(here, 'service-process.js'), {
        name: 'gateway', cwd: root, execArgv: execArgv('gateway'), env: { ...gatewayEnv, BENCH_SERVICE: 'gateway' } }));
    } else {
      throw new Error(`--layout ${layout}: one of ${LAYOUTS.join(', ')}`);
    }
  } catch (error) {
    await stop().catch(() => {});
    throw error;
  }
  const gateway = /** @type {import('./children.js').Child} */ (children.get(layout === 'one' ? 'stack' : 'gateway'));
  const timeline = /** @type {import('./children.js').Child} */ (children.get(layout === 'one' ? 'stack' : 'timeline'));
  return {
    layout,
    gatewayUrl: /** @type {string} */ (gateway.ready.url),
    /** Process names, the gateway's first. */
    names: layout === 'one' ? ['stack'] : ['gateway', ...SUBGRAPHS],
    /** The processes that serve a home-timeline read. */
    readPath: layout === 'one' ? ['stack'] : ['gateway', 'timeline'],
    /** Each subgraph's own URL (its process's, or the one-process stack's listener), by name. */
    subgraphUrls: /** @type {Record<string, string>} */ (layout === 'one'
      ? gateway.ready.subgraphUrls
      : Object.fromEntries(SUBGRAPHS.map((name) => [name, children.get(name)?.ready.url]))),
    pids: Object.fromEntries([...children].map(([name, child]) => [name, child.pid])),
    /** @param {object} message */
    askTimeline: (message) => timeline.ask(message),
    /** The process serving the gateway (its own, or the one-process stack). @param {object} message */
    askGateway: (message) => gateway.ask(message),
    /** Sends every process the same message; resolves once all have answered. @param {object} message */
    async askAll(message) {
      await Promise.all([...children.values()].map((child) => child.ask(message)));
    },
    /**
     * Starts another copy of a service (`--layout processes` only) as the first was started, with the same
     * environment, under `<service>-<n>`: a subgraph joins its consumer groups (the copies share the topics'
     * partitions); a gateway can be pointed at other subgraph URLs (`urls`, e.g. { TIMELINE_URL }).
     * @param {string} service  `gateway` or a subgraph's name
     * @param {Record<string, string>} [urls]
     */
    async startReplica(service, urls = {}) {
      if (layout !== 'processes') throw new Error('replicas need --layout processes');
      let n = 2;
      while (replicas.has(`${service}-${n}`)) n += 1;
      const name = `${service}-${n}`;
      const replicaEnv = service === 'gateway' ? { ...gatewayEnv, ...urls } : env;
      const child = await startChild(resolve(here, 'service-process.js'), {
        name, cwd: root, execArgv: execArgv(name), env: { ...replicaEnv, BENCH_SERVICE: service } });
      replicas.set(name, child);
      return { name, child, url: /** @type {string} */ (child.ready.url) };
    },
    /** Stops the copies startReplica started, the gateways first. */
    async stopReplicas() {
      const names = [...replicas.keys()].sort((x, y) => Number(y.startsWith('gateway')) - Number(x.startsWith('gateway')));
      for (const name of names) {
        await replicas.get(name)?.stop();
        replicas.delete(name);
      }
    },
    /** Each process's answer to 'usage', by name. */
    async usage() {
      const names = [...children.keys()];
      const answers = await Promise.all(names.map((name) => /** @type {import('./children.js').Child} */ (children.get(name)).ask({ type: 'usage' })));
      return Object.fromEntries(names.map((name, i) => [name, answers[i]]));
    },
    stop,
  };
}

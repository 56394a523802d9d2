// Real MongoDB-protocol, Redis, Kafka and S3-compatible servers for tests,
// started on free loopback ports and stopped again, without Docker. See
// README.md here.
//
//   import { startServers } from './scripts/servers/index.js';
//   const { env, stop } = await startServers();
//   // env.MONGODB_URL, env.REDIS_URL, env.KAFKA_BROKERS, env.S3_ENDPOINT
//   await stop();

import { ensureFerretDB, ensureKafka, ensureMoto, ensurePostgres, ensureRedis } from './ensure.js';
import { startKafka } from './kafka.js';
import { startKafkaCluster as startKafkaNodes } from './kafka.js';
import { startMongo } from './mongodb.js';
import { startPostgres } from './postgres.js';
import { makeTempDir, removeStaleTempDirs, removeTempDir } from './processes.js';
import { startRedis } from './redis.js';
import { startRedisCluster } from './redis-cluster.js';
import { startS3 } from './s3.js';

export { cacheDir, ensureCfnLint } from './ensure.js';
// The Helm chart's tools (packages/stack/test/helm-chart.test.ts): helm built from the Go proxy, kubernetes-validate in a venv.
export { ensureHelm, ensureKubernetesValidate } from './ensure.js';

/** @typedef {'mongodb' | 'redis' | 'kafka' | 's3' | 'redis-cluster'} ServerName */
/** @typedef {{ MONGODB_URL?: string, REDIS_URL?: string, KAFKA_BROKERS?: string, S3_ENDPOINT?: string, REDIS_CLUSTER_URL?: string }} ServersEnv */

/**
 * @typedef {object} ServersOptions
 * @property {ServerName[]} [only]  start just these (default: all four; 'redis-cluster' only when named)
 * @property {(msg: string) => void} [log]  progress and warnings (default: stderr)
 * @property {FerretBackend} [ferretdbBackend]  what FerretDB stores in (default: sqlite, quick to start; postgresql
 *   pushes filters down to indexes as MongoDB would, for benchmarks)
 */

/** @typedef {'sqlite' | 'postgresql'} FerretBackend */

const ALL = /** @type {ServerName[]} */ (['mongodb', 'redis', 'kafka', 's3']);
/** Started only when asked for by name: a 3-master Redis Cluster (REDIS_CLUSTER_URL), which the tests use too. */
const OPTIONAL = /** @type {ServerName[]} */ (['redis-cluster']);

/** @param {string} msg */
const defaultLog = (msg) => process.stderr.write(`[servers] ${msg}\n`);

/**
 * How to get each server going: its ensure step, then its start. Each start
 * resolves to the env vars it provides and a stop function.
 *
 * @type {Record<ServerName, (root: string, log: (msg: string) => void, options?: ServersOptions) =>
 *   Promise<{ env: ServersEnv, stop: () => Promise<void> }>>}
 */
const STARTERS = {
  mongodb: async (root, log, { ferretdbBackend = 'sqlite' } = {}) => {
    if (ferretdbBackend === 'sqlite') return startMongo({ ...(await ensureFerretDB(log)), root, log });
    const [ferretdb, postgres] = await Promise.all([ensureFerretDB(log), ensurePostgres(log).then((bin) => startPostgres({ ...bin, root, log }))]);
    try {
      const mongo = await startMongo({ ...ferretdb, root, log, postgresUrl: postgres.url });
      return { env: mongo.env, stop: () => mongo.stop().finally(() => postgres.stop()) };
    } catch (err) {
      await postgres.stop();
      throw err;
    }
  },
  redis: async (root, log) => startRedis({ ...(await ensureRedis(log)), root, log }),
  'redis-cluster': async (root, log) => startRedisCluster({ ...(await ensureRedis(log)), root, log }),
  kafka: async (root, log) => startKafka({ ...(await ensureKafka(log)), root, log }),
  s3: async (root, log) => startS3({ ...(await ensureMoto(log)), root, log }),
};

/**
 * Starts the servers (in parallel), each on a free 127.0.0.1 port with its
 * data in a fresh temp dir, and resolves once all of them answer.
 *
 * If one fails to start, those already started are stopped and the error
 * (with the tail of the failing server's log) is thrown.
 *
 * @param {ServersOptions} [options]
 * @returns {Promise<{ env: ServersEnv, stop: () => Promise<void> }>}
 */
export async function startServers(options = {}) {
  const names = options.only ?? ALL;
  const unknown = names.filter((n) => !ALL.includes(n) && !OPTIONAL.includes(n));
  if (unknown.length) throw new Error(`startServers: unknown server(s) ${unknown.join(', ')}; known: ${[...ALL, ...OPTIONAL].join(', ')}`);
  if (options.ferretdbBackend && !['sqlite', 'postgresql'].includes(options.ferretdbBackend)) {
    throw new Error(`startServers: unknown FerretDB backend "${options.ferretdbBackend}"; known: sqlite, postgresql`);
  }
  const log = options.log ?? defaultLog;

  await removeStaleTempDirs();
  const root = await makeTempDir();
  const started = Date.now();

  const results = await Promise.allSettled(names.map((name) => STARTERS[name](root, log, options)));
  const running = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));

  let stopping = /** @type {Promise<void> | null} */ (null);
  const stop = () => {
    stopping ??= (async () => {
      await Promise.all(running.map((s) => s.stop()));
      await removeTempDir(root);
    })();
    return stopping;
  };

  const failures = results.flatMap((r) => (r.status === 'rejected' ? [r.reason] : []));
  if (failures.length) {
    await stop();
    throw failures.length === 1
      ? failures[0]
      : new Error(`${failures.length} servers failed to start:\n\n${failures.map((e) => e.message).join('\n\n')}`);
  }

  const env = Object.assign({}, ...running.map((s) => s.env));
  log(`ready in ${((Date.now() - started) / 1000).toFixed(1)}s: ${Object.entries(env).map(([k, v]) => `${k}=${v}`).join(' ')}`);
  return { env, stop };
}

/**
 * Only the one-time steps: build or fetch whatever is missing from the cache
 * (see ensure.js), without starting anything for good. Used to warm CI's cache.
 *
 * @param {ServersOptions} [options]
 */
export async function ensureServers(options = {}) {
  const names = options.only ?? ALL;
  const log = options.log ?? defaultLog;
  const steps = { mongodb: ensureFerretDB, redis: ensureRedis, kafka: ensureKafka, s3: ensureMoto, 'redis-cluster': ensureRedis };
  await Promise.all(names.map((name) => steps[name](log)));
}

/**
 * A Kafka cluster of three combined broker+controller KRaft nodes on
 * loopback (a 3-voter quorum; replication factor 3 and min.insync.replicas
 * 2 by default; 384 MiB of heap each), in a temp dir of its own, for a test
 * that stops a broker: started only by the test that needs it, never by
 * startServers. `nodes[i]` has `stop()` (SIGTERM), `kill()` (SIGKILL) and
 * `start()` (again, same ports and data); `stop()` stops every node by PID
 * and removes the dir.
 *
 * @param {{ log?: (msg: string) => void, nodes?: number }} [options]
 * @returns {Promise<{ env: { KAFKA_BROKERS: string }, nodes: import('./kafka.js').ClusterNode[], stop: () => Promise<void> }>}
 */
export async function startKafkaCluster(options = {}) {
  const log = options.log ?? defaultLog;
  const kafka = await ensureKafka(log);
  await removeStaleTempDirs();
  const root = await makeTempDir();
  const started = Date.now();
  try {
    const cluster = await startKafkaNodes({ ...kafka, root, log, nodes: options.nodes ?? 3 });
    log(`Kafka cluster ready in ${((Date.now() - started) / 1000).toFixed(1)}s: KAFKA_BROKERS=${cluster.env.KAFKA_BROKERS}`);
    let stopping = /** @type {Promise<void> | null} */ (null);
    const stop = () => (stopping ??= cluster.stop().finally(() => removeTempDir(root)));
    return { ...cluster, stop };
  } catch (err) {
    await removeTempDir(root);
    throw err;
  }
}

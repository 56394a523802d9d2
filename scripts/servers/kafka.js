// A real Apache Kafka 3.9 broker (jars from Maven Central, see ensure.js) as
// a single combined KRaft node: one JVM is both controller and broker, which
// is all a test needs and the quickest way to get a working cluster.

import { randomBytes } from 'node:crypto';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { freePort, retryOnPortClash, spawnServer, stopServer, waitUntilReady } from './processes.js';

const log4jConfig = fileURLToPath(new URL('../../infra/kafka/log4j.properties', import.meta.url));

const READY_TIMEOUT_MS = 90_000; // a cold JVM on a busy 2-core CI machine
const STOP_GRACE_MS = 10_000; // a clean shutdown takes well under a second

/**
 * @typedef {object} KafkaOptions
 * @property {string} java        java binary
 * @property {string} jarsDir     directory holding the broker's jars
 * @property {string | null} [cdsArchive]  class-data archive made by ensure.js
 * @property {string} root        temp dir for this run (gets kafka/ and kafka.log)
 * @property {(msg: string) => void} log
 * @property {string[]} [jvmArgs] extra JVM arguments
 * @property {number} [stopGraceMs] how long stop() waits before SIGKILL
 */

/**
 * Starts a broker on free loopback ports and waits until it answers.
 *
 * @param {KafkaOptions} opts
 * @returns {Promise<{ env: { KAFKA_BROKERS: string }, stop: () => Promise<void> }>}
 */
export function startKafka(opts) {
  return retryOnPortClash(() => startOnce(opts));
}

/** @param {KafkaOptions} opts */
async function startOnce({ java, jarsDir, cdsArchive, root, log, jvmArgs = [], stopGraceMs = STOP_GRACE_MS }) {
  const port = await freePort();
  const controllerPort = await freePort([port]);
  const dir = path.join(root, `kafka-${port}`);
  const dataDir = path.join(dir, 'data');
  await fsp.mkdir(dataDir, { recursive: true });

  const propsFile = path.join(dir, 'server.properties');
  await fsp.writeFile(propsFile, serverProperties({ port, controllerPort, dataDir }));
  await writeMetaProperties(dataDir);

  const extraOpts = (process.env.CHIRP_KAFKA_JAVA_OPTS ?? '').split(/\s+/).filter(Boolean);
  const server = spawnServer({
    name: 'kafka',
    command: java,
    args: [
      '-Xms256m', '-Xmx512m',
      // Serial GC: fastest to start, and enough for a test broker's heap.
      '-XX:+UseSerialGC',
      '-XX:+ExitOnOutOfMemoryError',
      '-Djava.awt.headless=true',
      ...(cdsArchive ? [`-XX:SharedArchiveFile=${cdsArchive}`] : []),
      ...jvmArgs,
      ...extraOpts,
      `-Dlog4j.configuration=file:${log4jConfig}`,
      '-cp', path.join(jarsDir, '*'),
      'kafka.Kafka', propsFile,
    ],
    logFile: path.join(root, `kafka-${port}.log`),
    log,
  });

  const brokers = `127.0.0.1:${port}`;
  const stop = () => stopServer(server, stopGraceMs);
  try {
    await waitUntilReady(server, () => describeCluster(brokers), {
      timeoutMs: READY_TIMEOUT_MS,
      intervalMs: 100,
      what: `a Kafka admin client's describeCluster() on ${brokers} answered`,
    });
  } catch (err) {
    await stop();
    throw err;
  }
  server.ready = true;
  return { env: { KAFKA_BROKERS: brokers }, stop };
}

/**
 * Broker settings: one node, replication factor 1 everywhere, and no delays
 * that only make sense for a real cluster.
 *
 * @param {{ port: number, controllerPort: number, dataDir: string }} p
 */
function serverProperties({ port, controllerPort, dataDir }) {
  return `${[
    'process.roles=broker,controller',
    'node.id=1',
    `controller.quorum.voters=1@127.0.0.1:${controllerPort}`,
    `listeners=PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controllerPort}`,
    `advertised.listeners=PLAINTEXT://127.0.0.1:${port}`,
    'controller.listener.names=CONTROLLER',
    'inter.broker.listener.name=PLAINTEXT',
    'listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT',
    `log.dirs=${dataDir}`,
    // Tests may produce to a topic before anyone created it.
    'auto.create.topics.enable=true',
    'num.partitions=3',
    'default.replication.factor=1',
    'min.insync.replicas=1',
    'offsets.topic.replication.factor=1',
    'offsets.topic.num.partitions=1',
    'transaction.state.log.replication.factor=1',
    'transaction.state.log.min.isr=1',
    'transaction.state.log.num.partitions=1',
    // Consumers join at once instead of waiting 3 s for more members.
    'group.initial.rebalance.delay.ms=0',
    // The log cleaner allocates a 128 MiB buffer by default; tests need little.
    'log.cleaner.dedupe.buffer.size=8388608',
  ].join('\n')}\n`;
}

/**
 * What `kafka-storage.sh format` would write, minus one JVM start (~1 s).
 * With no bootstrap.checkpoint, the broker takes the metadata version from
 * its configuration (the latest, 3.9-IV0), and it adds directory.id itself.
 *
 * @param {string} dataDir
 */
async function writeMetaProperties(dataDir) {
  const lines = ['version=1', 'node.id=1', `cluster.id=${randomClusterId()}`];
  await fsp.writeFile(path.join(dataDir, 'meta.properties'), `${lines.join('\n')}\n`);
}

/**
 * A cluster id as `kafka-storage.sh random-uuid` makes one: 16 random bytes
 * in URL-safe base64 without padding, not starting with '-' (Kafka's
 * Uuid.randomUuid avoids that so the id never looks like a CLI flag).
 */
function randomClusterId() {
  for (;;) {
    const id = randomBytes(16).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}

/** kafkajs, loaded on first use so that `ensure` alone never needs it. */
async function kafkajs() {
  const mod = await import('kafkajs');
  return mod.default ?? mod;
}

/**
 * One readiness probe: does the broker answer a metadata request?
 *
 * @param {string} brokers
 */
async function describeCluster(brokers) {
  const { Kafka, logLevel } = await kafkajs();
  const kafka = new Kafka({
    clientId: 'chirp-servers-probe',
    brokers: [brokers],
    logLevel: logLevel.NOTHING, // refused connections are expected while it starts
    connectionTimeout: 1000,
    requestTimeout: 2000,
    retry: { retries: 0 },
  });
  const admin = kafka.admin();
  try {
    await admin.connect();
    const cluster = await admin.describeCluster();
    return cluster.brokers.length > 0;
  } finally {
    await admin.disconnect().catch(() => {});
  }
}

/**
 * Creates a topic, produces one message and consumes it back: used while
 * recording the class-data archive, so that the classes serving clients are
 * in it too, and handy as a smoke test.
 *
 * @param {string} brokers
 */
export async function exerciseKafka(brokers) {
  const { Kafka, logLevel } = await kafkajs();
  const kafka = new Kafka({ clientId: 'chirp-servers-warmup', brokers: [brokers], logLevel: logLevel.NOTHING });
  const topic = 'chirp-servers-warmup';

  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
  await admin.disconnect();

  const producer = kafka.producer();
  await producer.connect();
  await producer.send({ topic, messages: [{ key: 'k', value: 'warmup' }] });
  await producer.disconnect();

  const consumer = kafka.consumer({ groupId: 'chirp-servers-warmup' });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no message consumed within 30s')), 30_000);
    consumer.run({
      eachMessage: async () => {
        clearTimeout(timer);
        resolve(undefined);
      },
    }).catch(reject);
  });
  await consumer.disconnect();
}

// A real Apache Kafka 3.9 broker (jars from Maven Central, see ensure.js) as
// a single combined KRaft node: one JVM is both controller and broker, which
// is all most tests need and the quickest way to get a working cluster.
// startKafkaCluster starts three such nodes as one cluster (a 3-voter
// quorum, every partition on all three) for tests that stop a broker.

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

  const server = spawnKafka({ name: 'kafka', java, jarsDir, cdsArchive, propsFile, logFile: path.join(root, `kafka-${port}.log`), log, jvmArgs });

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
 * One JVM running kafka.Kafka on a properties file, its output in logFile.
 *
 * @param {{ name: string, java: string, jarsDir: string, cdsArchive?: string | null, propsFile: string, logFile: string,
 *           log: (msg: string) => void, jvmArgs?: string[], heap?: [string, string] }} p
 */
function spawnKafka({ name, java, jarsDir, cdsArchive, propsFile, logFile, log, jvmArgs = [], heap = ['-Xms256m', '-Xmx512m'] }) {
  const extraOpts = (process.env.CHIRP_KAFKA_JAVA_OPTS ?? '').split(/\s+/).filter(Boolean);
  return spawnServer({
    name,
    command: java,
    args: [
      ...heap,
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
    logFile,
    log,
  });
}

/**
 * What every KRaft node here is: broker and controller in one process, on
 * loopback, plaintext, its quorum's voters as `id@host:port,...`.
 *
 * @param {{ nodeId: number, port: number, controllerPort: number, voters: string, dataDir: string }} p
 */
function kraftNode({ nodeId, port, controllerPort, voters, dataDir }) {
  return [
    'process.roles=broker,controller',
    `node.id=${nodeId}`,
    `controller.quorum.voters=${voters}`,
    `listeners=PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controllerPort}`,
    `advertised.listeners=PLAINTEXT://127.0.0.1:${port}`,
    'controller.listener.names=CONTROLLER',
    'inter.broker.listener.name=PLAINTEXT',
    'listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT',
    `log.dirs=${dataDir}`,
  ];
}

/**
 * Broker settings: one node, replication factor 1 everywhere, and no delays
 * that only make sense for a real cluster.
 *
 * @param {{ port: number, controllerPort: number, dataDir: string }} p
 */
function serverProperties({ port, controllerPort, dataDir }) {
  return `${[
    ...kraftNode({ nodeId: 1, port, controllerPort, voters: `1@127.0.0.1:${controllerPort}`, dataDir }),
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
 * @param {{ nodeId?: number, clusterId?: string }} [node] the nodes of one cluster share its id
 */
async function writeMetaProperties(dataDir, { nodeId = 1, clusterId = randomClusterId() } = {}) {
  const lines = ['version=1', `node.id=${nodeId}`, `cluster.id=${clusterId}`];
  await fsp.writeFile(path.join(dataDir, 'meta.properties'), `${lines.join('\n')}\n`);
}

// ---------------------------------------------------------------- a cluster

const CLUSTER_HEAP = /** @type {[string, string]} */ (['-Xms128m', '-Xmx384m']);
const CLUSTER_STOP_GRACE_MS = 1_000;

/**
 * @typedef {object} ClusterNode
 * @property {number} nodeId
 * @property {string} address        host:port of its client listener
 * @property {number} pid            of its JVM (changes when it is started again)
 * @property {() => Promise<void>} stop   SIGTERM: a controlled shutdown (leaders move first)
 * @property {() => Promise<void>} kill   SIGKILL: a crash (the controller notices within broker.session.timeout.ms)
 * @property {() => Promise<void>} start  starts it again, on the same ports and data, and waits until the cluster lists it
 * @property {() => boolean} running
 */

/**
 * Starts `nodes` (default 3) combined broker+controller KRaft nodes on
 * loopback as one cluster: every node is a voter of the metadata quorum,
 * topics get `nodes` replicas by default, and a write needs two of them in
 * sync (min.insync.replicas 2), so the cluster keeps taking acks=all writes
 * with one node down. Each JVM gets a 384 MiB heap. Resolves once every
 * node answers and lists all of them.
 *
 * @param {KafkaOptions & { nodes?: number }} opts
 * @returns {Promise<{ env: { KAFKA_BROKERS: string }, nodes: ClusterNode[], stop: () => Promise<void> }>}
 */
export function startKafkaCluster(opts) {
  return retryOnPortClash(() => startClusterOnce(opts));
}

/** @param {KafkaOptions & { nodes?: number }} opts */
async function startClusterOnce({ java, jarsDir, cdsArchive, root, log, jvmArgs = [], nodes: count = 3, stopGraceMs = STOP_GRACE_MS }) {
  /** @type {number[]} */
  const ports = [];
  for (let n = 0; n < count * 2; n += 1) ports.push(await freePort(ports));
  const members = Array.from({ length: count }, (_, index) => ({
    nodeId: index + 1,
    port: /** @type {number} */ (ports[index * 2]),
    controllerPort: /** @type {number} */ (ports[index * 2 + 1]),
  }));
  const voters = members.map((m) => `${m.nodeId}@127.0.0.1:${m.controllerPort}`).join(',');
  const clusterId = randomClusterId();
  const dir = path.join(root, `kafka-cluster-${members[0]?.port}`);

  /** @type {Array<{ nodeId: number, address: string, propsFile: string, logFile: string, server: import('./processes.js').Server | null }>} */
  const started = [];
  for (const member of members) {
    const nodeDir = path.join(dir, `node-${member.nodeId}`);
    const dataDir = path.join(nodeDir, 'data');
    await fsp.mkdir(dataDir, { recursive: true });
    const propsFile = path.join(nodeDir, 'server.properties');
    await fsp.writeFile(propsFile, clusterNodeProperties({ ...member, voters, dataDir, nodes: count }));
    await writeMetaProperties(dataDir, { nodeId: member.nodeId, clusterId });
    started.push({ nodeId: member.nodeId, address: `127.0.0.1:${member.port}`, propsFile, logFile: path.join(root, `kafka-node${member.nodeId}-${member.port}.log`), server: null });
  }
  const brokers = started.map((node) => node.address).join(',');

  /** @param {(typeof started)[number]} node */
  const launch = async (node) => {
    const server = spawnKafka({ name: `kafka node ${node.nodeId}`, java, jarsDir, cdsArchive, propsFile: node.propsFile, logFile: node.logFile, log, jvmArgs, heap: CLUSTER_HEAP });
    node.server = server;
    await waitUntilReady(server, () => describeCluster(node.address, count), {
      timeoutMs: READY_TIMEOUT_MS,
      intervalMs: 200,
      what: `node ${node.nodeId} answered describeCluster() listing all ${count} brokers`,
    });
    server.ready = true;
  };
  /** @param {(typeof started)[number]} node @param {number} graceMs */
  const halt = async (node, graceMs) => {
    if (node.server) await stopServer(node.server, graceMs);
  };
  // The whole cluster goes at once, its data with it: no controlled shutdown
  // to wait for (each node would try to hand its leaders to the others).
  const stop = () => Promise.all(started.map((node) => halt(node, CLUSTER_STOP_GRACE_MS))).then(() => undefined);

  try {
    await Promise.all(started.map(launch));
  } catch (err) {
    await stop();
    throw err;
  }
  return {
    env: { KAFKA_BROKERS: brokers },
    nodes: started.map((node) => ({
      nodeId: node.nodeId,
      address: node.address,
      get pid() {
        return node.server?.pid ?? -1;
      },
      stop: () => halt(node, stopGraceMs),
      kill: async () => {
        const { server } = node;
        if (!server || server.hasExited()) return;
        server.stopping = true; // expected: no "exited unexpectedly" warning
        server.child.kill('SIGKILL');
        await server.exited;
      },
      start: () => launch(node),
      running: () => Boolean(node.server && !node.server.hasExited()),
    })),
    stop,
  };
}

/**
 * One node of a cluster: replication everywhere (offsets and transaction
 * logs too), two replicas in sync for a write, and failure detection
 * quicker than the defaults so that a test losing a broker stays short.
 *
 * @param {{ nodeId: number, port: number, controllerPort: number, voters: string, dataDir: string, nodes: number }} p
 */
function clusterNodeProperties({ nodeId, port, controllerPort, voters, dataDir, nodes }) {
  const inSync = Math.min(2, nodes);
  return `${[
    ...kraftNode({ nodeId, port, controllerPort, voters, dataDir }),
    'auto.create.topics.enable=false',
    'num.partitions=3',
    `default.replication.factor=${nodes}`,
    `min.insync.replicas=${inSync}`,
    'unclean.leader.election.enable=false',
    `offsets.topic.replication.factor=${nodes}`,
    'offsets.topic.num.partitions=1',
    `transaction.state.log.replication.factor=${nodes}`,
    `transaction.state.log.min.isr=${inSync}`,
    'transaction.state.log.num.partitions=1',
    'group.initial.rebalance.delay.ms=0',
    // A node that stops heartbeating is fenced (its partitions led and its
    // ISR places given to the others) after 4 s instead of 9.
    'broker.heartbeat.interval.ms=1000',
    'broker.session.timeout.ms=4000',
    'replica.lag.time.max.ms=10000',
    'log.cleaner.dedupe.buffer.size=8388608',
  ].join('\n')}\n`;
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
 * One readiness probe: does the broker answer a metadata request (listing
 * at least `atLeast` brokers)?
 *
 * @param {string} brokers
 * @param {number} [atLeast]
 */
async function describeCluster(brokers, atLeast = 1) {
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
    return cluster.brokers.length >= atLeast;
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

import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Kafka, logLevel } from 'kafkajs';
import {
  KafkaEventBus,
  OutboxRelay,
  PendingChanges,
  createLogger,
  sleep,
  type EventEnvelope,
  type EventSubscription,
  type PendingEvent,
} from '@chirp/platform';
import { eventually, uniqueName } from '@chirp/testing';

/**
 * Kafka losing a broker while events flow: a cluster of three KRaft nodes
 * (scripts/servers: a 3-voter quorum, every partition on all three, two in
 * sync for a write), started for this file only. Writers change keyed
 * documents and publish through the outbox relay, two consumers of one
 * group share the topic's partitions, and one broker is killed (SIGKILL)
 * mid-traffic, then started again. Every event the outbox marked published
 * must arrive, and every document's last change must reach the consumers:
 * none lost, however many are delivered twice.
 */
interface ClusterNode {
  nodeId: number;
  address: string;
  pid: number;
  kill(): Promise<void>;
  start(): Promise<void>;
}
interface KafkaCluster {
  env: { KAFKA_BROKERS: string };
  nodes: ClusterNode[];
  stop(): Promise<void>;
}

const root = resolve(fileURLToPath(import.meta.url), '../../../..');
const logger = createLogger('kafka-cluster-test', (process.env.TEST_LOG_LEVEL as 'error' | undefined) ?? 'silent');
const TOPIC = 'documents';
const GROUP = 'readers';
const PARTITIONS = 6;
const KEYS = 24;
const WRITERS = 4;

let cluster: KafkaCluster;
let brokers: string[];

beforeAll(async () => {
  const { startKafkaCluster } = (await import(resolve(root, 'scripts/servers/index.js'))) as {
    startKafkaCluster(options: { log: (message: string) => void }): Promise<KafkaCluster>;
  };
  cluster = await startKafkaCluster({ log: (message) => process.stderr.write(`[kafka cluster] ${message}\n`) });
  brokers = cluster.env.KAFKA_BROKERS.split(',');
}, 180_000);

afterAll(async () => {
  await cluster?.stop();
});

/**
 * Documents as the outbox sees them: each change bumps a key's seq and
 * leaves it pending until published; the sweeper republishes whatever a
 * failed publish left (the key's latest state, as a document would).
 */
class Documents {
  readonly pending = new PendingChanges();
  readonly latest = new Map<string, number>();
  /** Event ids the relay marked published: each must reach the consumers. */
  readonly published = new Set<string>();
  publishedAt = new Map<string, number>();

  change(key: string): PendingEvent {
    const seq = (this.latest.get(key) ?? 0) + 1;
    this.latest.set(key, seq);
    this.pending.mark(key, seq, new Date());
    return this.pendingEvent(key, seq);
  }

  pendingEvent(key: string, seq: number): PendingEvent {
    const event: EventEnvelope = { id: `${key}:${seq}`, type: 'document.changed', occurredAt: new Date().toISOString(), key, payload: { key, seq } };
    return {
      topic: TOPIC,
      event,
      markPublished: async () => {
        this.pending.settle(key, seq);
        this.published.add(event.id);
        this.publishedAt.set(event.id, Date.now());
      },
    };
  }

  readonly source = {
    name: 'documents',
    findPending: async (olderThan: Date, limit: number) =>
      this.pending.olderThan(olderThan, limit).map((key) => this.pendingEvent(key, this.latest.get(key) ?? 0)),
  };
}

/** What the consumers saw: deliveries per event id, and each key's highest seq applied (state, not deltas). */
class Readers {
  readonly deliveries = new Map<string, number>();
  readonly applied = new Map<string, number>();
  readonly deliveredAt: number[] = [];

  handle = async (event: EventEnvelope): Promise<void> => {
    const { key, seq } = event.payload as { key: string; seq: number };
    this.deliveries.set(event.id, (this.deliveries.get(event.id) ?? 0) + 1);
    this.applied.set(key, Math.max(this.applied.get(key) ?? 0, seq));
    this.deliveredAt.push(Date.now());
  };
}

describe('Kafka: a 3-broker cluster losing a broker mid-traffic', () => {
  it('delivers every event published through the outbox while one broker is killed and started again', async () => {
    const prefix = `${uniqueName('cluster')}.`;
    const bus = (clientId: string) => new KafkaEventBus({ brokers, clientId, topicPrefix: prefix, partitions: PARTITIONS, replicationFactor: 3 }, logger);
    const producer = bus('writers');
    const members = [bus('reader-a'), bus('reader-b')];
    const documents = new Documents();
    const readers = new Readers();
    const relay = new OutboxRelay(producer, [documents.source], { sweepIntervalMs: 250, graceMs: 500 }, logger);
    const subscriptions: EventSubscription[] = [];
    const admin = new Kafka({ clientId: 'cluster-test-admin', brokers, logLevel: logLevel.NOTHING }).admin();
    try {
      for (const member of members) subscriptions.push(await member.subscribe({ group: GROUP, topics: [TOPIC], handler: readers.handle }));
      relay.start();

      let writing = true;
      const keys = Array.from({ length: KEYS }, (_, n) => `doc-${n}`);
      const writer = async (index: number) => {
        for (let n = 0; writing; n += 1) {
          // Each writer has its own keys, changed one after another, as one document's commands would be.
          const key = keys[(index + WRITERS * n) % KEYS] as string;
          await relay.publish([documents.change(key)]);
          await sleep(15);
        }
      };
      const writers = Array.from({ length: WRITERS }, (_, index) => writer(index));

      await sleep(2_000);
      await admin.connect();
      const [metadata] = (await admin.fetchTopicMetadata({ topics: [`${prefix}${TOPIC}`] })).topics;
      expect(metadata?.partitions.map((partition) => partition.replicas.length)).toEqual(Array(PARTITIONS).fill(3));
      // The leader of partition 0: its writes and reads have to move.
      const leader = metadata?.partitions.find((partition) => partition.partitionId === 0)?.leader;
      const victim = cluster.nodes.find((node) => node.nodeId === leader) ?? (cluster.nodes[0] as ClusterNode);
      await admin.disconnect();

      const publishedBefore = documents.published.size;
      const killedAt = Date.now();
      await victim.kill();
      // Long enough for the cluster to fence it (4 s) and writes to move to new leaders.
      await sleep(7_000);
      const publishedWhileDown = documents.published.size - publishedBefore;
      await victim.start();
      const restartedAt = Date.now();
      await sleep(1_500);
      writing = false;
      await Promise.all(writers);

      // The outbox empties, every event it marked published arrives, and every document's last change is applied.
      await eventually(
        () => {
          expect(documents.pending.olderThan(new Date(), 1)).toEqual([]);
          expect([...documents.published].filter((id) => !readers.deliveries.has(id))).toEqual([]);
          expect(Object.fromEntries(readers.applied)).toEqual(Object.fromEntries(documents.latest));
        },
        { timeoutMs: 60_000, intervalMs: 250 },
      );
      // With one broker of three down, acks=all writes still went through (two replicas in sync), and the readers kept reading.
      expect(publishedWhileDown).toBeGreaterThan(0);
      expect(readers.deliveredAt.some((at) => at > killedAt && at < restartedAt)).toBe(true);
      const changes = [...documents.latest.values()].reduce((sum, seq) => sum + seq, 0);
      const twice = [...readers.deliveries.values()].filter((count) => count > 1).length;
      process.stderr.write(
        `[kafka cluster] ${changes} changes, ${documents.published.size} events marked published (${publishedWhileDown} while node ${victim.nodeId} was down), ` +
          `${readers.deliveries.size} delivered, ${twice} of them more than once\n`,
      );
    } finally {
      await relay.stop();
      await Promise.all(subscriptions.map((subscription) => subscription.stop().catch(() => undefined)));
      await Promise.all([producer, ...members].map((one) => one.close()));
      await admin.disconnect().catch(() => undefined);
    }
  }, 180_000);
});

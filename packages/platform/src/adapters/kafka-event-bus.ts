import { Kafka, Partitioners, logLevel, type Admin, type Consumer, type LogEntry, type Producer } from 'kafkajs';
import {
  deserializeEvent,
  serializeEvent,
  withRetries,
  type EventBus,
  type EventEnvelope,
  type EventSubscription,
  type SubscribeOptions,
} from '../events.js';
import type { Logger } from '../logger.js';
import { stopKafkajsIdlePolling } from './kafkajs-idle-fix.js';

export interface KafkaSettings {
  brokers: string[];
  clientId: string;
  /** Prepended to every topic and group name, so environments can share a cluster. */
  topicPrefix: string;
  /** Partitions of each topic this bus creates; unset: the broker's `num.partitions`. An existing topic keeps its count. */
  partitions?: number;
  /** Replicas of each partition of a topic this bus creates; unset: the broker's `default.replication.factor`. */
  replicationFactor?: number;
}

const HANDLER_ATTEMPTS = 5;
/**
 * A send that fails is tried again for about five seconds (a partition's
 * leader moving to another broker takes well under that); past it the
 * publish fails, and the outbox keeps the change pending for its sweeper.
 */
const PRODUCER_RETRY = { retries: 6, initialRetryTime: 100, maxRetryTime: 2_000 };
/** Well under the session timeout (10 s), so a long handler never looks like a dead consumer. */
const HEARTBEAT_INTERVAL_MS = 3_000;

/**
 * Runs a handler while telling the group coordinator, every few seconds,
 * that this consumer is alive: kafkajs only heartbeats between messages, so
 * a fan-out longer than the session timeout would otherwise trigger a
 * rebalance and have its event handled again by another consumer.
 */
async function whileBeating<T>(heartbeat: () => Promise<void>, work: () => Promise<T>): Promise<T> {
  const timer = setInterval(() => void heartbeat().catch(() => undefined), HEARTBEAT_INTERVAL_MS);
  try {
    return await work();
  } finally {
    clearInterval(timer);
  }
}
const GROUP_JOIN_TIMEOUT_MS = 60_000;

/**
 * The event bus on Apache Kafka (kafkajs). Topics are created explicitly
 * (`partitions`, `replicationFactor`); events are keyed so each key stays in
 * order on one partition. Sends wait for every in-sync replica (acks -1).
 *
 * Consumers of one group share a topic's partitions, each partition read by
 * one of them at a time, in order. An event's offset is committed only once
 * its handler has finished (kafkajs resolves it after `eachMessage` returns
 * and commits at the end of each batch, and before a rebalance takes the
 * partition away), so a consumer that dies mid-batch, or loses a partition
 * to a rebalance, leaves its unfinished events to the next owner: delivered
 * again, never skipped, which handlers make harmless (see events.ts).
 * A handler that keeps failing sends its event to `<topic>.dead-letter`
 * rather than blocking its partition forever.
 */
export class KafkaEventBus implements EventBus {
  private readonly kafka: Kafka;
  private readonly admin: Admin;
  private readonly producer: Producer;
  private readonly consumers = new Set<Consumer>();
  private readonly knownTopics = new Set<string>();
  /** Groups whose consumer kafkajs gave up on (a crash it does not restart from). */
  private readonly crashed = new Map<string, Error>();
  private connecting: Promise<void> | undefined;

  constructor(
    private readonly settings: KafkaSettings,
    private readonly logger: Logger,
    /** Told after each batch how many events its group has yet to process on that partition (consumer lag). */
    private readonly onLag?: (group: string, lag: number) => void,
  ) {
    stopKafkajsIdlePolling(); // once per process; see there
    this.kafka = new Kafka({
      clientId: settings.clientId,
      brokers: settings.brokers,
      logLevel: logLevel.WARN,
      logCreator: () => (entry) => this.log(entry),
      retry: { retries: 8, initialRetryTime: 100 },
    });
    this.admin = this.kafka.admin();
    this.producer = this.kafka.producer({
      allowAutoTopicCreation: false,
      // kafkajs 2's default partitioner (murmur2 of the key, as Java's), chosen
      // explicitly (which also silences its start-up warning): one key, one partition.
      createPartitioner: Partitioners.DefaultPartitioner,
      retry: PRODUCER_RETRY,
      // Not kafkajs's idempotent mode (experimental): it rolls a partition's
      // sequence number back when a send fails, even one the broker wrote
      // (its answer lost), so the next send of as many events reuses those
      // numbers and the broker, taking it for a retry of the first, answers
      // OK without writing it: an event acknowledged and lost. Without it a
      // retry can only write an event twice, or after a later one, which
      // consumers tolerate (events carry their seq or version).
      // `publishes an event sent while another one's answer was lost` in
      // test/event-bus.test.ts shows it.
      idempotent: false,
    });
  }

  async publish(topic: string, events: readonly EventEnvelope[]): Promise<void> {
    if (events.length === 0) return;
    await this.connect();
    const name = await this.ensureTopic(topic);
    await this.producer.send({
      topic: name,
      acks: -1,
      messages: events.map((event) => ({
        key: event.key,
        value: serializeEvent(event),
        headers: { 'event-type': event.type, 'event-id': event.id },
      })),
    });
  }

  async subscribe(options: SubscribeOptions): Promise<EventSubscription> {
    await this.connect();
    const topics = await Promise.all(options.topics.map((topic) => this.ensureTopic(topic)));
    const consumer = this.kafka.consumer({
      groupId: this.prefixed(options.group),
      sessionTimeout: 10_000,
      heartbeatInterval: 1_000,
      rebalanceTimeout: 20_000,
      // How long a fetch waits at the broker for new events. kafkajs
      // heartbeats (and so hears of a rebalance) and stops only between
      // fetches: at its default of 5 s an idle member held up every
      // rebalance, and every graceful stop, by up to that long.
      maxWaitTimeInMs: 1_000,
    });
    this.consumers.add(consumer);
    const { onLag } = this;
    if (onLag) consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => onLag(options.group, Number(payload.offsetLag)));
    consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
      const partitions = Object.entries(payload.memberAssignment).map(([topic, numbers]) => `${this.unprefixed(topic)}:${numbers.join(',')}`);
      this.logger.info({ group: options.group, memberId: payload.memberId, partitions }, 'joined consumer group');
    });
    // kafkajs starts a crashed consumer again by itself after a retriable
    // error; after any other, this group gets nothing more from this
    // instance: say so, loudly, and fail readiness until it is restarted.
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      if (payload.restart) return;
      this.crashed.set(options.group, payload.error);
      this.logger.error({ err: payload.error, group: options.group }, 'Kafka consumer stopped for good; restart this instance');
    });
    const joined = this.waitForGroupJoin(consumer);
    await consumer.connect();
    // A topic just created elsewhere can still be missing from the metadata
    // a broker answers with: the same "not yet" as in ensureTopic.
    await whileTopicNotReady(() => consumer.subscribe({ topics, fromBeginning: true }));
    await consumer.run({
      eachMessage: async ({ topic, message, heartbeat }) => {
        if (!message.value) return;
        await whileBeating(heartbeat, () => this.handle(options, this.unprefixed(topic), message.value!.toString('utf8')));
      },
    });
    await joined;
    return {
      stop: async () => {
        this.consumers.delete(consumer);
        this.crashed.delete(options.group);
        await consumer.disconnect();
      },
    };
  }

  async ping(): Promise<void> {
    const [crash] = this.crashed.entries();
    if (crash) throw new Error(`the Kafka consumer of group ${crash[0]} stopped: ${crash[1].message}`);
    await this.connect();
    await this.admin.describeCluster();
  }

  async close(): Promise<void> {
    await Promise.all([...this.consumers].map((consumer) => consumer.disconnect()));
    this.consumers.clear();
    if (this.connecting) {
      await Promise.allSettled([this.producer.disconnect(), this.admin.disconnect()]);
      this.connecting = undefined;
    }
  }

  private async handle(options: SubscribeOptions, topic: string, raw: string): Promise<void> {
    let event: EventEnvelope;
    try {
      event = deserializeEvent(raw);
    } catch (error) {
      this.logger.error({ err: error, topic }, 'unreadable event skipped');
      return;
    }
    try {
      await withRetries(HANDLER_ATTEMPTS, 50, () => options.handler(event, topic));
    } catch (error) {
      this.logger.error({ err: error, topic, eventId: event.id, group: options.group }, 'event dead-lettered');
      await this.publish(`${topic}.dead-letter`, [event]);
    }
  }

  private connect(): Promise<void> {
    this.connecting ??= Promise.all([this.admin.connect(), this.producer.connect()]).then(() => undefined);
    return this.connecting;
  }

  private async ensureTopic(topic: string): Promise<string> {
    const name = this.prefixed(topic);
    if (this.knownTopics.has(name)) return name;
    // createTopics answers false when the topic exists already: safe to call
    // from every instance. When several create one topic at the same moment,
    // the losers' wait for its leaders can see the topic before the broker
    // hosts it ("does not host this topic-partition"), which kafkajs does not
    // retry: that answer only means "not yet", so ask again.
    // -1: the broker's default.
    const { partitions = -1, replicationFactor = -1 } = this.settings;
    const created = await whileTopicNotReady(() =>
      this.admin.createTopics({ waitForLeaders: true, topics: [{ topic: name, numPartitions: partitions, replicationFactor }] }),
    );
    if (!created && partitions > 0) await this.checkPartitions(name, partitions);
    this.knownTopics.add(name);
    return name;
  }

  /**
   * A topic made before KAFKA_PARTITIONS changed keeps its count: adding
   * partitions moves keys to other partitions (safe for Chirp's consumers,
   * which tolerate reordering, but an operator's decision), so it is only
   * reported.
   */
  private async checkPartitions(name: string, wanted: number): Promise<void> {
    try {
      const { topics } = await this.admin.fetchTopicMetadata({ topics: [name] });
      const actual = topics[0]?.partitions.length;
      if (actual !== undefined && actual !== wanted) {
        this.logger.warn({ topic: name, partitions: actual, configured: wanted }, 'topic exists with another partition count than KAFKA_PARTITIONS; left as it is');
      }
    } catch (error) {
      this.logger.warn({ err: error, topic: name }, 'could not read the partition count of a topic');
    }
  }

  private waitForGroupJoin(consumer: Consumer): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error('Kafka consumer did not join its group in time')),
        GROUP_JOIN_TIMEOUT_MS,
      );
      const remove = consumer.on(consumer.events.GROUP_JOIN, () => {
        clearTimeout(timer);
        remove();
        resolve();
      });
    });
  }

  private prefixed(name: string): string {
    return `${this.settings.topicPrefix}${name}`;
  }

  private unprefixed(name: string): string {
    return name.startsWith(this.settings.topicPrefix) ? name.slice(this.settings.topicPrefix.length) : name;
  }

  private log(entry: LogEntry): void {
    const { message, ...details } = entry.log;
    const context = { kafka: details, namespace: entry.namespace };
    // The connection layer logs every error reply before kafkajs retries it
    // (coordinator not ready yet, a topic two services created at once):
    // warnings, not errors. What survives the retries is logged by the caller.
    if (entry.level <= logLevel.ERROR && entry.namespace !== 'Connection') this.logger.error(context, message);
    else this.logger.warn(context, message);
  }
}

const TOPIC_NOT_READY_ATTEMPTS = 10;

/** Runs `step` again, backing off, while Kafka answers that a new topic is not served yet. */
async function whileTopicNotReady<T>(step: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await step();
    } catch (error) {
      if (attempt >= TOPIC_NOT_READY_ATTEMPTS || !isTopicNotReadyYet(error)) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100 * attempt));
    }
  }
}

/** Kafka's answers that a topic being created is not served yet. */
function isTopicNotReadyYet(error: unknown): boolean {
  const type = (error as { type?: unknown } | null)?.type;
  return type === 'UNKNOWN_TOPIC_OR_PARTITION' || type === 'LEADER_NOT_AVAILABLE';
}

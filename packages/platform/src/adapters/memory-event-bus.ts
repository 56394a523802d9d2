import type { EventBus, EventEnvelope, EventSubscription, SubscribeOptions } from '../events.js';
import type { Logger } from '../logger.js';

const MAX_ATTEMPTS = 5;

interface Group {
  handler: SubscribeOptions['handler'];
  topics: Set<string>;
  /** Next offset to deliver, per topic. */
  offsets: Map<string, number>;
  running: boolean;
  stopped: boolean;
}

/**
 * Kafka's semantics, in one process: an append-only log per topic, each
 * consumer group reading it from the start at its own offset, in order,
 * redelivering an event whose handler threw. For the embedded default and
 * unit tests; a process restart loses everything, as the start banner says.
 */
export class InMemoryEventBus implements EventBus {
  private readonly logs = new Map<string, EventEnvelope[]>();
  private readonly groups = new Map<string, Group>();
  readonly deadLetters: Array<{ topic: string; event: EventEnvelope; error: unknown }> = [];

  constructor(private readonly logger?: Logger) {}

  async publish(topic: string, events: readonly EventEnvelope[]): Promise<void> {
    const log = this.logFor(topic);
    // A copy, as a broker would hold: later changes to the caller's objects don't leak in.
    for (const event of events) log.push(structuredClone(event));
    for (const group of this.groups.values()) {
      if (group.topics.has(topic)) this.pump(group);
    }
  }

  async subscribe(options: SubscribeOptions): Promise<EventSubscription> {
    if (this.groups.has(options.group)) {
      throw new Error(`The in-memory bus supports one consumer per group; "${options.group}" already has one.`);
    }
    const group: Group = {
      handler: options.handler,
      topics: new Set(options.topics),
      offsets: new Map(options.topics.map((topic) => [topic, 0])),
      running: false,
      stopped: false,
    };
    this.groups.set(options.group, group);
    this.pump(group);
    return {
      stop: async () => {
        group.stopped = true;
        this.groups.delete(options.group);
      },
    };
  }

  async ping(): Promise<void> {}

  async close(): Promise<void> {
    for (const group of this.groups.values()) group.stopped = true;
    this.groups.clear();
  }

  /** Resolves once every group has handled everything published so far (tests). */
  async drain(): Promise<void> {
    while ([...this.groups.values()].some((group) => group.running || this.hasBacklog(group))) {
      await new Promise((resolve) => setImmediate(resolve));
    }
  }

  private logFor(topic: string): EventEnvelope[] {
    let log = this.logs.get(topic);
    if (!log) {
      log = [];
      this.logs.set(topic, log);
    }
    return log;
  }

  private hasBacklog(group: Group): boolean {
    for (const [topic, offset] of group.offsets) {
      if (offset < this.logFor(topic).length) return true;
    }
    return false;
  }

  private pump(group: Group): void {
    if (group.running || group.stopped) return;
    group.running = true;
    // Deliver on a later tick, as a broker would: publish never runs handlers inline.
    setImmediate(() => {
      void this.deliverBacklog(group).finally(() => {
        group.running = false;
        if (!group.stopped && this.hasBacklog(group)) this.pump(group);
      });
    });
  }

  private async deliverBacklog(group: Group): Promise<void> {
    for (const [topic, offset] of group.offsets) {
      const log = this.logFor(topic);
      for (let next = offset; next < log.length && !group.stopped; next += 1) {
        await this.deliver(group, topic, log[next] as EventEnvelope);
        group.offsets.set(topic, next + 1);
      }
    }
  }

  private async deliver(group: Group, topic: string, event: EventEnvelope): Promise<void> {
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt += 1) {
      try {
        await group.handler(structuredClone(event), topic);
        return;
      } catch (error) {
        if (attempt === MAX_ATTEMPTS) {
          this.logger?.error({ err: error, topic, eventId: event.id }, 'event handler failed; dead-lettered');
          this.deadLetters.push({ topic, event, error });
          return;
        }
        await new Promise((resolve) => setTimeout(resolve, 5 * attempt));
      }
    }
  }
}

import type { EventBus, EventEnvelope } from './events.js';
import type { Logger } from './logger.js';

/**
 * MongoDB here has no multi-document transactions, so a change and "its event
 * must be sent" cannot be written in two documents at once. Instead the
 * changed document itself records that it has an unpublished change (a
 * version above its published version, and `pendingSince`), in the same
 * single-document write. The relay publishes right after the command and
 * marks the document published; if the process dies in between, the sweeper
 * finds the document still pending and publishes it. Events can therefore be
 * sent twice but never lost, and consumers are idempotent.
 */
export interface PendingEvent {
  topic: string;
  event: EventEnvelope;
  /**
   * Work that must be done before the change counts as published (settling a
   * derived count, say). Idempotent: the sweeper may run it again.
   */
  prepare?(): Promise<void>;
  /** Records that this event was sent (only if the document has not changed again since). */
  markPublished(): Promise<void>;
}

export interface OutboxSource {
  name: string;
  /** Documents whose change has been pending since before `olderThan`, oldest first. */
  findPending(olderThan: Date, limit: number): Promise<PendingEvent[]>;
}

export interface OutboxOptions {
  sweepIntervalMs: number;
  /** How long a change may stay pending before the sweeper takes it over from the command that made it. */
  graceMs: number;
}

const SWEEP_BATCH = 200;

export class OutboxRelay {
  private timer: NodeJS.Timeout | undefined;
  private sweeping: Promise<number> | undefined;

  constructor(
    private readonly bus: EventBus,
    private readonly sources: readonly OutboxSource[],
    private readonly options: OutboxOptions,
    private readonly logger: Logger,
  ) {}

  /**
   * Publishes events right after the command that made them. A failure is
   * logged, not thrown: the command has succeeded and the sweeper will retry.
   */
  async publish(pending: readonly PendingEvent[]): Promise<boolean> {
    try {
      await this.send(pending);
      return true;
    } catch (error) {
      this.logger.warn({ err: error }, 'publishing after a command failed; the outbox sweeper will retry');
      return false;
    }
  }

  /** Publishes everything pending longer than the grace period; returns how many events went out. */
  sweepOnce(): Promise<number> {
    this.sweeping ??= this.sweepAll().finally(() => {
      this.sweeping = undefined;
    });
    return this.sweeping;
  }

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => {
      this.sweepOnce().catch((error: unknown) => this.logger.error({ err: error }, 'outbox sweep failed'));
    }, this.options.sweepIntervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.sweeping?.catch(() => undefined);
  }

  private async sweepAll(): Promise<number> {
    let sent = 0;
    for (const source of this.sources) {
      const olderThan = new Date(Date.now() - this.options.graceMs);
      for (;;) {
        const pending = await source.findPending(olderThan, SWEEP_BATCH);
        if (pending.length > 0) await this.send(pending);
        sent += pending.length;
        if (pending.length < SWEEP_BATCH) break;
      }
    }
    if (sent > 0) this.logger.info({ sent }, 'outbox sweeper published pending events');
    return sent;
  }

  private async send(pending: readonly PendingEvent[]): Promise<void> {
    for (const item of pending) await item.prepare?.();
    for (const [topic, events] of groupByTopic(pending)) await this.bus.publish(topic, events);
    await Promise.all(pending.map((item) => item.markPublished()));
  }
}

function groupByTopic(pending: readonly PendingEvent[]): Map<string, EventEnvelope[]> {
  const byTopic = new Map<string, EventEnvelope[]>();
  for (const item of pending) {
    const events = byTopic.get(item.topic) ?? [];
    events.push(item.event);
    byTopic.set(item.topic, events);
  }
  return byTopic;
}

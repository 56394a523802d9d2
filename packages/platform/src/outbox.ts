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
 *
 * A change is left pending only when a publish fails or a process dies
 * between its write and its publish, so the sweeper need not look often:
 * it sweeps once at start (what this instance left when it last stopped),
 * soon after a publish of its own fails (with backoff while the broker stays
 * away), and otherwise every `sweepIntervalMs`, for what a crashed instance
 * that never came back left behind. At rest it costs one indexed query a
 * minute, not one every two seconds.
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
  /** How often the sweeper looks for changes another (crashed) instance left pending. */
  sweepIntervalMs: number;
  /** How long a change may stay pending before the sweeper takes it over from the command that made it. */
  graceMs: number;
}

const SWEEP_BATCH = 200;

export class OutboxRelay {
  private timer: NodeJS.Timeout | undefined;
  private sweeping: Promise<number> | undefined;
  /** A sweep due soon because a publish failed; while set, no other is scheduled. */
  private retry: NodeJS.Timeout | undefined;
  private retryDelayMs: number;

  constructor(
    private readonly bus: EventBus,
    private readonly sources: readonly OutboxSource[],
    private readonly options: OutboxOptions,
    private readonly logger: Logger,
  ) {
    this.retryDelayMs = this.firstRetryDelayMs();
  }

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
      this.scheduleRetry();
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
      this.sweepOnce().catch((error: unknown) => {
        this.logger.error({ err: error }, 'outbox sweep failed');
        this.scheduleRetry();
      });
    }, this.options.sweepIntervalMs);
    this.timer.unref();
    this.scheduleRetry(); // what this instance left pending when it last stopped
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    if (this.retry) clearTimeout(this.retry);
    this.timer = undefined;
    this.retry = undefined;
    await this.sweeping?.catch(() => undefined);
  }

  /**
   * A sweep once the grace period has passed (a change becomes the
   * sweeper's only then), and again with doubling delays, up to the sweep
   * interval, for as long as sweeping fails.
   */
  private scheduleRetry(): void {
    if (this.retry || !this.timer) return;
    this.retry = setTimeout(() => {
      this.retry = undefined;
      this.sweepOnce().then(
        () => {
          this.retryDelayMs = this.firstRetryDelayMs();
        },
        (error: unknown) => {
          this.logger.error({ err: error }, 'outbox sweep failed');
          this.retryDelayMs = Math.min(this.retryDelayMs * 2, this.options.sweepIntervalMs);
          this.scheduleRetry();
        },
      );
    }, this.retryDelayMs);
    this.retry.unref();
  }

  /** Just past the grace period, so that what failed is the sweeper's by then. */
  private firstRetryDelayMs(): number {
    return Math.min(this.options.graceMs + 100, this.options.sweepIntervalMs);
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

import type { ExecutionResult } from 'graphql';

export interface FeedOptions {
  /** Events waiting to be resolved and sent; past this the oldest is dropped. */
  capacity: number;
  /** Resolves one event to what the client receives, or null to skip it (a tweet deleted meanwhile). */
  resolve(id: string): Promise<ExecutionResult | null>;
  /** Called once when the feed ends, whoever ends it. */
  onEnd(): Promise<void>;
  /** Called when an event is dropped because the client is not keeping up. */
  onDrop(): void;
}

/** How many delivered ids a feed remembers to drop repeats (a replayed fan-out announces again). */
const REMEMBERED_IDS = 256;

/**
 * One subscription's events, in arrival order, as the async iterator
 * graphql-ws reads. graphql-ws reads the next result only once the previous
 * one is on its way to the socket, so a slow client makes the queue fill;
 * it is bounded, and drops its oldest event rather than grow: one slow
 * socket costs its own events, never the memory or the time of the others.
 *
 * A hand-written iterator rather than an async generator: `return()` must
 * end the feed at once, even while it waits for the next event.
 */
export class LiveFeed implements AsyncIterableIterator<ExecutionResult> {
  private readonly queue: string[] = [];
  private readonly seen = new Set<string>();
  private waiting: ((id: string | undefined) => void) | undefined;
  private ended = false;

  constructor(private readonly options: FeedOptions) {}

  /** Whether the feed has ended (the client completed it or went away). */
  get isEnded(): boolean {
    return this.ended;
  }

  /** A new event from the live bus. */
  push(id: string): void {
    if (this.ended || this.seen.has(id)) return;
    this.remember(id);
    if (this.waiting) {
      const wake = this.waiting;
      this.waiting = undefined;
      wake(id);
      return;
    }
    this.queue.push(id);
    if (this.queue.length > this.options.capacity) {
      this.queue.shift();
      this.options.onDrop();
    }
  }

  async next(): Promise<IteratorResult<ExecutionResult>> {
    while (!this.ended) {
      const id = this.queue.shift() ?? (await new Promise<string | undefined>((wake) => (this.waiting = wake)));
      if (id === undefined) break;
      const result = await this.options.resolve(id);
      if (result && !this.ended) return { value: result, done: false };
    }
    return { value: undefined, done: true };
  }

  async return(): Promise<IteratorResult<ExecutionResult>> {
    if (!this.ended) {
      this.ended = true;
      this.queue.length = 0;
      this.waiting?.(undefined);
      this.waiting = undefined;
      await this.options.onEnd();
    }
    return { value: undefined, done: true };
  }

  async throw(error: unknown): Promise<IteratorResult<ExecutionResult>> {
    await this.return();
    throw error;
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  private remember(id: string): void {
    this.seen.add(id);
    if (this.seen.size > REMEMBERED_IDS) {
      // A Set iterates in insertion order: the first is the oldest.
      const oldest = this.seen.values().next().value;
      if (oldest !== undefined) this.seen.delete(oldest);
    }
  }
}

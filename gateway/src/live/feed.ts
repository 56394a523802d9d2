import { WebSocket } from 'ws';

export interface FeedOptions {
  /** Events waiting to be resolved; past this the oldest is dropped. */
  capacity: number;
  /**
   * Resolves one event to the payload of the client's `next` message,
   * serialised, or null to skip it (a tweet deleted meanwhile).
   */
  resolve(id: string): Promise<string | null>;
  /** The payload for `id` if it is already known (undefined if not): it is then delivered at once. */
  settled(id: string): string | null | undefined;
  /** Writes one payload to the client; false when the socket is too backed up to take it (the event is dropped). */
  deliver(payload: string): boolean;
  /** Called once when the feed ends, whoever ends it. */
  onEnd(): Promise<void>;
  /** Called when an event is dropped because the client is not keeping up. */
  onDrop(): void;
}

/** How many delivered ids a feed remembers to drop repeats (a replayed fan-out announces again). */
const REMEMBERED_IDS = 256;

type Ending = IteratorResult<never, undefined>;

/**
 * One subscription's events, resolved and written to the socket in arrival
 * order.
 *
 * The feed writes its `next` messages itself instead of handing results to
 * graphql-ws: a tweet reaching 10,000 open timelines is then serialised once
 * (the resolver shares the payload) and written 10,000 times, with no
 * per-subscriber object, JSON or promise chain on the way. graphql-ws still
 * owns the protocol (`connection_init`, subscribe, complete, errors,
 * keep-alive) and sees the feed as an async iterator that yields nothing and
 * finishes when the subscription ends: its `return()` stops the feed, and a
 * failure rejects the pending `next()` so graphql-ws sends the client an
 * `error` message.
 *
 * A slow client never holds up the others: events waiting to be resolved are
 * bounded (oldest dropped), and a socket whose unsent bytes are over the
 * limit has events dropped rather than buffered without end (`deliver`).
 */
export class LiveFeed implements AsyncIterableIterator<never, undefined> {
  private readonly queue: string[] = [];
  private readonly seen = new Set<string>();
  private readonly ending: Promise<Ending>;
  private settle!: { done(): void; fail(error: unknown): void };
  private pumping = false;
  private ended = false;

  constructor(private readonly options: FeedOptions) {
    this.ending = new Promise<Ending>((resolve, reject) => {
      this.settle = { done: () => resolve({ value: undefined, done: true }), fail: reject };
    });
    // Nobody may be waiting when it fails (graphql-ws has not called next() yet).
    this.ending.catch(() => undefined);
  }

  /** Whether the feed has ended (the client completed it, went away, or it failed). */
  get isEnded(): boolean {
    return this.ended;
  }

  /** A new event from the live bus. */
  push(id: string): void {
    if (this.ended || this.seen.has(id)) return;
    this.remember(id);
    if (!this.pumping) {
      // Nothing ahead of it: a payload already resolved for another subscriber
      // goes out now, with no promise or turn of the event loop on the way.
      const ready = this.options.settled(id);
      if (ready !== undefined) return this.deliver(ready);
    }
    this.queue.push(id);
    if (this.queue.length > this.options.capacity) {
      this.queue.shift();
      this.options.onDrop();
    }
    if (!this.pumping) void this.pump();
  }

  /** Settles when the subscription ends: the feed yields nothing, it writes its events itself. */
  next(): Promise<Ending> {
    return this.ending;
  }

  async return(): Promise<Ending> {
    await this.end();
    return { value: undefined, done: true };
  }

  async throw(error: unknown): Promise<Ending> {
    await this.end();
    throw error;
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  /** Resolves and delivers queued events one at a time, so each subscriber gets them in order. */
  private async pump(): Promise<void> {
    this.pumping = true;
    try {
      for (let id = this.queue.shift(); id !== undefined && !this.ended; id = this.queue.shift()) {
        const payload = await this.options.resolve(id);
        if (!this.ended) this.deliver(payload);
      }
    } catch (error) {
      await this.end(error);
    } finally {
      this.pumping = false;
    }
  }

  private deliver(payload: string | null): void {
    if (payload !== null && !this.options.deliver(payload)) this.options.onDrop();
  }

  private async end(error?: unknown): Promise<void> {
    if (this.ended) return;
    this.ended = true;
    this.queue.length = 0;
    try {
      await this.options.onEnd();
    } finally {
      if (error === undefined) this.settle.done();
      else this.settle.fail(error);
    }
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

/** Where one subscription's `next` messages go: its socket, and the message's opening with the subscription's id. */
export interface NextFrames {
  socket: Pick<WebSocket, 'readyState' | 'bufferedAmount' | 'send'>;
  frameStart: string;
}

export function nextFrames(socket: NextFrames['socket'], subscriptionId: string): NextFrames {
  // What JSON.stringify({ id, type: 'next', payload }) would start with.
  return { socket, frameStart: `{"id":${JSON.stringify(subscriptionId)},"type":"next","payload":` };
}

/**
 * Writes one `next` message, the same text graphql-ws would write; false
 * when the socket already holds more unsent bytes than the limit (a slow
 * client), so the event is dropped instead of buffered without end. A
 * socket already closing takes nothing, and that is no drop.
 */
export function writeNext({ socket, frameStart }: NextFrames, payload: string, bufferedBytesLimit: number): boolean {
  if (socket.readyState !== WebSocket.OPEN) return true;
  if (socket.bufferedAmount > bufferedBytesLimit) return false;
  socket.send(`${frameStart}${payload}}`);
  return true;
}

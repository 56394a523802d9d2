import { createClient, type Client, type FormattedExecutionResult } from 'graphql-ws';
import WebSocket from 'ws';

/** A subscription's results as they arrive, and a way to wait for the next ones. */
export class LiveSubscription<Data = Record<string, unknown>> {
  readonly results: Array<FormattedExecutionResult<Data, unknown>> = [];
  error: unknown;
  completed = false;
  private waiters: Array<() => void> = [];

  constructor(private readonly stopper: { stop(): void }) {}

  /** Resolves once `count` results have arrived in all, or fails after `timeoutMs`. */
  async waitFor(count: number, timeoutMs = 10_000): Promise<Array<FormattedExecutionResult<Data, unknown>>> {
    const deadline = Date.now() + timeoutMs;
    while (this.results.length < count) {
      if (this.error) throw new Error(`the subscription failed: ${JSON.stringify(this.error)}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`expected ${count} results, got ${this.results.length}: ${JSON.stringify(this.results)}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    return this.results;
  }

  /** Data of every result so far. */
  get data(): Data[] {
    return this.results.map((result) => result.data as Data);
  }

  stop(): void {
    this.stopper.stop();
  }

  /** @internal */
  notify(): void {
    for (const wake of this.waiters.splice(0)) wake();
  }
}

/** Where a refused or closed connection ended. */
export interface CloseEvent {
  code: number;
  reason: string;
}

/**
 * A real graphql-ws client (subprotocol graphql-transport-ws) for the
 * gateway's WebSocket edge, as a front end would open it.
 */
export class LiveClient {
  private readonly client: Client;
  /** Set once the server closes the socket. */
  closed: CloseEvent | undefined;

  constructor(httpUrl: string, token: string | null, options: { lazy?: boolean } = {}) {
    this.client = createClient({
      url: httpUrl.replace(/^http/, 'ws'),
      webSocketImpl: WebSocket,
      lazy: options.lazy ?? true,
      retryAttempts: 0,
      // A non-lazy client's close is what some tests wait for (kept in `closed`); graphql-ws would also log it.
      onNonLazyError: () => undefined,
      connectionParams: token === null ? {} : { authorization: `Bearer ${token}` },
      on: {
        closed: (event) => {
          const { code, reason } = event as { code: number; reason: string };
          this.closed = { code, reason: String(reason) };
        },
      },
    });
  }

  subscribe<Data = Record<string, unknown>>(query: string, variables: Record<string, unknown> = {}): LiveSubscription<Data> {
    const subscription: LiveSubscription<Data> = new LiveSubscription({ stop: () => unsubscribe() });
    const unsubscribe = this.client.subscribe<Data>(
      { query, variables },
      {
        next: (result) => {
          subscription.results.push(result);
          subscription.notify();
        },
        error: (error) => {
          subscription.error = error;
          subscription.notify();
        },
        complete: () => {
          subscription.completed = true;
          subscription.notify();
        },
      },
    );
    return subscription;
  }

  /** Subscribes and resolves once the server has accepted (by running a no-op round trip after it). */
  async ready(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.client.subscribe({ query: '{ __typename }' }, { next: () => {}, error: reject, complete: resolve });
    });
  }

  async close(): Promise<void> {
    await this.client.dispose();
  }
}

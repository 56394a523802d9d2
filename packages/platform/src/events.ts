/**
 * The envelope every event travels in, and the bus that carries it. Kafka in
 * production; an in-process twin for the embedded default and fast tests.
 * Both pass the same contract suite (`testing/event-bus-contract.ts`).
 */
export interface EventEnvelope<Payload = unknown> {
  /** Unique and deterministic per fact: a redelivered or republished event keeps its id. */
  id: string;
  /** What happened, e.g. `user.followed`. */
  type: string;
  /** When it happened (ISO-8601 UTC). */
  occurredAt: string;
  /** Partition key: events with one key are delivered in the order they were published. */
  key: string;
  payload: Payload;
}

export type EventHandler = (event: EventEnvelope, topic: string) => Promise<void>;

export interface SubscribeOptions {
  /** Consumers in one group share the work; every group sees every event. */
  group: string;
  topics: readonly string[];
  handler: EventHandler;
}

export interface EventSubscription {
  stop(): Promise<void>;
}

/**
 * At-least-once delivery: a handler may see an event more than once (after a
 * crash, a rebalance, or a republish by the outbox sweeper), so every handler
 * must be idempotent. A handler that throws gets the event again.
 */
export interface EventBus {
  publish(topic: string, events: readonly EventEnvelope[]): Promise<void>;
  subscribe(options: SubscribeOptions): Promise<EventSubscription>;
  /** Resolves when the bus can accept and deliver events (readiness probes). */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export function serializeEvent(event: EventEnvelope): string {
  return JSON.stringify(event);
}

export function deserializeEvent(raw: string): EventEnvelope {
  const value: unknown = JSON.parse(raw);
  if (!isEnvelope(value)) throw new Error('Not an event envelope');
  return value;
}

function isEnvelope(value: unknown): value is EventEnvelope {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as Record<string, unknown>;
  return (
    typeof candidate.id === 'string' &&
    typeof candidate.type === 'string' &&
    typeof candidate.occurredAt === 'string' &&
    typeof candidate.key === 'string' &&
    'payload' in candidate
  );
}

/** Retries a handler a few times in place before letting the bus redeliver or dead-letter. */
export async function withRetries<T>(
  attempts: number,
  baseDelayMs: number,
  work: () => Promise<T>,
): Promise<T> {
  let lastError: unknown;
  for (let attempt = 1; attempt <= attempts; attempt += 1) {
    try {
      return await work();
    } catch (error) {
      lastError = error;
      if (attempt < attempts) await sleep(baseDelayMs * 2 ** (attempt - 1));
    }
  }
  throw lastError;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

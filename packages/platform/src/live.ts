import { DomainError } from './errors.js';

/**
 * Live updates for open sockets. A subgraph that owns a stream (timeline:
 * `homeTimeline`, notifications: `notifications`) publishes the id of what a
 * user should see; each gateway listens only for the users who have a
 * subscription open on it, resolves the id through the supergraph and pushes
 * the result. Redis sharded pub/sub in production; an in-process twin for the
 * embedded default. Both pass the same contract suite
 * (`testing/live-bus-contract.ts`).
 *
 * Delivery is best effort by design: a live push is a hint that something new
 * is there, and the durable lists (`homeTimeline`, `notifications`) remain
 * the truth a client catches up from after a reconnect.
 */
export const LiveStreams = {
  /** A tweet entered the user's home timeline. Id: the tweet id. Publisher: timeline. */
  homeTimeline: 'homeTimeline',
  /** A notification was created for the user. Id: the notification id. Publisher: notifications. */
  notifications: 'notifications',
  /**
   * A user's sessions were revoked (`logOutEverywhere`): every gateway
   * forgets what it remembered of them. Id: the user id. Publisher: users.
   * Heard by every gateway on one channel, under EVERY_GATEWAY.
   */
  sessions: 'sessions',
} as const;

/** The listener key of a stream every gateway hears whole (`sessions`), in place of a user id. */
export const EVERY_GATEWAY = 'gateways';

export type LiveStream = (typeof LiveStreams)[keyof typeof LiveStreams];

export type LiveHandler = (id: string) => void;

export interface LiveBus {
  /**
   * Sends `id` to each of `userIds` who has a listener on `stream`, on any
   * gateway. Users with no listener cost one membership check and nothing is
   * published for them. Resolves with how many users it published to.
   */
  publish(stream: LiveStream, userIds: readonly string[], id: string): Promise<number>;
  /** Of `userIds`, those with a listener on `stream` now (in their order); publishes nothing. */
  listening(stream: LiveStream, userIds: readonly string[]): Promise<string[]>;
  /**
   * Sends `id` to users the caller has just had from `listening`, without
   * asking again; one who has stopped listening meanwhile gets nothing.
   */
  publishToListening(stream: LiveStream, userIds: readonly string[], id: string): Promise<void>;
  /** Listens for one user's stream until the returned function is called. */
  listen(stream: LiveStream, userId: string, handler: LiveHandler): Promise<() => Promise<void>>;
  /** Resolves when the bus can deliver (readiness probes). */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** The pub/sub channel of one user's stream, the same on every gateway and publisher. */
export function liveChannel(stream: LiveStream, userId: string): string {
  // The user id in braces is the hash tag: in a Redis Cluster, all of one
  // user's channels live on one shard.
  return `live:${stream}:{${userId}}`;
}

export class SubscriptionsServedByGatewayError extends DomainError {
  readonly code = 'BAD_USER_INPUT';
  constructor() {
    super('Subscriptions are served by the gateway over WebSocket (graphql-transport-ws).');
  }
}

const refuse = (): never => {
  throw new SubscriptionsServedByGatewayError();
};

/**
 * The resolver of a Subscription field a subgraph declares so that it
 * composes. `@apollo/gateway` cannot run subscriptions, so the gateway serves
 * them over WebSocket and resolves each event with a query; asking a
 * subgraph for one directly is a mistake the client should hear plainly.
 */
export const servedByGateway = { subscribe: refuse, resolve: refuse } as const;

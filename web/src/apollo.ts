import { ApolloClient, ApolloLink, HttpLink, InMemoryCache, type FieldPolicy, type Reference } from '@apollo/client';
import { CombinedGraphQLErrors } from '@apollo/client/errors';
import { ErrorLink } from '@apollo/client/link/error';
import { GraphQLWsLink } from '@apollo/client/link/subscriptions';
import { createClient, type Client as LiveClient } from 'graphql-ws';
import { endSession, type Session } from './session';

/** The live connection as the person should know it. */
export type ConnectionState = 'connecting' | 'connected' | 'reconnecting';

/** What a signed-in (or signed-out) client is made of; one per session, so no cache outlives its viewer. */
export interface ChirpClient {
  apollo: ApolloClient;
  connection: ConnectionStatus;
  dispose(): void;
}

/**
 * The live socket's state, and a signal each time it comes back after a
 * loss: what was published while it was down was missed, so the lists
 * that listen catch up from the API.
 */
export class ConnectionStatus {
  state: ConnectionState = 'connecting';
  private readonly listeners = new Set<() => void>();
  private readonly reconnectListeners = new Set<() => void>();
  private everConnected = false;

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  onReconnect(listener: () => void): () => void {
    this.reconnectListeners.add(listener);
    return () => this.reconnectListeners.delete(listener);
  }

  connected(): void {
    this.set('connected');
    if (this.everConnected) for (const listener of this.reconnectListeners) listener();
    this.everConnected = true;
  }

  lost(): void {
    if (this.everConnected) this.set('reconnecting');
  }

  private set(state: ConnectionState): void {
    if (this.state === state) return;
    this.state = state;
    for (const listener of this.listeners) listener();
  }
}

/** graphql-ws's code for a token the gateway refused; retrying as is cannot help. */
const UNAUTHORIZED_CLOSE = 4401;

/** Waits between reconnection attempts: 0.5 s doubling to 10 s, with jitter so a restarted gateway is not hit by every client at once. */
function retryWait(attempt: number): Promise<void> {
  const base = Math.min(10_000, 500 * 2 ** attempt);
  return new Promise((resolve) => setTimeout(resolve, base / 2 + Math.random() * (base / 2)));
}

function liveClient(session: Session | null, status: ConnectionStatus): LiveClient {
  const url = new URL('/graphql', window.location.href);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  return createClient({
    url: url.href,
    connectionParams: () => (session ? { authorization: `Bearer ${session.token}` } : {}),
    retryAttempts: Number.POSITIVE_INFINITY,
    retryWait,
    shouldRetry: (event) => !(isCloseEvent(event) && event.code === UNAUTHORIZED_CLOSE),
    // A socket half-open after a network change is found within a ping.
    keepAlive: 20_000,
    on: {
      connected: () => status.connected(),
      closed: (event) => {
        if (isCloseEvent(event) && event.code === UNAUTHORIZED_CLOSE && session) endSession('Your session has ended. Please log in again.');
        status.lost();
      },
    },
  });
}

function isCloseEvent(event: unknown): event is CloseEvent {
  return typeof event === 'object' && event !== null && 'code' in event;
}

/** A session the API refuses (expired, or logged out everywhere) ends here too. */
function endRefusedSessions(session: Session | null): ApolloLink {
  return new ErrorLink(({ error }) => {
    if (!session || !CombinedGraphQLErrors.is(error)) return;
    if (error.errors.some((problem) => problem.extensions?.code === 'UNAUTHENTICATED')) {
      endSession('Your session has ended. Please log in again.');
    }
  });
}

interface Connection {
  edges: Array<{ cursor: string; node: Reference }>;
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}

/**
 * A paged list (`first`/`after`) kept as one list: a first page starts it
 * afresh, each next page is appended once, and a node the cache no longer
 * has (a deleted tweet, evicted) drops out of it.
 */
function pagedList(): FieldPolicy<Connection> {
  return {
    keyArgs: false,
    merge(existing, incoming, { args, readField }) {
      if (!existing || !args?.after) return incoming;
      const seen = new Set(existing.edges.map((edge) => readField<string>('id', edge.node)));
      const fresh = incoming.edges.filter((edge) => !seen.has(readField<string>('id', edge.node)));
      return { edges: [...existing.edges, ...fresh], pageInfo: incoming.pageInfo };
    },
    read(existing, { canRead }) {
      return existing && { ...existing, edges: existing.edges.filter((edge) => canRead(edge.node)) };
    },
  };
}

export function createChirpClient(session: Session | null): ChirpClient {
  const connection = new ConnectionStatus();
  const live = liveClient(session, connection);
  const http = new HttpLink({
    uri: '/graphql',
    headers: session ? { authorization: `Bearer ${session.token}` } : {},
  });
  const transport = ApolloLink.split(
    ({ operationType }) => operationType === 'subscription',
    new GraphQLWsLink(live),
    http,
  );
  const apollo = new ApolloClient({
    link: ApolloLink.from([endRefusedSessions(session), transport]),
    cache: new InMemoryCache({
      typePolicies: {
        Query: { fields: { homeTimeline: pagedList(), notifications: pagedList() } },
        User: { fields: { tweets: pagedList(), followers: pagedList(), following: pagedList() } },
      },
    }),
  });
  return {
    apollo,
    connection,
    dispose: () => {
      apollo.stop();
      void live.dispose();
    },
  };
}

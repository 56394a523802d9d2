import type { ApolloServerPlugin } from '@apollo/server';
import { Kind } from 'graphql';
import { LRUCache } from 'lru-cache';
import {
  DomainError,
  EVERY_GATEWAY,
  LiveStreams,
  UnauthenticatedError,
  type LiveBus,
  type Logger,
  type Session,
  type Viewer,
} from '@chirp/platform';
import type { SubgraphRequestSigner } from './subgraph-auth.js';
import { SubgraphClient } from './subgraph-source.js';

/**
 * The gateway's session check: a validly signed token is honoured only for
 * a user who exists, at their current session generation (the `gen` claim;
 * `logOutEverywhere` raises the user's generation). The signature alone
 * cannot say either: a token outlives its user, and a stolen one stays
 * valid until it expires.
 *
 * The gateway is the public edge, so it is the one place that checks: the
 * subgraphs verify the signature themselves but trust the gateway for this
 * (they are never reachable from outside). The users subgraph owns the
 * generations and answers `_session(userId)` (@inaccessible: not in the
 * public API); the gateway asks it directly, and remembers each answer for
 * a while, positive or negative, with concurrent misses for one user
 * sharing one request. A warm read costs no extra round trip. A revoked
 * token is refused at once on the gateway that ran the `logOutEverywhere`,
 * as soon as the others hear the users subgraph's announcement
 * (`forgetOnRevocation`), and in any case within `ttlMs`.
 */
export const SESSION_REFUSED = 'Your session is no longer valid; please log in again.';

/** The user's current session generation, or null when there is no such user. */
export type GenerationLookup = (userId: string) => Promise<number | null>;

export interface SessionCheckOptions {
  lookup: GenerationLookup;
  /** How long an answer is trusted. */
  ttlMs: number;
  /** Users remembered per gateway. */
  maxUsers?: number;
}

/** The check could not be made (the users subgraph does not answer): not the client's fault, so not UNAUTHENTICATED. */
export class SessionCheckUnavailableError extends DomainError {
  readonly code = 'INTERNAL_SERVER_ERROR';
  constructor() {
    super('Signed-in requests cannot be checked right now; please try again shortly.');
  }
}

/** lru-cache holds no null: a user who does not exist is remembered as this. */
const NO_SUCH_USER = -1;

export class SessionCheck {
  private readonly generations: LRUCache<string, number>;

  constructor(options: SessionCheckOptions) {
    this.generations = new LRUCache<string, number>({
      max: options.maxUsers ?? 100_000,
      ttl: options.ttlMs,
      fetchMethod: async (userId) => (await options.lookup(userId)) ?? NO_SUCH_USER,
      // While the users subgraph is away, users seen lately keep working on what was last known.
      allowStaleOnFetchRejection: true,
      // An answer past its time is used once more while a fresh one is fetched
      // (stale-while-revalidate): a reader waits for the users subgraph only the
      // first time this gateway sees them, never again once a minute.
      allowStale: true,
    });
  }

  /** Passes a session whose user exists at the token's generation; throws UNAUTHENTICATED otherwise. */
  readonly admit = async (session: Session): Promise<void> => {
    const userId = session.viewer.id;
    let current = await this.generation(userId, false);
    // A token newer than what we remember: the user logged out everywhere and in again since we asked.
    if (current !== NO_SUCH_USER && session.generation > current) current = await this.generation(userId, true);
    if (current === NO_SUCH_USER || session.generation !== current) throw new UnauthenticatedError(SESSION_REFUSED);
  };

  /** Asks again next time (this gateway just ran the user's logOutEverywhere). */
  forget(userId: string): void {
    this.generations.delete(userId);
  }

  private async generation(userId: string, forceRefresh: boolean): Promise<number> {
    let answer: number | undefined;
    try {
      answer = await this.generations.fetch(userId, { forceRefresh, allowStale: !forceRefresh });
    } catch {
      throw new SessionCheckUnavailableError();
    }
    if (answer === undefined) throw new SessionCheckUnavailableError();
    return answer;
  }
}

const SESSION_QUERY = 'query ChirpSessionCheck($userId: ID!) { _session(userId: $userId) }';
const LOOKUP_TIMEOUT_MS = 2_000;

interface SessionAnswer {
  data?: { _session?: unknown } | null;
  errors?: unknown[];
}

/** `_session` straight from the users subgraph, over kept-alive connections of its own. */
export function usersSubgraphLookup(url: string, sign?: SubgraphRequestSigner): { lookup: GenerationLookup; close(): Promise<void> } {
  const client = new SubgraphClient(url, LOOKUP_TIMEOUT_MS, sign);
  const lookup: GenerationLookup = async (userId) => {
    const { status, json } = await client.post(JSON.stringify({ query: SESSION_QUERY, variables: { userId } }), {});
    const answer = (json ?? {}) as SessionAnswer;
    const generation = answer.data?._session;
    if (status !== 200 || answer.errors?.length || (generation !== null && typeof generation !== 'number')) {
      throw new Error(`the users subgraph did not answer the session check (HTTP ${status})`);
    }
    return generation;
  };
  return { lookup, close: () => client.close() };
}

/**
 * Forgets the viewer's generation once a mutation of theirs selected
 * `logOutEverywhere` (aliased or not), so this gateway refuses their old
 * tokens from the next request on; other gateways within their `ttlMs`.
 */
export function forgetOnLogOutEverywhere<Context extends { viewer: Viewer | null }>(sessions: SessionCheck): ApolloServerPlugin<Context> {
  return {
    async requestDidStart() {
      let loggedOut = false;
      return {
        async didResolveOperation({ operation }) {
          loggedOut =
            operation?.operation === 'mutation' &&
            operation.selectionSet.selections.some((selection) => selection.kind === Kind.FIELD && selection.name.value === 'logOutEverywhere');
        },
        async willSendResponse({ contextValue }) {
          if (loggedOut && contextValue.viewer) sessions.forget(contextValue.viewer.id);
        },
      };
    },
  };
}

/**
 * Forgets a user as soon as the users subgraph announces their sessions
 * revoked, on every gateway: the cached answers can then live long (a
 * minute) without a revoked token outliving its revocation. Pub/sub may
 * lose a message; the cache's lifetime bounds that.
 */
export async function forgetOnRevocation(live: LiveBus, sessions: SessionCheck, logger: Logger): Promise<() => Promise<void>> {
  try {
    return await live.listen(LiveStreams.sessions, EVERY_GATEWAY, (userId) => sessions.forget(userId));
  } catch (error) {
    logger.warn({ err: error }, 'cannot hear session revocations: a revoked token passes until the cached answer expires');
    return async () => undefined;
  }
}

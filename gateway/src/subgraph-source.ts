import type { GraphQLDataSource, GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import { GraphQLError } from 'graphql';
import { Pool } from 'undici';
import { CLIENT_ADDRESS_HEADER } from '@chirp/platform';
import type { GatewayContext } from './gateway.js';

type SubgraphResponse = Awaited<ReturnType<GraphQLDataSource['process']>>;

/** How long a subgraph may take to answer before the gateway gives up on that fetch. */
const SUBGRAPH_TIMEOUT_MS = 30_000;
/**
 * Idle connections to a subgraph are closed after this, whatever the
 * subgraph's own `Keep-Alive` hint: far below its 65 s, so the gateway is
 * always the side that closes, even with its event loop stalled for seconds
 * (sending on a connection the subgraph is closing fails the request).
 */
const IDLE_CONNECTION_MS = 10_000;

interface SubgraphErrorBody {
  errors?: Array<{ message?: unknown; extensions?: Record<string, unknown> }>;
}

/**
 * How the gateway calls one subgraph: a POST of the fetch's query and
 * variables over a pool of kept-alive connections, with the caller's
 * `authorization` header passed on (each subgraph verifies it itself) and
 * the caller's address in `x-forwarded-for`.
 *
 * Apollo's `RemoteGraphQLDataSource` does the same through the WHATWG fetch
 * API, and builds a node-fetch `Request` on every call besides; on the read
 * path that machinery cost more CPU than the subgraph's own work (see the
 * benchmark's profile). undici's `request` is the same HTTP client Node's
 * fetch is built on, without the web streams.
 */
/**
 * Kept-alive connections to one subgraph, and the path to POST to. Every
 * caller of a subgraph (a source, the session check) closes idle ones
 * first, for the reason above.
 */
export function subgraphPool(url: string, timeoutMs: number): { pool: Pool; path: string } {
  const target = new URL(url);
  const pool = new Pool(target.origin, {
    headersTimeout: timeoutMs,
    bodyTimeout: timeoutMs,
    keepAliveTimeout: IDLE_CONNECTION_MS,
    keepAliveMaxTimeout: IDLE_CONNECTION_MS,
  });
  return { pool, path: `${target.pathname}${target.search}` };
}

export class SubgraphSource implements GraphQLDataSource<GatewayContext> {
  private readonly pool: Pool;
  private readonly path: string;

  constructor(readonly url: string) {
    ({ pool: this.pool, path: this.path } = subgraphPool(url, SUBGRAPH_TIMEOUT_MS));
  }

  async process(options: GraphQLDataSourceProcessOptions<GatewayContext>): Promise<SubgraphResponse> {
    const { query, variables, operationName, extensions } = options.request;
    const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json' };
    const { authorization, clientAddress } = options.context as Partial<GatewayContext>;
    if (authorization) headers.authorization = authorization;
    // The caller's address as the gateway determined it, never one the caller wrote (see client-address.ts).
    if (clientAddress) headers[CLIENT_ADDRESS_HEADER] = clientAddress;
    const response = await this.pool.request({
      method: 'POST',
      path: this.path,
      headers,
      body: JSON.stringify({ query, variables, operationName, extensions }),
    });
    const text = await response.body.text();
    const body = parseJson(text);
    if (response.statusCode >= 200 && response.statusCode < 300 && isObject(body)) return body as SubgraphResponse;
    throw this.errorFromResponse(response.statusCode, body ?? text);
  }

  close(): Promise<void> {
    return this.pool.close();
  }

  /**
   * A subgraph answers 4xx when it refuses a request before running it, for
   * instance a `Date` variable that is not a real day: only the subgraph
   * knows its scalars' rules. Pass its first error on, code and message,
   * instead of a bare "400".
   */
  private errorFromResponse(status: number, body: unknown): GraphQLError {
    const first = (body as SubgraphErrorBody | undefined)?.errors?.[0];
    if (typeof first?.message === 'string' && typeof first.extensions?.code === 'string') {
      const { code, field } = first.extensions;
      return new GraphQLError(first.message, { extensions: { code, ...(field ? { field } : {}) } });
    }
    const code = status === 401 ? 'UNAUTHENTICATED' : status === 403 ? 'FORBIDDEN' : undefined;
    return new GraphQLError(`${status}: the ${this.url} subgraph did not answer with GraphQL`, {
      extensions: { ...(code ? { code } : {}), response: { url: this.url, status, body } },
    });
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

import type { GraphQLDataSource, GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import { GraphQLError } from 'graphql';
import { Pool } from 'undici';
import { CLIENT_ADDRESS_HEADER } from '@chirp/platform';
import type { GatewayContext } from './gateway.js';
import type { SubgraphRequestSigner } from './subgraph-auth.js';

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
 * Kept-alive connections to one subgraph, and POSTs of JSON on them,
 * signed when the subgraphs want proof of the caller (subgraph-auth.ts).
 * Every caller of a subgraph (a source, the session check) goes through
 * one, so idle connections are closed first, for the reason above.
 *
 * undici's `request` is the same HTTP client Node's fetch is built on,
 * without the web streams: Apollo's `RemoteGraphQLDataSource` goes through
 * the WHATWG fetch API and builds a node-fetch `Request` on every call
 * besides, and on the read path that machinery cost more CPU than the
 * subgraph's own work (see the benchmark's profile).
 */
export class SubgraphClient {
  private readonly pool: Pool;
  private readonly target: URL;

  constructor(
    readonly url: string,
    timeoutMs: number,
    private readonly sign?: SubgraphRequestSigner,
  ) {
    this.target = new URL(url);
    this.pool = new Pool(this.target.origin, {
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
      keepAliveTimeout: IDLE_CONNECTION_MS,
      keepAliveMaxTimeout: IDLE_CONNECTION_MS,
    });
  }

  /** The answer's status, its text, and its JSON (undefined when it is not JSON). */
  async post(body: string, headers: Record<string, string>): Promise<{ status: number; text: string; json: unknown }> {
    const all = { 'content-type': 'application/json', accept: 'application/json', ...headers };
    const response = await this.pool.request({
      method: 'POST',
      path: `${this.target.pathname}${this.target.search}`,
      headers: this.sign ? await this.sign({ url: this.target, headers: all, body }) : all,
      body,
    });
    const text = await response.body.text();
    return { status: response.statusCode, text, json: parseJson(text) };
  }

  close(): Promise<void> {
    return this.pool.close();
  }
}

/**
 * How the gateway calls one subgraph: a POST of the fetch's query and
 * variables, with the caller's `authorization` header passed on (each
 * subgraph verifies it itself) and the caller's address.
 */
export class SubgraphSource implements GraphQLDataSource<GatewayContext> {
  private readonly client: SubgraphClient;

  constructor(
    readonly url: string,
    sign?: SubgraphRequestSigner,
  ) {
    this.client = new SubgraphClient(url, SUBGRAPH_TIMEOUT_MS, sign);
  }

  async process(options: GraphQLDataSourceProcessOptions<GatewayContext>): Promise<SubgraphResponse> {
    const { query, variables, operationName, extensions } = options.request;
    const headers: Record<string, string> = {};
    const { authorization, clientAddress } = options.context as Partial<GatewayContext>;
    if (authorization) headers.authorization = authorization;
    // The caller's address as the gateway determined it, never one the caller wrote (see client-address.ts).
    if (clientAddress) headers[CLIENT_ADDRESS_HEADER] = clientAddress;
    const { status, text, json } = await this.client.post(JSON.stringify({ query, variables, operationName, extensions }), headers);
    if (status >= 200 && status < 300 && isObject(json)) return json as SubgraphResponse;
    throw this.errorFromResponse(status, json ?? text);
  }

  close(): Promise<void> {
    return this.client.close();
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

import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServer, HeaderMap, type ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import {
  ApolloServerPluginCacheControlDisabled,
  ApolloServerPluginInlineTraceDisabled,
  ApolloServerPluginLandingPageDisabled,
} from '@apollo/server/plugin/disabled';
import { buildSubgraphSchema } from '@apollo/subgraph';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper/resolverMap.js';
import { GraphQLError, type DocumentNode } from 'graphql';
import type { TokenService, Viewer } from './auth.js';
import { DomainError } from './errors.js';
import { createErrorFormatter } from './graphql-errors.js';
import { KNOWN_ERROR_CODES, type Metrics } from './metrics.js';
import type { Logger } from './logger.js';

export interface RunningServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

export interface HttpServerOptions {
  host: string;
  port: number;
  logger: Logger;
  checkReady: () => Promise<void>;
}

/** Idle keep-alive connections are closed after this; above the 60 s idle timeout of common load balancers. */
const KEEP_ALIVE_TIMEOUT_MS = 65_000;

/**
 * The largest request body accepted, over HTTP and as one WebSocket frame.
 * A GraphQL request is a few KB at most (the largest the product takes, a
 * tweet of long links or a whole profile, is under 20 KB); this bounds what
 * is read and parsed before anything looks at it.
 */
export const MAX_REQUEST_BYTES = 256 * 1024;
const MAX_BODY_BYTES = MAX_REQUEST_BYTES;

/** Builds a request's context from its incoming message (headers, mostly). */
export type ContextFromRequest<Context> = (request: http.IncomingMessage) => Promise<Context>;

export interface ChirpHttpServer {
  server: http.Server;
  /** Serves GraphQL at `/graphql` through a started Apollo Server. */
  serveGraphQL<Context extends object>(apollo: ApolloServer<Context>, context: ContextFromRequest<Context>): void;
  /** Hands `/media` and what is under it to `routes` (the disk media storage's uploads and files); false from it means not found. */
  serveMedia(routes: MediaRoutes): void;
  /** Hands every other GET to `routes` (the gateway's web client), before the not-found answer. */
  serveStatic(routes: StaticRoutes): void;
}

export type MediaRoutes = (request: http.IncomingMessage, response: http.ServerResponse) => Promise<boolean>;
/** Serves what it has and answers true, or false to leave the request to the not-found answer. */
export type StaticRoutes = MediaRoutes;

/**
 * The HTTP side of every Chirp process: `/graphql`, and the two probes every
 * process answers, `/healthz` (the process is up) and `/readyz` (its
 * dependencies answer). Plain `node:http` rather than Express: the read path
 * needs nothing a framework adds (routing, ETags, a body-parser stack), and
 * those cost about a tenth of each process's CPU per read in the benchmark's
 * profile.
 */
export function createHttpServer(options: Pick<HttpServerOptions, 'checkReady' | 'logger'> & { metrics?: Metrics }): ChirpHttpServer {
  let graphql: ((request: http.IncomingMessage, response: http.ServerResponse) => Promise<void>) | undefined;
  let media: MediaRoutes | undefined;
  let statics: StaticRoutes | undefined;
  const route = async (request: http.IncomingMessage, response: http.ServerResponse): Promise<void> => {
    const path = (request.url ?? '/').split('?', 1)[0] ?? '/';
    if (path === '/graphql' && graphql) return graphql(request, response);
    if (media && (path === '/media' || path.startsWith('/media/')) && (await media(request, response))) return;
    if (path === '/healthz') return sendJson(response, 200, { status: 'ok' });
    if (path === '/metrics' && options.metrics) {
      const text = await options.metrics.registry.metrics();
      response.writeHead(200, { 'content-type': options.metrics.registry.contentType });
      response.end(text);
      return;
    }
    if (path === '/readyz') {
      try {
        await options.checkReady();
        return sendJson(response, 200, { status: 'ready' });
      } catch (error) {
        options.logger.warn({ err: error }, 'readiness check failed');
        return sendJson(response, 503, { status: 'unavailable' });
      }
    }
    if (statics && (await statics(request, response))) return;
    sendJson(response, 404, { error: `nothing is served at ${path}; GraphQL is at /graphql` });
  };
  const server = http.createServer((request, response) => {
    route(request, response).catch((error: unknown) => {
      options.logger.error({ err: error, url: request.url }, 'unexpected error serving a request');
      if (!response.headersSent) sendJson(response, 500, requestError('Something went wrong on our side. Please try again later.', 'INTERNAL_SERVER_ERROR'));
      else response.destroy();
    });
  });
  // Callers (the gateway's subgraph pools, a load balancer) drop idle
  // connections well before this, so a request is never sent on a connection
  // this server is closing at that moment ("other side closed"); headers may
  // take one second longer, as Node requires.
  server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
  server.headersTimeout = KEEP_ALIVE_TIMEOUT_MS + 1000;
  return {
    server,
    serveGraphQL(apollo, context) {
      graphql = (request, response) => serveGraphQLRequest(apollo, context, request, response);
    },
    serveMedia(routes) {
      media = routes;
    },
    serveStatic(routes) {
      statics = routes;
    },
  };
}

/** One request through Apollo Server's transport-neutral entry point. */
async function serveGraphQLRequest<Context extends object>(
  apollo: ApolloServer<Context>,
  context: ContextFromRequest<Context>,
  request: http.IncomingMessage,
  response: http.ServerResponse,
): Promise<void> {
  const body = await readJsonBody(request);
  if (body.refused) return sendJson(response, body.status, requestError(body.message, 'BAD_USER_INPUT'));
  const headers = new HeaderMap();
  for (const [name, value] of Object.entries(request.headers)) {
    if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : value);
  }
  const url = request.url ?? '';
  const query = url.indexOf('?');
  const answer = await apollo.executeHTTPGraphQLRequest({
    httpGraphQLRequest: { method: request.method ?? 'GET', headers, search: query < 0 ? '' : url.slice(query), body: body.value },
    context: () => context(request),
  });
  for (const [name, value] of answer.headers) response.setHeader(name, value);
  response.statusCode = answer.status ?? 200;
  if (answer.body.kind === 'complete') {
    response.end(answer.body.string);
    return;
  }
  for await (const chunk of answer.body.asyncIterator) response.write(chunk);
  response.end();
}

type JsonBody = { refused: false; value: unknown } | { refused: true; status: number; message: string };

/**
 * The parsed body of a JSON request; undefined for other content types (a
 * GET, say), which Apollo Server then judges itself, as it does a missing body.
 */
async function readJsonBody(request: http.IncomingMessage): Promise<JsonBody> {
  const type = request.headers['content-type'] ?? '';
  if (!/^application\/(?:graphql-response\+)?json\b/i.test(type)) {
    request.resume(); // drained, so the connection can be kept alive
    return { refused: false, value: undefined };
  }
  const declared = Number(request.headers['content-length'] ?? 0);
  if (declared > MAX_BODY_BYTES) return tooLarge(request);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) return tooLarge(request);
    chunks.push(chunk);
  }
  const text = chunks.length === 1 ? (chunks[0] as Buffer).toString('utf8') : Buffer.concat(chunks).toString('utf8');
  try {
    return { refused: false, value: text === '' ? undefined : JSON.parse(text) };
  } catch {
    return { refused: true, status: 400, message: 'The request body is not valid JSON.' };
  }
}

function tooLarge(request: http.IncomingMessage): JsonBody {
  request.resume();
  return { refused: true, status: 413, message: `The request body is larger than ${MAX_BODY_BYTES / 1024} KB.` };
}

function requestError(message: string, code: string): { errors: Array<{ message: string; extensions: { code: string } }> } {
  return { errors: [{ message, extensions: { code } }] };
}

function sendJson(response: http.ServerResponse, status: number, value: unknown): void {
  const text = JSON.stringify(value);
  response.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  response.end(text);
}

/**
 * Connections the kernel may hold for a process before it accepts them.
 * Node's default, 511, overflows when thousands of WebSocket clients
 * reconnect at once (a gateway restart): Linux then drops their handshakes
 * and the clients see resets. The kernel caps it at `net.core.somaxconn`.
 */
const LISTEN_BACKLOG = 4096;

export async function listen(server: http.Server, host: string, port: number): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port, host, backlog: LISTEN_BACKLOG }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return (server.address() as AddressInfo).port;
}

export interface SubgraphServerOptions<Context> extends HttpServerOptions {
  name: string;
  typeDefs: DocumentNode;
  resolvers: GraphQLResolverMap<Context>;
  tokens: TokenService;
  exposeInternals: boolean;
  /** Builds the per-request context (fresh DataLoaders) for a verified viewer, from where the request came. */
  createContext: (viewer: Viewer | null, origin: RequestOrigin) => Context;
  /** Counted per operation, and served at `/metrics`. */
  metrics?: Metrics;
}

/** Where a request came from, for the limits counted per client address (log-in, sign-up). */
export interface RequestOrigin {
  clientAddress: string;
}

/**
 * Where the gateway puts the caller's bearer token when its own request
 * is signed for API Gateway's IAM authorization (SUBGRAPH_AUTH=aws-iam),
 * whose signature takes `authorization`.
 */
export const VIEWER_AUTHORIZATION_HEADER = 'x-chirp-viewer-authorization';

/** The caller's bearer token on a request to a subgraph: in its own header beside an IAM signature, else `authorization`. */
export function viewerAuthorization(headers: Record<string, string | string[] | undefined>): string | undefined {
  const forwarded = headers[VIEWER_AUTHORIZATION_HEADER];
  if (typeof forwarded === 'string') return forwarded;
  const authorization = headers.authorization;
  if (typeof authorization !== 'string' || authorization.startsWith('AWS4-HMAC-SHA256 ')) return undefined;
  return authorization;
}

/** The header the gateway puts the caller's address in (it sets it, never passes one on from the caller). */
export const CLIENT_ADDRESS_HEADER = 'x-forwarded-for';

/**
 * The caller's address as the gateway saw it: the last X-Forwarded-For
 * entry, the one the nearest proxy (the gateway) wrote. Subgraphs are
 * reachable only from the gateway; a request without the header (a test
 * calling a subgraph itself) counts by its own peer address.
 */
export function requestOrigin(request: http.IncomingMessage): RequestOrigin {
  const forwarded = request.headers[CLIENT_ADDRESS_HEADER];
  const last = (Array.isArray(forwarded) ? forwarded.join(',') : (forwarded ?? '')).split(',').pop()?.trim();
  return { clientAddress: last || request.socket.remoteAddress || 'unknown' };
}

/** Every subgraph is served the same way: Apollo Server on `createHttpServer`, probes beside it. */
export async function startSubgraphServer<Context extends object>(
  options: SubgraphServerOptions<Context>,
): Promise<RunningServer> {
  const web = createHttpServer(options);
  const httpServer = web.server;
  const apollo = createSubgraphApollo(options, [ApolloServerPluginDrainHttpServer({ httpServer })]);
  await apollo.start();
  web.serveGraphQL(apollo, async (request) =>
    options.createContext(await verifiedViewer(options.tokens, viewerAuthorization(request.headers)), requestOrigin(request)),
  );
  const port = await listen(httpServer, options.host, options.port);
  options.logger.info({ port }, `${options.name} subgraph listening`);
  return {
    url: `http://${options.host}:${port}/graphql`,
    port,
    close: () => apollo.stop(),
  };
}

/**
 * A subgraph's Apollo Server, not yet started: the one composition of
 * schema, errors and plugins that both entry points serve (the HTTP server
 * above, and a Lambda handler, lambda.ts).
 */
export function createSubgraphApollo<Context extends object>(
  options: Pick<SubgraphServerOptions<Context>, 'typeDefs' | 'resolvers' | 'exposeInternals' | 'logger' | 'metrics'>,
  extraPlugins: Array<ApolloServerPlugin<Context>> = [],
): ApolloServer<Context> {
  return new ApolloServer<Context>({
    schema: buildSubgraphSchema({
      typeDefs: options.typeDefs,
      // buildSubgraphSchema is typed for an unknown context; Apollo passes ours at run time.
      resolvers: options.resolvers as GraphQLResolverMap<unknown>,
    }),
    formatError: createErrorFormatter({ exposeInternals: options.exposeInternals }),
    includeStacktraceInErrorResponses: options.exposeInternals,
    // The process's own stopOnSignals stops everything in order (server, consumers,
    // connections); Apollo's handler would stop the server alone and re-raise the signal.
    stopOnTerminationSignals: false,
    plugins: [
      ...extraPlugins,
      ApolloServerPluginLandingPageDisabled(),
      // Traces are for Apollo's hosted studio, which Chirp does not report to;
      // HTTP cache hints are not used either. Both cost time on every request.
      ApolloServerPluginInlineTraceDisabled(),
      ApolloServerPluginCacheControlDisabled(),
      logUnexpectedErrors<Context>(options.logger),
      ...(options.metrics ? [recordOperations<Context>(options.metrics)] : []),
    ],
  });
}

/** The token is checked here, by the subgraph itself: a forwarded header is never taken on trust. */
export async function verifiedViewer(tokens: TokenService, header: string | undefined): Promise<Viewer | null> {
  try {
    return await tokens.viewerFromHeader(header);
  } catch (error) {
    // A check that could not be made (the gateway's session check, its users subgraph away) is
    // no reason for a client to drop its token: it is told to try again, not to log in again.
    if (error instanceof DomainError && error.code === 'INTERNAL_SERVER_ERROR') {
      throw new GraphQLError(error.message, { extensions: { code: 'INTERNAL_SERVER_ERROR', http: { status: 503 } } });
    }
    const message = error instanceof DomainError ? error.message : 'The token is not valid.';
    throw new GraphQLError(message, { extensions: { code: 'UNAUTHENTICATED', http: { status: 401 } } });
  }
}

/**
 * Domain errors, and errors a subgraph already classified, are the client's
 * business; anything else is ours and gets logged with its stack.
 */
/**
 * Counts every operation answered, its time, and its errors by code
 * (metrics.ts). The operation's label is its name when it has a sensible
 * one (a client chooses it: the number of distinct labels is bounded).
 */
export function recordOperations<Context extends object>(metrics: Metrics): ApolloServerPlugin<Context> {
  return {
    async requestDidStart() {
      const started = performance.now();
      return {
        async willSendResponse({ response, operationName, errors }) {
          const operation = metrics.operationLabel(operationName);
          metrics.record('requests', 1, { operation });
          metrics.record('requestMs', performance.now() - started, { operation });
          const answered = response.body.kind === 'single' ? response.body.singleResult.errors : undefined;
          for (const error of answered ?? errors ?? []) {
            const code = String(error.extensions?.code ?? 'INTERNAL_SERVER_ERROR');
            metrics.record('errors', 1, { code: KNOWN_ERROR_CODES.has(code) ? code : 'OTHER' });
          }
        },
      };
    },
  };
}

export function logUnexpectedErrors<Context extends object>(logger: Logger): ApolloServerPlugin<Context> {
  return {
    async requestDidStart() {
      return {
        async didEncounterErrors({ errors, operationName }) {
          for (const error of errors) {
            const original = error.originalError;
            const code = error.extensions?.code ?? (original as { extensions?: { code?: unknown } } | undefined)?.extensions?.code;
            // Whatever the client will see as INTERNAL_SERVER_ERROR is ours to look into, a
            // failed subgraph fetch at the gateway included (a GraphQLError without a code).
            const expected = original instanceof DomainError || (typeof code === 'string' && code !== 'INTERNAL_SERVER_ERROR');
            if (!expected) logger.error({ err: original ?? error, operationName, path: error.path }, 'unexpected error');
          }
        },
      };
    },
  };
}

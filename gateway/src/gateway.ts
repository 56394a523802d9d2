import { readFileSync } from 'node:fs';
import { ApolloGateway } from '@apollo/gateway';
import { GraphQLError, type ExecutionResult, type GraphQLFormattedError, type GraphQLSchema } from 'graphql';
import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { ApolloServerPluginCacheControlDisabled } from '@apollo/server/plugin/disabled';
import {
  DiskObjectStorage,
  Metrics,
  TokenService,
  createDiskMediaRoutes,
  createErrorFormatter,
  createHttpServer,
  listen,
  logUnexpectedErrors,
  recordOperations,
  verifiedViewer,
  type LiveBus,
  type Logger,
  type MediaStorageConfig,
  type RunningServer,
  type Viewer,
} from '@chirp/platform';
import { offlineExplorer } from './explorer.js';
import { SubgraphSource } from './subgraph-source.js';
import { DEFAULT_LIVE_LIMITS, type LiveLimits } from './live/limits.js';
import { startLiveServer, type LiveServer } from './live/server.js';
import type { RunOperation } from './live/resolution.js';
import type { GatewayConfig, SubgraphAuth } from './config.js';
import { subgraphRequestSigner } from './subgraph-auth.js';
import { clientAddress } from './client-address.js';
import { webClientRoutes } from './web-client.js';
import { SessionCheck, forgetOnLogOutEverywhere, forgetOnRevocation, usersSubgraphLookup, type GenerationLookup } from './sessions.js';
import { costLimitPlugin, DEFAULT_OPERATION_LIMITS, explainLimitErrors, shapeRules, type OperationLimits } from './operation-limits.js';

export interface GatewayContext {
  /** The caller's header, forwarded as is: each subgraph verifies it again itself. */
  authorization: string | undefined;
  viewer: Viewer | null;
  /** Passed to the subgraphs, which count log-ins and sign-ups by it; absent over the WebSocket. */
  clientAddress?: string;
}

/** What the gateway's graph needs, whichever entry point serves it (a container, or a Lambda function). */
export interface GatewayGraphOptions {
  supergraphSdl: string;
  /** Overrides of the routing URLs composed into the supergraph, by subgraph name. */
  subgraphUrls: Partial<Record<string, string>>;
  logger: Logger;
  tokens: TokenService;
  exposeInternals: boolean;
  /** Where the users subgraph announces revoked sessions (Redis pub/sub, or the embedded stack's in-process bus). */
  live: LiveBus;
  /** What one operation may ask (see operation-limits.ts); the defaults where left out. */
  operationLimits?: Partial<OperationLimits>;
  /** Whether the schema can be introspected; off, error messages also leave out field suggestions. */
  introspection: boolean;
  /** How long a user's session generation is remembered (see sessions.ts). */
  sessionCheckTtlMs?: number;
  /** Where a user's session generation comes from: the users subgraph's `_session` unless given (tests of a gateway alone). */
  sessionLookup?: GenerationLookup;
  /** How the gateway proves itself to the subgraphs (see subgraph-auth.ts); `none` unless given. */
  subgraphAuth?: SubgraphAuth;
  /** Counted per operation. */
  metrics?: Metrics;
  /** The entry point's own plugins (the container's drain its HTTP server and live edge). */
  plugins?: Array<ApolloServerPlugin<GatewayContext>>;
}

export interface GatewayOptions extends Omit<GatewayGraphOptions, 'plugins'> {
  host: string;
  port: number;
  /** Where the subgraphs announce live events (Redis pub/sub, or the embedded stack's in-process bus). */
  live: LiveBus;
  liveLimits?: Partial<LiveLimits>;
  /** How many proxies in front of the gateway to believe the X-Forwarded-For of (0: none; the peer is the client). */
  trustProxyHops?: number;
  /** Media storage: with the disk adapter, this gateway receives its uploads and serves its files under `/media`. */
  media?: MediaStorageConfig;
  /** Counted per operation, and served at `/metrics`. */
  metrics?: Metrics;
  /** The built web client, served at `/`; none when null or left out. */
  webDir?: string | null;
}

/** The routing URL of every subgraph named in the supergraph, with the configured overrides applied. */
export function subgraphEndpoints(supergraphSdl: string, overrides: Partial<Record<string, string>>): Map<string, string> {
  const endpoints = new Map<string, string>();
  for (const match of supergraphSdl.matchAll(/@join__graph\(name:\s*"([^"]+)",\s*url:\s*"([^"]*)"\)/g)) {
    const [, name, url] = match as unknown as [string, string, string];
    endpoints.set(name, overrides[name] ?? url);
  }
  return endpoints;
}

/** Ready when every subgraph says it is ready. */
async function checkSubgraphs(endpoints: Map<string, string>): Promise<void> {
  await Promise.all(
    [...endpoints].map(async ([name, url]) => {
      const response = await fetch(new URL('/readyz', url), { signal: AbortSignal.timeout(2000) });
      if (!response.ok) throw new Error(`subgraph ${name} is not ready (${response.status})`);
    }),
  );
}

/**
 * The gateway's graph: Apollo Gateway over the subgraphs on Apollo Server,
 * with every check an operation passes (its limits, the session check), and
 * what the live edge needs to run operations the same way. One composition
 * root for the gateway's two entry points: the container (`startGateway`:
 * HTTP, the live edge, media) and the Lambda function (lambda.ts: HTTP).
 */
export interface GatewayGraph {
  /** Not started: the entry point starts it (the Lambda integration insists on doing so itself). */
  apollo: ApolloServer<GatewayContext>;
  endpoints: Map<string, string>;
  /** Verifies tokens and admits only current sessions (sessions.ts). */
  tokens: TokenService;
  operationLimits: OperationLimits;
  formatError: ErrorFormatter;
  /** The public schema, once loaded. */
  apiSchema(): GraphQLSchema | undefined;
  /** Runs an operation as an HTTP request would be run (the live edge's resolutions), once Apollo is started. */
  run: RunOperation;
  /** A request's context: its token checked once, clearly, before any planning. */
  context(authorization: string | undefined, clientAddress: string | undefined): Promise<GatewayContext>;
  /** Stops Apollo (the entry point's drains included) and closes the connections to the subgraphs. */
  close(): Promise<void>;
}

export async function createGatewayGraph(options: GatewayGraphOptions): Promise<GatewayGraph> {
  const endpoints = subgraphEndpoints(options.supergraphSdl, options.subgraphUrls);
  const signerFor = (url: string) => subgraphRequestSigner(options.subgraphAuth ?? 'none', url);
  // A token is honoured only for a user who exists, at their current session generation (sessions.ts).
  const usersUrl = endpoints.get('users') ?? 'http://users:4001/graphql';
  const sessionLookup = usersSubgraphLookup(usersUrl, signerFor(usersUrl));
  const sessions = new SessionCheck({ lookup: options.sessionLookup ?? sessionLookup.lookup, ttlMs: options.sessionCheckTtlMs ?? 60_000 });
  const stopHearingRevocations = await forgetOnRevocation(options.live, sessions, options.logger);
  const tokens = options.tokens.admitting(sessions.admit);
  const sources: SubgraphSource[] = [];
  const gateway = new ApolloGateway({
    supergraphSdl: options.supergraphSdl,
    buildService: ({ name, url }) => {
      const endpoint = endpoints.get(name) ?? url;
      if (!endpoint) throw new Error(`the supergraph gives subgraph ${name} no URL; set ${name.toUpperCase()}_URL`);
      const source = new SubgraphSource(endpoint, signerFor(endpoint));
      sources.push(source);
      return source;
    },
    logger: options.logger.child({ component: 'apollo-gateway' }),
  });
  const operationLimits = { ...DEFAULT_OPERATION_LIMITS, ...options.operationLimits };
  const formatError = withLimitsExplained(createErrorFormatter({ exposeInternals: options.exposeInternals }), operationLimits);
  const apollo = new ApolloServer<GatewayContext>({
    gateway,
    introspection: options.introspection,
    stopOnTerminationSignals: false, // the process's stopOnSignals stops the gateway with the rest
    // Automatic persisted queries: no Chirp client uses them, and their cache is memory a stranger could fill.
    persistedQueries: false,
    hideSchemaDetailsFromClientErrors: !options.introspection,
    // Every operation is bounded before it is planned: its tokens as it is
    // parsed, its shape as it is validated, its cost once its variables are known.
    parseOptions: { maxTokens: operationLimits.tokens },
    validationRules: shapeRules(operationLimits),
    formatError,
    includeStacktraceInErrorResponses: options.exposeInternals,
    plugins: [
      oneOperationToRun(),
      costLimitPlugin<GatewayContext>(operationLimits),
      ApolloServerPluginCacheControlDisabled(), // no HTTP cache hints: not worth their per-field cost
      logUnexpectedErrors<GatewayContext>(options.logger),
      subscriptionsOverWebSocketOnly(),
      noSilentNulls(options.logger),
      ...(options.metrics ? [recordOperations<GatewayContext>(options.metrics)] : []),
      forgetOnLogOutEverywhere<GatewayContext>(sessions),
      ...(options.plugins ?? []),
    ],
  });
  let apiSchema: GraphQLSchema | undefined;
  gateway.onSchemaLoadOrUpdate((update) => {
    apiSchema = update.apiSchema;
  });
  return {
    apollo,
    endpoints,
    tokens,
    operationLimits,
    formatError,
    apiSchema: () => apiSchema,
    run: async (request, caller) => {
      const response = await apollo.executeOperation(request, { contextValue: caller });
      if (response.body.kind !== 'single') throw new Error('incremental delivery is not used by Chirp');
      return response.body.singleResult as ExecutionResult;
    },
    context: async (authorization, address) => ({
      authorization,
      viewer: await verifiedViewer(tokens, authorization),
      ...(address ? { clientAddress: address } : {}),
    }),
    close: async () => {
      await apollo.stop();
      await Promise.all([...sources.map((source) => source.close()), sessionLookup.close(), stopHearingRevocations()]);
    },
  };
}

export interface RunningGateway extends RunningServer {
  live: LiveServer;
}

/** The gateway as a container runs it: HTTP and the live edge (WebSocket) on one port, and the media files of the disk adapter. */
export async function startGateway(options: GatewayOptions): Promise<RunningGateway> {
  const endpoints = subgraphEndpoints(options.supergraphSdl, options.subgraphUrls);
  // Behind IAM (AWS) the subgraphs are Lambda functions: nothing to probe, and no route for it.
  const checkReady = (options.subgraphAuth ?? 'none') === 'none' ? () => checkSubgraphs(endpoints) : async () => undefined;
  const web = createHttpServer({ logger: options.logger, checkReady, ...(options.metrics ? { metrics: options.metrics } : {}) });
  const httpServer = web.server;
  if (options.media?.kind === 'disk') web.serveMedia(createDiskMediaRoutes(new DiskObjectStorage(options.media), options.logger.child({ component: 'media' })));
  if (options.webDir) web.serveStatic(webClientRoutes(options.webDir, options.logger.child({ component: 'web' })));
  let liveServer: LiveServer | undefined;
  const graph = await createGatewayGraph({
    ...options,
    plugins: [
      // The explorer lives here, not in the Lambda bundle: it is most of its size.
      offlineExplorer(),
      ApolloServerPluginDrainHttpServer({ httpServer }),
      { serverWillStart: async () => ({ drainServer: async () => liveServer?.close() }) },
    ],
  });
  await graph.apollo.start();
  liveServer = startLiveServer({
    httpServer,
    path: '/graphql',
    schema: graph.apiSchema,
    run: graph.run,
    live: options.live,
    tokens: graph.tokens,
    logger: options.logger.child({ component: 'live' }),
    limits: { ...DEFAULT_LIVE_LIMITS, ...options.liveLimits },
    trustProxyHops: options.trustProxyHops ?? 0,
    operationLimits: graph.operationLimits,
    introspection: options.introspection,
    formatError: graph.formatError,
    isProduction: !options.exposeInternals,
  });
  web.serveGraphQL(graph.apollo, (request) => graph.context(request.headers.authorization, clientAddress(request, options.trustProxyHops ?? 0)));
  const port = await listen(httpServer, options.host, options.port);
  // Stopping twice (a test's own stop, then the stack's) waits for the first.
  let closing: Promise<void> | undefined;
  options.logger.info({ port, subgraphs: Object.fromEntries(endpoints) }, 'gateway listening');
  return {
    url: `http://${options.host === '0.0.0.0' ? '127.0.0.1' : options.host}:${port}/graphql`,
    port,
    close: () => (closing ??= graph.close()),
    live: liveServer,
  };
}

type ErrorFormatter = (formatted: GraphQLFormattedError, error: unknown) => GraphQLFormattedError;

function withLimitsExplained(format: ErrorFormatter, limits: OperationLimits): ErrorFormatter {
  const explain = explainLimitErrors(limits);
  return (formatted, error) => format(explain(formatted), error);
}

/**
 * An answer whose data is null always says why. The gateway nulls a
 * non-null field whose entity a subgraph could not find (a user who no
 * longer exists, say) and lets the null rise to the root without an error;
 * the client would get `data: null` and nothing to act on.
 */
function noSilentNulls(logger: Logger): ApolloServerPlugin<GatewayContext> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ response, operationName }) {
          if (response.body.kind !== 'single') return;
          const result = response.body.singleResult;
          if (result.data !== null || result.errors?.length) return;
          logger.error({ operationName }, 'a required field had no value and nulled the whole answer');
          result.errors = [
            {
              message: 'Part of the answer could not be found (a required field had no value). This is ours to fix; please try again later.',
              extensions: { code: 'INTERNAL_SERVER_ERROR' },
            },
          ];
        },
      };
    },
  };
}

/**
 * A document of several operations needs `operationName`, and it must name
 * one of them: said plainly here, as a client error, where the gateway
 * would throw while planning (an internal error).
 */
function oneOperationToRun(): ApolloServerPlugin<GatewayContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ operation, operationName }) {
          if (operation) return;
          const message = operationName
            ? `The document has no operation named "${operationName}".`
            : 'The document has several operations: name the one to run in "operationName".';
          throw new GraphQLError(message, { extensions: { code: 'BAD_USER_INPUT', http: { status: 400 } } });
        },
      };
    },
  };
}

/** A subscription sent over HTTP gets a clear answer instead of a query-planning error. */
function subscriptionsOverWebSocketOnly(): ApolloServerPlugin<GatewayContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ operation }) {
          if (operation?.operation !== 'subscription') return;
          throw new GraphQLError(
            'Subscriptions are served over WebSocket at /graphql (subprotocol graphql-transport-ws), not over HTTP.',
            { extensions: { code: 'BAD_USER_INPUT', http: { status: 400 } } },
          );
        },
      };
    },
  };
}

/**
 * A gateway's options from its configuration: what every gateway process
 * (main.ts, the embedded stack, replicas) passes, besides where it is.
 */
export function gatewayOptionsFrom(
  config: GatewayConfig,
  where: { logger: Logger; live: LiveBus; subgraphUrls?: Partial<Record<string, string>>; host?: string; port?: number },
): GatewayOptions {
  return {
    supergraphSdl: readFileSync(config.supergraphPath, 'utf8'),
    subgraphUrls: where.subgraphUrls ?? config.subgraphUrls,
    host: where.host ?? config.host,
    port: where.port ?? config.port,
    logger: where.logger,
    tokens: new TokenService(config.jwt),
    exposeInternals: config.env === 'development',
    live: where.live,
    liveLimits: config.liveLimits,
    operationLimits: config.operationLimits,
    introspection: config.introspection,
    trustProxyHops: config.trustProxyHops,
    sessionCheckTtlMs: config.sessionCheckTtlMs,
    subgraphAuth: config.subgraphAuth,
    media: config.media,
    webDir: config.webDir,
    metrics: new Metrics({ service: 'gateway', emf: config.metricsEmf, logger: where.logger }),
  };
}

export { DEFAULT_LIVE_LIMITS, type LiveLimits } from './live/limits.js';
export { DEFAULT_OPERATION_LIMITS, type OperationLimits } from './operation-limits.js';
export { LiveCloseCodes, type LiveServer } from './live/server.js';
export { GATEWAY_ENVIRONMENT_VARIABLES, loadGatewayConfig, SUBGRAPH_NAMES, type GatewayConfig, type SubgraphName } from './config.js';

import type http from 'node:http';
import {
  GraphQLError,
  getOperationAST,
  type DocumentNode,
  type ExecutionArgs,
  type GraphQLFormattedError,
  type GraphQLSchema,
  type OperationDefinitionNode,
} from 'graphql';
import { CloseCode, type Context } from 'graphql-ws';
import { useServer, type Extra } from 'graphql-ws/use/ws';
import { WebSocketServer, type WebSocket } from 'ws';
import { DomainError, MAX_REQUEST_BYTES, TokenService, type LiveBus, type Logger } from '@chirp/platform';
import { checkCost, parseWithinLimits, validateWithinLimits, type OperationLimits } from '../operation-limits.js';
import { LiveFeed, nextFrames, writeNext, type NextFrames } from './feed.js';
import type { LiveLimits } from './limits.js';
import { planLookup, type LookupPlan } from './lookup.js';
import { clientAddress } from '../client-address.js';
import { LiveResolver, subscriptionPlan, type Caller, type RunOperation } from './resolution.js';

/** Close codes a client can act on; 4401 and 4429 follow graphql-ws's own meaning (do not retry as is). */
export const LiveCloseCodes = {
  unauthorized: CloseCode.Unauthorized, // 4401: missing, invalid, expired or revoked token
  tooManyConnections: 4429,
  goingAway: 1001, // the gateway is shutting down: reconnect elsewhere
  tryAgainLater: 1013, // the token could not be checked just now (the users subgraph does not answer)
} as const;

export interface LiveServerOptions {
  httpServer: http.Server;
  path: string;
  /** The supergraph's API schema, current at the time of each subscribe. */
  schema: () => GraphQLSchema | undefined;
  run: RunOperation;
  live: LiveBus;
  tokens: TokenService;
  logger: Logger;
  limits: LiveLimits;
  /** Proxies in front of the gateway whose X-Forwarded-For is believed (see client-address.ts). */
  trustProxyHops: number;
  /** The same limits as over HTTP, applied to every operation sent over the socket. */
  operationLimits: OperationLimits;
  introspection: boolean;
  /** The HTTP endpoint's error formatter: the same codes and messages over the socket. */
  formatError: (formatted: GraphQLFormattedError, error: unknown) => GraphQLFormattedError;
  isProduction: boolean;
}

export interface LiveServer {
  /** Open sockets and subscriptions, for logs and the benchmark. */
  stats(): { connections: number; subscriptions: number; droppedEvents: number };
  /** Closes every socket (1001, going away) and stops listening. */
  close(): Promise<void>;
}

interface Connection {
  caller: Caller;
  /** Closes the socket when its token expires. */
  expiry: NodeJS.Timeout;
  /** Checks the token again now and then (see LiveLimits.sessionRecheckMs). */
  recheck: NodeJS.Timeout;
}

// A type alias, not an interface: graphql-ws wants a plain record type here.
type SocketExtra = {
  connection?: Connection;
};

interface OperationContext {
  caller: Caller;
  /** A subscription's: where it writes its events (see LiveFeed), and how it looks each one up. */
  delivery?: NextFrames;
  plan?: LookupPlan;
  query: string;
  variables: Record<string, unknown>;
}

/**
 * The gateway's WebSocket edge (graphql-transport-ws on the same path as
 * HTTP). `@apollo/gateway` cannot execute subscriptions, so this serves
 * them: the token is checked in `connection_init`, each subscription listens
 * on the live bus for its user only, and each event is resolved through the
 * supergraph as a query with the subscriber's identity (see lookup.ts).
 * Queries and mutations sent over the socket run through the supergraph too.
 */
export function startLiveServer(options: LiveServerOptions): LiveServer {
  const { limits, logger } = options;
  const resolver = new LiveResolver(options.run);
  const socketsByUser = new Map<string, number>();
  let subscriptions = 0;
  let droppedEvents = 0;
  // The socket library refuses a frame over the HTTP body limit itself (close
  // 1009) before reading it whole, whoever sends it, signed in or not.
  const wsServer = new WebSocketServer({ server: options.httpServer, path: options.path, maxPayload: MAX_REQUEST_BYTES });
  wsServer.on('connection', (socket) => quietClientFrameErrors(socket, logger)); // before graphql-ws's own listener
  const documents = new DocumentCache(options.operationLimits, options.introspection);
  type Ctx = Context<Record<string, unknown> | undefined, SocketExtra>;

  // useServer adds the socket and the upgrade request to our own extra.
  const socketOf = (ctx: Ctx): WebSocket => (ctx.extra as unknown as Extra).socket;
  const refuse = (ctx: Ctx, code: number, reason: string): false => {
    socketOf(ctx).close(code, reason);
    return false;
  };

  const server = useServer<Record<string, unknown> | undefined, SocketExtra>(
    {
      isProd: options.isProduction,
      async onConnect(ctx) {
        const header = ctx.connectionParams?.authorization ?? ctx.connectionParams?.Authorization;
        if (typeof header !== 'string' || header === '') {
          return refuse(ctx, LiveCloseCodes.unauthorized, 'Unauthorized: send { "authorization": "Bearer <token>" } in connection_init');
        }
        let session;
        try {
          session = await options.tokens.verifySession(TokenService.bearerToken(header));
        } catch (error) {
          return refuse(ctx, ...refusal(error));
        }
        const userId = session.viewer.id;
        const open = socketsByUser.get(userId) ?? 0;
        if (open >= limits.connectionsPerUser) {
          return refuse(ctx, LiveCloseCodes.tooManyConnections, `Too many open connections for this user (at most ${limits.connectionsPerUser})`);
        }
        socketsByUser.set(userId, open + 1);
        // A live connection lasts no longer than its token.
        const expiry = setTimeout(
          () => refuse(ctx, LiveCloseCodes.unauthorized, 'Unauthorized: the token has expired; connect again with a fresh one'),
          Math.min(session.expiresAtMs - Date.now(), 2 ** 31 - 1),
        );
        expiry.unref();
        // A token revoked meanwhile, or whose user is gone, ends the socket too. Over its
        // refusal only: a check that cannot be made now keeps the socket (the client did nothing wrong).
        const recheck = setInterval(() => {
          options.tokens.verifySession(TokenService.bearerToken(header)).catch((error: unknown) => {
            const [code, reason] = refusal(error);
            if (code === LiveCloseCodes.unauthorized) refuse(ctx, code, reason);
          });
        }, limits.sessionRecheckMs);
        recheck.unref();
        const request = (ctx.extra as unknown as Extra).request;
        const caller: Caller = { authorization: header, viewer: session.viewer, clientAddress: clientAddress(request, options.trustProxyHops) };
        ctx.extra.connection = { caller, expiry, recheck };
        return true;
      },
      onClose(ctx) {
        const connection = ctx.extra.connection;
        if (!connection) return;
        ctx.extra.connection = undefined;
        clearTimeout(connection.expiry);
        clearInterval(connection.recheck);
        const userId = connectionUser(connection.caller);
        const open = (socketsByUser.get(userId) ?? 1) - 1;
        if (open > 0) socketsByUser.set(userId, open);
        else socketsByUser.delete(userId);
      },
      onSubscribe(ctx, id, payload): ExecutionArgs | readonly GraphQLError[] {
        const connection = ctx.extra.connection;
        const schema = options.schema();
        if (!connection || !schema) return [new GraphQLError('The gateway is not ready yet; try again shortly.')];
        // graphql-ws has already counted this one.
        if (Object.keys(ctx.subscriptions).length > limits.subscriptionsPerConnection) {
          return [
            new GraphQLError(`Too many subscriptions on one connection (at most ${limits.subscriptionsPerConnection}); complete one first.`, {
              extensions: { code: 'RATE_LIMITED' },
            }),
          ];
        }
        const document = documents.parsedAndValidated(schema, payload.query);
        if (!('kind' in document)) return document;
        const operation = getOperationAST(document, payload.operationName);
        if (!operation) return [new GraphQLError('Name the operation to run: the document has several.', { extensions: { code: 'BAD_USER_INPUT' } })];
        const context: OperationContext = {
          caller: connection.caller,
          query: payload.query,
          variables: payload.variables ?? {},
        };
        if (operation.operation === 'subscription') {
          try {
            // Queries and mutations meet the cost limit in Apollo Server's pipeline; a subscription's is that of one event.
            checkCost(options.operationLimits, schema, document, payload.operationName, payload.variables ?? undefined);
            context.plan = documents.lookupPlan(schema, document, operation);
          } catch (error) {
            return [error as GraphQLError];
          }
          context.delivery = nextFrames(socketOf(ctx), id);
        }
        return { schema, document, operationName: payload.operationName, variableValues: payload.variables, contextValue: context };
      },
      // Queries and mutations over the socket: the same supergraph, the same identity.
      execute: (args) => {
        const context = args.contextValue as OperationContext;
        return options.run({ query: context.query, operationName: args.operationName ?? undefined, variables: context.variables }, context.caller);
      },
      subscribe: async (args) => {
        const { caller, delivery, plan, variables } = args.contextValue as Required<OperationContext>;
        let stopListening: (() => Promise<void>) | undefined;
        const lookup = subscriptionPlan(plan, variables);
        const feed = new LiveFeed({
          capacity: limits.queuedEventsPerSubscription,
          resolve: (id) => resolver.resolve(lookup, id, caller),
          settled: (id) => resolver.settled(lookup, id),
          deliver: (payload) => writeNext(delivery, payload, limits.bufferedBytesPerConnection),
          onDrop: () => {
            droppedEvents += 1;
            logger.debug({ viewerId: caller.viewer?.id }, 'live subscriber too slow: oldest event dropped');
          },
          onEnd: async () => {
            if (!stopListening) return;
            subscriptions -= 1;
            // The subscription is over either way; a channel left subscribed only costs Redis a message now and then.
            await stopListening().catch((error: unknown) => logger.warn({ err: error }, 'could not stop listening for live events'));
          },
        });
        let stop: () => Promise<void>;
        try {
          stop = await options.live.listen(plan.stream, connectionUser(caller), (id) => feed.push(id));
        } catch (error) {
          // One failed subscription, told plainly; the socket and its other subscriptions stay.
          logger.warn({ err: error }, 'could not listen for live events');
          return { errors: [new GraphQLError('Live updates are unavailable right now; subscribe again shortly.', { extensions: { code: 'INTERNAL_SERVER_ERROR' } })] };
        }
        // The client may have gone while the listener was being set up.
        if (feed.isEnded) {
          await stop();
        } else {
          stopListening = stop;
          subscriptions += 1; // counted once it hears events
        }
        return feed;
      },
      // Results come from the supergraph with their errors already formatted, as over HTTP.
      onNext: (_ctx, _id, _payload, _args, result) => result,
      // A refusal is an `error` message for that operation alone, with the codes HTTP would give.
      onError(_ctx, _id, _payload, errors) {
        logger.debug({ errors: errors.map((error) => error.message) }, 'live operation refused');
        return errors.map((error) => options.formatError(error.toJSON(), error));
      },
    },
    wsServer,
    limits.keepAliveMs,
  );

  return {
    stats: () => ({ connections: wsServer.clients.size, subscriptions, droppedEvents }),
    async close() {
      // graphql-ws closes each socket with 1001 (going away); each feed's
      // return() stops its listening.
      await server.dispose();
    },
  };
}

/** How many distinct subscription documents are kept parsed and validated. */
const CACHED_DOCUMENTS = 500;

/**
 * Subscription documents parsed and validated once per schema, and their
 * lookup plans made once per operation. Clients send the same few
 * documents: after a gateway restart, thousands of them reconnect at once
 * with the same one, and validating and planning each again would cost the
 * event loop seconds. Documents that fail are not kept.
 */
class DocumentCache {
  constructor(
    private readonly limits: OperationLimits,
    private readonly introspection: boolean,
  ) {}

  private schema: GraphQLSchema | undefined;
  private readonly valid = new Map<string, DocumentNode>();
  /** By cached document (so they go with it), then by operation name. */
  private readonly plans = new WeakMap<DocumentNode, Map<string, LookupPlan>>();

  /** The lookup plan of a subscription operation of a document this cache returned; throws a GraphQLError if there is none. */
  lookupPlan(schema: GraphQLSchema, document: DocumentNode, operation: OperationDefinitionNode): LookupPlan {
    let byOperation = this.plans.get(document);
    if (!byOperation) {
      byOperation = new Map();
      this.plans.set(document, byOperation);
    }
    const name = operation.name?.value ?? '';
    let plan = byOperation.get(name);
    if (!plan) {
      plan = planLookup(schema, document, operation);
      byOperation.set(name, plan);
    }
    return plan;
  }

  parsedAndValidated(schema: GraphQLSchema, query: string): DocumentNode | readonly GraphQLError[] {
    if (schema !== this.schema) {
      this.schema = schema;
      this.valid.clear();
    }
    const cached = this.valid.get(query);
    if (cached) return cached;
    let document: DocumentNode;
    try {
      document = parseWithinLimits(this.limits, query);
    } catch (error) {
      return [new GraphQLError((error as Error).message, { extensions: { code: 'GRAPHQL_PARSE_FAILED' } })];
    }
    const invalid = validateWithinLimits(this.limits, schema, document, this.introspection);
    if (invalid.length > 0) {
      return invalid.map(
        (error) => new GraphQLError(error.message, { nodes: error.nodes, extensions: { code: 'GRAPHQL_VALIDATION_FAILED', ...error.extensions } }),
      );
    }
    if (this.valid.size >= CACHED_DOCUMENTS) this.valid.delete(this.valid.keys().next().value as string);
    this.valid.set(query, document);
    return document;
  }
}

/**
 * How a token that does not pass closes the socket: 4401 when it is the
 * token's fault (do not retry with it), 1013 when it could not be checked
 * just now (retry shortly, with the same token).
 */
function refusal(error: unknown): [number, string] {
  if (error instanceof DomainError && error.code === 'INTERNAL_SERVER_ERROR') {
    return [LiveCloseCodes.tryAgainLater, `Try again later: ${error.message}`];
  }
  return [LiveCloseCodes.unauthorized, `Unauthorized: ${error instanceof DomainError ? error.message : 'The token is not valid.'}`];
}

/**
 * A frame the socket library refuses (over the size limit, bad UTF-8, a
 * bad opcode) is the client's doing, and ws has already closed that socket
 * with the matching code (1009, 1007, 1002) when it reports the error.
 * graphql-ws would print each to stderr as an internal error, stack and
 * all: a stranger could fill the logs with them. They are logged at debug
 * instead; any other socket error still reaches graphql-ws.
 */
function quietClientFrameErrors(socket: WebSocket, logger: Logger): void {
  const emit = socket.emit.bind(socket);
  socket.emit = ((event: string | symbol, ...args: unknown[]): boolean => {
    const code = (args[0] as { code?: unknown } | undefined)?.code;
    if (event === 'error' && typeof code === 'string' && code.startsWith('WS_ERR_')) {
      logger.debug({ code }, 'a client sent a frame the socket refused; the socket was closed');
      return true;
    }
    return emit(event, ...args);
  }) as WebSocket['emit'];
}

/** Every live connection is signed in: onConnect refuses the rest. */
function connectionUser(caller: Caller): string {
  if (!caller.viewer) throw new Error('a live subscription without a signed-in user');
  return caller.viewer.id;
}

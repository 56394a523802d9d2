import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { type Express } from 'express';
import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { expressMiddleware } from '@as-integrations/express5';
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

/**
 * An Express app with the two probes every Chirp process answers:
 * `/healthz` (the process is up) and `/readyz` (its dependencies answer).
 */
export function createHttpApp(options: Pick<HttpServerOptions, 'checkReady' | 'logger'>): Express {
  const app = express();
  app.disable('x-powered-by');
  app.get('/healthz', (_request, response) => {
    response.json({ status: 'ok' });
  });
  app.get('/readyz', async (_request, response) => {
    try {
      await options.checkReady();
      response.json({ status: 'ready' });
    } catch (error) {
      options.logger.warn({ err: error }, 'readiness check failed');
      response.status(503).json({ status: 'unavailable' });
    }
  });
  return app;
}

export async function listen(server: http.Server, host: string, port: number): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
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
  /** Builds the per-request context (fresh DataLoaders) for a verified viewer. */
  createContext: (viewer: Viewer | null) => Context;
}

/** Every subgraph is served the same way: Apollo Server on Express, probes beside it. */
export async function startSubgraphServer<Context extends object>(
  options: SubgraphServerOptions<Context>,
): Promise<RunningServer> {
  const app = createHttpApp(options);
  const httpServer = http.createServer(app);
  const apollo = new ApolloServer<Context>({
    schema: buildSubgraphSchema({
      typeDefs: options.typeDefs,
      // buildSubgraphSchema is typed for an unknown context; Apollo passes ours at run time.
      resolvers: options.resolvers as GraphQLResolverMap<unknown>,
    }),
    formatError: createErrorFormatter({ exposeInternals: options.exposeInternals }),
    includeStacktraceInErrorResponses: options.exposeInternals,
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer }),
      ApolloServerPluginLandingPageDisabled(),
      // Traces are for Apollo's hosted studio, which Chirp does not report to;
      // HTTP cache hints are not used either. Both cost time on every request.
      ApolloServerPluginInlineTraceDisabled(),
      ApolloServerPluginCacheControlDisabled(),
      logUnexpectedErrors<Context>(options.logger),
    ],
  });
  await apollo.start();
  app.use(
    '/graphql',
    express.json({ limit: '1mb' }),
    expressMiddleware(apollo, {
      context: async ({ req }) => options.createContext(await verifiedViewer(options.tokens, req.headers.authorization)),
    }),
  );
  const port = await listen(httpServer, options.host, options.port);
  options.logger.info({ port }, `${options.name} subgraph listening`);
  return {
    url: `http://${options.host}:${port}/graphql`,
    port,
    close: () => apollo.stop(),
  };
}

/** The token is checked here, by the subgraph itself: a forwarded header is never taken on trust. */
export async function verifiedViewer(tokens: TokenService, header: string | undefined): Promise<Viewer | null> {
  try {
    return await tokens.viewerFromHeader(header);
  } catch (error) {
    const message = error instanceof DomainError ? error.message : 'The token is not valid.';
    throw new GraphQLError(message, { extensions: { code: 'UNAUTHENTICATED', http: { status: 401 } } });
  }
}

/**
 * Domain errors, and errors a subgraph already classified, are the client's
 * business; anything else is ours and gets logged with its stack.
 */
export function logUnexpectedErrors<Context extends object>(logger: Logger): ApolloServerPlugin<Context> {
  return {
    async requestDidStart() {
      return {
        async didEncounterErrors({ errors, operationName }) {
          for (const error of errors) {
            const original = error.originalError;
            const code = error.extensions?.code ?? (original as { extensions?: { code?: unknown } } | undefined)?.extensions?.code;
            const expected = original instanceof DomainError || original instanceof GraphQLError || (typeof code === 'string' && code !== 'INTERNAL_SERVER_ERROR');
            if (original && !expected) {
              logger.error({ err: original, operationName, path: error.path }, 'unexpected error in resolver');
            }
          }
        },
      };
    },
  };
}

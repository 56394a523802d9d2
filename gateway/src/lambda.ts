import { readFileSync } from 'node:fs';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { handlers, startServerAndCreateLambdaHandler } from '@as-integrations/aws-lambda';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import {
  Metrics,
  TokenService,
  connectLiveBus,
  createLogger,
  followSecretRotations,
  lambdaClientAddress,
  lambdaEnvironment,
  perExecutionEnvironment,
} from '@chirp/platform';
import { loadGatewayConfig } from './config.js';
import { createGatewayGraph } from './gateway.js';

/**
 * The gateway's HTTP path as an AWS Lambda function behind an API Gateway
 * HTTP API (payload format 2.0), through @as-integrations/aws-lambda: the
 * same graph as the container (`createGatewayGraph`), made on the first
 * invocation of an execution environment and kept for the next ones.
 *
 * Subscriptions are not served here: a function lives for one invocation,
 * and a WebSocket for hours. On AWS the live edge is the gateway's
 * container, on ECS behind a load balancer (README, "AWS").
 */
const ready = perExecutionEnvironment(async () => {
  const env = await lambdaEnvironment();
  const config = loadGatewayConfig(env);
  const logger = createLogger('gateway', config.logLevel);
  followSecretRotations(env, config, logger);
  const graph = await createGatewayGraph({
    supergraphSdl: readFileSync(config.supergraphPath, 'utf8'),
    subgraphUrls: config.subgraphUrls,
    logger,
    tokens: new TokenService(config.jwt),
    exposeInternals: config.env === 'development',
    // Revoked sessions are heard while the environment runs; the session check's lifetime bounds the rest.
    live: connectLiveBus(config, {}, logger),
    operationLimits: config.operationLimits,
    introspection: config.introspection,
    sessionCheckTtlMs: config.sessionCheckTtlMs,
    subgraphAuth: config.subgraphAuth,
    metrics: new Metrics({ service: 'gateway', emf: config.metricsEmf, logger }),
    // The explorer is the live edge's (its container): not bundled here, and no CDN-hosted page in its place.
    plugins: [ApolloServerPluginLandingPageDisabled()],
  });
  // The integration's types name @apollo/server's CommonJS declarations, ours its ES module ones: the same class.
  const server = graph.apollo as unknown as Parameters<typeof startServerAndCreateLambdaHandler>[0];
  return startServerAndCreateLambdaHandler(server, handlers.createAPIGatewayProxyEventV2RequestHandler(), {
    context: async ({ event }) =>
      graph.context(event.headers.authorization, lambdaClientAddress(event.headers['x-forwarded-for'], event.requestContext.http.sourceIp, config.trustProxyHops)),
  });
});

export async function handler(event: APIGatewayProxyEventV2, context: Context): Promise<APIGatewayProxyStructuredResultV2> {
  const handle = await ready();
  return (await handle(event, context, () => undefined)) as APIGatewayProxyStructuredResultV2;
}

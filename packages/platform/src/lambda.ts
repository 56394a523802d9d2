import { handlers, startServerAndCreateLambdaHandler, type LambdaHandler } from '@as-integrations/aws-lambda';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { TokenService } from './auth.js';
import { loadConfig } from './config.js';
import { connectInfrastructure } from './infrastructure.js';
import { createLogger } from './logger.js';
import { resolveSecrets } from './secrets.js';
import { createSubgraphApollo, verifiedViewer } from './server.js';
import type { SubgraphFactory } from './service.js';

type HttpApiHandler = LambdaHandler<ReturnType<typeof handlers.createAPIGatewayProxyEventV2RequestHandler>>;

/**
 * A subgraph as an AWS Lambda function behind an API Gateway HTTP API
 * (payload format 2.0), through @as-integrations/aws-lambda: the same app
 * and graph as its container (`runSubgraphProcess`), one composition root
 * and two entry points. The app, its connections (MongoDB, Redis, Kafka)
 * and its Apollo Server are made on the first invocation of an execution
 * environment and kept for the next ones. Its background work (consumers,
 * sweepers) is not started: on AWS those are functions of their own, fed
 * by event source mappings and a schedule.
 */
export function subgraphHttpHandler(service: string, factory: SubgraphFactory) {
  let ready: Promise<HttpApiHandler> | undefined;
  const prepare = async (): Promise<HttpApiHandler> => {
    const env = await resolveSecrets(process.env);
    const config = loadConfig(service, 0, env);
    const logger = createLogger(service, config.logLevel);
    const infra = await connectInfrastructure(config, logger);
    const app = await factory({ config, logger, infra });
    const tokens: TokenService = app.graph.tokens ?? new TokenService(config.jwt);
    const apollo = createSubgraphApollo({
      typeDefs: app.graph.typeDefs,
      resolvers: app.graph.resolvers,
      exposeInternals: config.env === 'development',
      logger,
      metrics: infra.metrics,
    });
    // The integration's types name @apollo/server's CommonJS declarations, ours its ES module ones: the same class.
    const server = apollo as unknown as Parameters<typeof startServerAndCreateLambdaHandler>[0];
    return startServerAndCreateLambdaHandler(server, handlers.createAPIGatewayProxyEventV2RequestHandler(), {
      context: async ({ event }) =>
        app.graph.createContext(await verifiedViewer(tokens, event.headers.authorization), {
          // The gateway's caller, as it forwards it; else whoever called the function's URL.
          clientAddress: event.headers['x-forwarded-for']?.split(',').pop()?.trim() || event.requestContext.http.sourceIp,
        }),
    });
  };
  return async (event: APIGatewayProxyEventV2, context: Context): Promise<APIGatewayProxyStructuredResultV2> => {
    // A failed start is not kept: the next invocation tries again.
    ready ??= prepare().catch((error: unknown) => {
      ready = undefined;
      throw error;
    });
    const handle = await ready;
    return (await handle(event, context, () => undefined)) as APIGatewayProxyStructuredResultV2;
  };
}

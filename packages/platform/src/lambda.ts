import { handlers, startServerAndCreateLambdaHandler, type LambdaHandler } from '@as-integrations/aws-lambda';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context, MSKEvent, ScheduledEvent, SelfManagedKafkaEvent } from 'aws-lambda';
import { TokenService } from './auth.js';
import { lambdaClientAddress } from './client-address.js';
import { loadConfig, type ServiceConfig } from './config.js';
import { deserializeEvent, type EventBus, type SubscribeOptions } from './events.js';
import { connectInfrastructure, type Infrastructure } from './infrastructure.js';
import { createLogger, type Logger } from './logger.js';
import { resolveSecrets } from './secrets.js';
import { createSubgraphApollo, verifiedViewer, viewerAuthorization } from './server.js';
import { followSecretRotations, type SubgraphApp, type SubgraphFactory } from './service.js';

type HttpApiHandler = LambdaHandler<ReturnType<typeof handlers.createAPIGatewayProxyEventV2RequestHandler>>;

/** What an execution environment keeps between invocations: the app, its configuration and connections. */
interface Prepared {
  app: SubgraphApp;
  config: ServiceConfig;
  logger: Logger;
  infra: Infrastructure;
}

/** Variables only the Lambda entry points read (besides every service's: SERVICE_ENVIRONMENT_VARIABLES). */
export const LAMBDA_ENVIRONMENT_VARIABLES: readonly string[] = ['KAFKA_CONSUMER_GROUP'];

/**
 * MongoDB connections one execution environment may open. It runs one
 * invocation at a time, whose resolvers and loaders seldom have more than
 * a few queries in flight; and a thousand concurrent environments at 4
 * each stay inside an Atlas cluster's connection limit, where the
 * container's 50 would not. `MONGODB_MAX_POOL_SIZE` overrides it.
 */
export const LAMBDA_MONGODB_POOL_SIZE = 4;

/** The environment as a Lambda function reads it: its secrets resolved, and the Lambda defaults where unset. */
export async function lambdaEnvironment(source: NodeJS.ProcessEnv = process.env): Promise<NodeJS.ProcessEnv> {
  const env = await resolveSecrets(source);
  return { ...env, MONGODB_MAX_POOL_SIZE: env.MONGODB_MAX_POOL_SIZE?.trim() || String(LAMBDA_MONGODB_POOL_SIZE) };
}

/**
 * Runs `prepare` once per execution environment, on its first invocation,
 * and gives its result to the next ones; a failed start is not kept, so the
 * next invocation tries again.
 */
export function perExecutionEnvironment<T>(prepare: () => Promise<T>): () => Promise<T> {
  let ready: Promise<T> | undefined;
  return () =>
    (ready ??= prepare().catch((error: unknown) => {
      ready = undefined;
      throw error;
    }));
}

/** A subgraph's app made once per execution environment (configuration with its secrets, connections, the app), then `then` of it. */
function oncePerEnvironment<T>(service: string, factory: SubgraphFactory, then: (prepared: Prepared) => Promise<T>): () => Promise<T> {
  return perExecutionEnvironment(async () => {
    const env = await lambdaEnvironment();
    const config = loadConfig(service, 0, env);
    const logger = createLogger(service, config.logLevel);
    const infra = await connectInfrastructure(config, logger);
    // Checked while the environment runs (its timers are frozen between invocations).
    followSecretRotations(env, config, logger, infra);
    return then({ app: await factory({ config, logger, infra }), config, logger, infra });
  });
}

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
  const ready = oncePerEnvironment(service, factory, async ({ app, config, logger, infra }): Promise<HttpApiHandler> => {
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
        app.graph.createContext(await verifiedViewer(tokens, viewerAuthorization(event.headers)), {
          // The gateway's caller, as it wrote it (API Gateway is the one proxy after it); else whoever called.
          clientAddress: lambdaClientAddress(event.headers['x-forwarded-for'], event.requestContext.http.sourceIp, 1),
        }),
    });
  });
  return async (event: APIGatewayProxyEventV2, context: Context): Promise<APIGatewayProxyStructuredResultV2> => {
    const handle = await ready();
    return (await handle(event, context, () => undefined)) as APIGatewayProxyStructuredResultV2;
  };
}

/**
 * One of a subgraph's consumer groups as an AWS Lambda function fed by a
 * Kafka event source mapping (Amazon MSK or self-managed Kafka): each
 * batch's records go, in order per partition, to the very handler the
 * container's consumer of that group runs (`group`, or
 * `KAFKA_CONSUMER_GROUP`). The handlers are idempotent, so a batch that
 * fails is simply thrown back: Lambda retries it, then sends it to the
 * mapping's failure destination; nothing is dropped silently. An unreadable
 * record is logged and skipped, as the container does.
 */
export function subgraphKafkaHandler(service: string, factory: SubgraphFactory, group?: string) {
  const ready = oncePerEnvironment(service, factory, async ({ app, config, logger, infra }) => {
    const wanted = group ?? process.env.KAFKA_CONSUMER_GROUP;
    if (!wanted) throw new Error(`${service}: set KAFKA_CONSUMER_GROUP to the consumer group this function runs`);
    return { routes: await consumerRoutes(app, infra.bus, wanted), prefix: config.kafka?.topicPrefix ?? '', logger };
  });
  return async (event: MSKEvent | SelfManagedKafkaEvent): Promise<void> => {
    const { routes, prefix, logger } = await ready();
    // Each partition's records in order; partitions one after another.
    for (const records of Object.values(event.records)) {
      for (const record of records) {
        const topic = record.topic.startsWith(prefix) ? record.topic.slice(prefix.length) : record.topic;
        const route = routes.get(topic);
        if (!route) throw new Error(`${service}: no consumer of this function reads topic ${record.topic}`);
        let envelope;
        try {
          envelope = deserializeEvent(Buffer.from(record.value, 'base64').toString('utf8'));
        } catch (error) {
          logger.error({ err: error, topic, partition: record.partition, offset: record.offset }, 'unreadable event skipped');
          continue;
        }
        await route.handler(envelope, topic);
      }
    }
  };
}

/** The app's consumers of one group, by topic: subscribed to a bus that records them instead of reading Kafka. */
async function consumerRoutes(app: SubgraphApp, bus: EventBus, group: string): Promise<Map<string, SubscribeOptions>> {
  const routes = new Map<string, SubscribeOptions>();
  const groups = new Set<string>();
  const recorder: EventBus = {
    publish: (topic, events) => bus.publish(topic, events),
    ping: () => bus.ping(),
    close: () => bus.close(),
    subscribe: async (options) => {
      groups.add(options.group);
      if (options.group === group) for (const topic of options.topics) routes.set(topic, options);
      return { stop: async () => undefined };
    },
  };
  await app.startConsumers?.(recorder);
  if (routes.size === 0) throw new Error(`${app.name} has no consumer group ${group}; it has: ${[...groups].join(', ') || 'none'}`);
  return routes;
}

/**
 * A subgraph's periodic work (the outbox sweep: changes a crashed function
 * left unpublished; the users subgraph's media sweep too) as a Lambda
 * function an EventBridge schedule invokes, in place of the container's
 * timer. Returns how many items it settled.
 */
export function subgraphScheduledHandler(service: string, factory: SubgraphFactory) {
  const ready = oncePerEnvironment(service, factory, async (prepared) => prepared);
  return async (_event: ScheduledEvent): Promise<{ settled: number }> => {
    const { app, logger } = await ready();
    const settled = (await app.sweep?.()) ?? 0;
    if (settled > 0) logger.info({ settled }, 'scheduled sweep settled what was left');
    return { settled };
  };
}

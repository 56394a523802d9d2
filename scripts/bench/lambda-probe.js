// Child process of the Lambda step (measure-lambda.js): what a subgraph
// function's first invocation makes before it can answer, step by step, in a
// fresh process as an execution environment is, with the function's
// environment: the configuration (its secrets resolved, the Lambda pool
// size), the connections (`connectInfrastructure`: MongoDB's is awaited,
// Redis's opens meanwhile and is waited for with a PING), the app (its
// repositories ensure their indexes), Apollo Server (the subgraph schema
// built and started), in the order `subgraphHttpHandler` makes them. Then
// Kafka, which a read never connects to (the producer connects on its
// first publish). The modules are imported first and not timed: the cold
// start's module load covers them. The code is the built packages', the
// zips' bundles are made from.
//
//   node lambda-probe.js <service>   → sends { times: { config, mongodb, redis, app, apollo, kafka } } (ms)

import { connectInfrastructure, createLogger, createSubgraphApollo, lambdaEnvironment, loadConfig } from '@chirp/platform';

const FACTORIES = {
  users: ['@chirp/users', 'createUsersSubgraph'],
  tweets: ['@chirp/tweets', 'createTweetsSubgraph'],
  timeline: ['@chirp/timeline', 'createTimelineSubgraph'],
  notifications: ['@chirp/notifications', 'createNotificationsSubgraph'],
};

const service = process.argv[2] ?? '';
if (!Object.hasOwn(FACTORIES, service)) throw new Error(`lambda-probe: no subgraph ${service}`);
const [pkg, exported] = FACTORIES[/** @type {keyof typeof FACTORIES} */ (service)];
const factory = (await import(pkg))[exported];

/** @type {Record<string, number>} */
const times = {};
let last = performance.now();
const lap = (/** @type {string} */ step) => {
  const now = performance.now();
  times[step] = now - last;
  last = now;
};

const config = loadConfig(service, 0, await lambdaEnvironment());
const logger = createLogger(service, config.logLevel);
lap('config');
const infra = await connectInfrastructure(config, logger);
lap('mongodb');
await infra.cache.ping();
lap('redis');
const app = await factory({ config, logger, infra });
lap('app');
const apollo = createSubgraphApollo({ typeDefs: app.graph.typeDefs, resolvers: app.graph.resolvers, exposeInternals: false, logger, metrics: infra.metrics });
await apollo.start();
lap('apollo');
await infra.bus.ping();
lap('kafka');
process.send?.({ times });
await apollo.stop().catch(() => {});
await infra.close().catch(() => {});
process.exit(0);

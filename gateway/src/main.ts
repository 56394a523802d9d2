import { readFileSync } from 'node:fs';
import {
  Metrics,
  TokenService,
  connectLiveBus,
  createLogger,
  followSecretRotations,
  resolveSecrets,
  runInWorkers,
  stopOnSignals,
  warnAboutDevelopmentKey,
} from '@chirp/platform';
import { loadGatewayConfig } from './config.js';
import { startGateway } from './gateway.js';

const env = await resolveSecrets(process.env);
const config = loadGatewayConfig(env);
const logger = createLogger('gateway', config.logLevel);
await runInWorkers(config.workers, logger, async () => {
  warnAboutDevelopmentKey(config, logger);
  const secrets = followSecretRotations(env, config, logger);
  const live = connectLiveBus(config, {}, logger);
  const metrics = new Metrics({ service: 'gateway', emf: config.metricsEmf, logger });
  const server = await startGateway({
    supergraphSdl: readFileSync(config.supergraphPath, 'utf8'),
    subgraphUrls: config.subgraphUrls,
    host: config.host,
    port: config.port,
    logger,
    tokens: new TokenService(config.jwt),
    exposeInternals: config.env === 'development',
    live,
    liveLimits: config.liveLimits,
    operationLimits: config.operationLimits,
    introspection: config.introspection,
    trustProxyHops: config.trustProxyHops,
    sessionCheckTtlMs: config.sessionCheckTtlMs,
    subgraphAuth: config.subgraphAuth,
    media: config.media,
    metrics,
  });
  stopOnSignals(logger, async () => {
    secrets.stop();
    await server.close();
    await metrics.close();
    await live.close();
  });
});

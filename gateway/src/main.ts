import { readFileSync } from 'node:fs';
import { TokenService, connectLiveBus, createLogger, runInWorkers, stopOnSignals, warnAboutDevelopmentKey } from '@chirp/platform';
import { loadGatewayConfig } from './config.js';
import { startGateway } from './gateway.js';

const config = loadGatewayConfig();
const logger = createLogger('gateway', config.logLevel);
await runInWorkers(config.workers, logger, async () => {
  warnAboutDevelopmentKey(config, logger);
  const live = connectLiveBus(config, {}, logger);
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
    media: config.media,
  });
  stopOnSignals(logger, async () => {
    await server.close();
    await live.close();
  });
});

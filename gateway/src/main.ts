import {
  connectLiveBus,
  createLogger,
  followSecretRotations,
  resolveSecrets,
  runInWorkers,
  stopOnSignals,
  warnAboutDevelopmentKey,
} from '@chirp/platform';
import { loadGatewayConfig } from './config.js';
import { gatewayOptionsFrom, startGateway } from './gateway.js';

const env = await resolveSecrets(process.env);
const config = loadGatewayConfig(env);
const logger = createLogger('gateway', config.logLevel);
await runInWorkers(config.workers, logger, async () => {
  warnAboutDevelopmentKey(config, logger);
  const secrets = followSecretRotations(env, config, logger);
  const live = connectLiveBus(config, {}, logger);
  const options = gatewayOptionsFrom(config, { logger, live });
  const server = await startGateway(options);
  stopOnSignals(logger, async () => {
    secrets.stop();
    await server.close();
    await options.metrics?.close();
    await live.close();
  });
});

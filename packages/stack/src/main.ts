import { ConfigurationError, createLogger, runInWorkers, stopOnSignals } from '@chirp/platform';
import { loadGatewayConfig } from '@chirp/gateway';
import { describeStart, startStack } from './stack.js';

const config = loadGatewayConfig();
const logger = createLogger('chirp', config.logLevel);
const inMemory = !config.mongo || !config.redis || !config.kafka;
if (config.workers > 1 && inMemory) {
  // Each worker would hold data of its own: a post in one, a timeline read in another.
  throw new ConfigurationError('WORKERS above 1 needs MONGODB_URL, REDIS_URL and KAFKA_BROKERS: in-memory data cannot be shared between processes.');
}
await runInWorkers(config.workers, logger, async () => {
  const stack = await startStack();
  describeStart(stack, logger);
  stopOnSignals(logger, () => stack.stop());
});

import { createLogger, stopOnSignals } from '@chirp/platform';
import { describeStart, startStack } from './stack.js';

const logger = createLogger('chirp', process.env.LOG_LEVEL ?? 'info');
const stack = await startStack();
describeStart(stack, logger);
stopOnSignals(logger, () => stack.stop());

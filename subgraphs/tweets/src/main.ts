import { runSubgraphProcess } from '@chirp/platform';
import { DEFAULT_PORT, SERVICE, createTweetsSubgraph } from './app.js';

await runSubgraphProcess(SERVICE, DEFAULT_PORT, createTweetsSubgraph);

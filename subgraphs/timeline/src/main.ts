import { runSubgraphProcess } from '@chirp/platform';
import { DEFAULT_PORT, SERVICE, createTimelineSubgraph } from './app.js';

await runSubgraphProcess(SERVICE, DEFAULT_PORT, createTimelineSubgraph);

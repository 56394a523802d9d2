import { runSubgraphProcess } from '@chirp/platform';
import { DEFAULT_PORT, SERVICE, createNotificationsSubgraph } from './app.js';

await runSubgraphProcess(SERVICE, DEFAULT_PORT, createNotificationsSubgraph);

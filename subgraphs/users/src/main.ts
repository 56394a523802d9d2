import { runSubgraphProcess } from '@chirp/platform';
import { DEFAULT_PORT, SERVICE, createUsersSubgraph } from './app.js';

await runSubgraphProcess(SERVICE, DEFAULT_PORT, createUsersSubgraph);

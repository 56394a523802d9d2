import { subgraphHttpHandler } from '@chirp/platform';
import { createUsersSubgraph, SERVICE } from './app.js';

/** The users subgraph as an AWS Lambda function behind an API Gateway HTTP API (see subgraphHttpHandler). */
export const handler = subgraphHttpHandler(SERVICE, createUsersSubgraph);

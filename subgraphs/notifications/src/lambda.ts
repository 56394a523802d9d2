import { subgraphHttpHandler } from '@chirp/platform';
import { createNotificationsSubgraph, SERVICE } from './app.js';

/** The notifications subgraph as an AWS Lambda function behind an API Gateway HTTP API (see subgraphHttpHandler). */
export const handler = subgraphHttpHandler(SERVICE, createNotificationsSubgraph);

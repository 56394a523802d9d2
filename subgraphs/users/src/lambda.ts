import { subgraphHttpHandler, subgraphScheduledHandler } from '@chirp/platform';
import { createUsersSubgraph, SERVICE } from './app.js';

/** The users subgraph as an AWS Lambda function behind an API Gateway HTTP API (see subgraphHttpHandler). */
export const handler = subgraphHttpHandler(SERVICE, createUsersSubgraph);

/** Its outbox sweep and media sweep, run by an EventBridge schedule (see subgraphScheduledHandler). */
export const sweeper = subgraphScheduledHandler(SERVICE, createUsersSubgraph);

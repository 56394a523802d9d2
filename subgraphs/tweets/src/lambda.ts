import { subgraphHttpHandler, subgraphScheduledHandler } from '@chirp/platform';
import { createTweetsSubgraph, SERVICE } from './app.js';

/** The tweets subgraph as an AWS Lambda function behind an API Gateway HTTP API (see subgraphHttpHandler). */
export const handler = subgraphHttpHandler(SERVICE, createTweetsSubgraph);

/** Its outbox sweep, run by an EventBridge schedule (see subgraphScheduledHandler). */
export const sweeper = subgraphScheduledHandler(SERVICE, createTweetsSubgraph);

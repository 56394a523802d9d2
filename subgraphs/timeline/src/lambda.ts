import { subgraphHttpHandler } from '@chirp/platform';
import { createTimelineSubgraph, SERVICE } from './app.js';

/** The timeline subgraph as an AWS Lambda function behind an API Gateway HTTP API (see subgraphHttpHandler). */
export const handler = subgraphHttpHandler(SERVICE, createTimelineSubgraph);

import { subgraphHttpHandler } from '@chirp/platform';
import { createTweetsSubgraph, SERVICE } from './app.js';

/** The tweets subgraph as an AWS Lambda function behind an API Gateway HTTP API (see subgraphHttpHandler). */
export const handler = subgraphHttpHandler(SERVICE, createTweetsSubgraph);

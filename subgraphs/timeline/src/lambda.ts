import { subgraphHttpHandler, subgraphKafkaHandler } from '@chirp/platform';
import { createTimelineSubgraph, SERVICE } from './app.js';

/** The timeline subgraph as an AWS Lambda function behind an API Gateway HTTP API (see subgraphHttpHandler). */
export const handler = subgraphHttpHandler(SERVICE, createTimelineSubgraph);

/** One of its consumer groups (KAFKA_CONSUMER_GROUP) as a Lambda function fed by a Kafka event source mapping (see subgraphKafkaHandler). */
export const consumer = subgraphKafkaHandler(SERVICE, createTimelineSubgraph);

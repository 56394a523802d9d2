import { subgraphHttpHandler, subgraphKafkaHandler } from '@chirp/platform';
import { createNotificationsSubgraph, SERVICE } from './app.js';

/** The notifications subgraph as an AWS Lambda function behind an API Gateway HTTP API (see subgraphHttpHandler). */
export const handler = subgraphHttpHandler(SERVICE, createNotificationsSubgraph);

/** One of its consumer groups (KAFKA_CONSUMER_GROUP) as a Lambda function fed by a Kafka event source mapping (see subgraphKafkaHandler). */
export const consumer = subgraphKafkaHandler(SERVICE, createNotificationsSubgraph);

import type { APIGatewayProxyEventV2, MSKEvent, ScheduledEvent } from 'aws-lambda';
import { serializeEvent, type EventEnvelope } from '@chirp/platform';

/**
 * Events as AWS hands them to a function, for invoking Lambda handlers in
 * tests and the benchmark: an API Gateway HTTP API request (payload format
 * 2.0), a Kafka event source mapping's batch (Amazon MSK), an EventBridge
 * schedule's tick.
 */

export interface HttpApiRequest {
  body: object;
  token?: string;
  /** The route's path: `/graphql` for the gateway, `/subgraphs/<name>/graphql` for a subgraph. */
  path?: string;
  /** X-Forwarded-For as it reaches the function (API Gateway appends the source IP). */
  forwardedFor?: string;
  sourceIp?: string;
}

/** An API Gateway HTTP API event for a POST, as its payload format 2.0 has it. */
export function httpApiEvent({ body, token, path = '/graphql', sourceIp = '203.0.113.9', forwardedFor = sourceIp }: HttpApiRequest): APIGatewayProxyEventV2 {
  const now = Date.now();
  const routeKey = `POST ${path}`;
  return {
    version: '2.0',
    routeKey,
    rawPath: path,
    rawQueryString: '',
    headers: { 'content-type': 'application/json', 'x-forwarded-for': forwardedFor, ...(token ? { authorization: `Bearer ${token}` } : {}) },
    requestContext: {
      accountId: '123456789012',
      apiId: 'chirpapi',
      domainName: 'chirpapi.execute-api.us-east-1.amazonaws.com',
      domainPrefix: 'chirpapi',
      http: { method: 'POST', path, protocol: 'HTTP/1.1', sourceIp, userAgent: 'chirp-tests' },
      requestId: `req-${now}-${Math.random().toString(36).slice(2)}`,
      routeKey,
      stage: '$default',
      time: new Date(now).toUTCString(),
      timeEpoch: now,
    },
    body: JSON.stringify(body),
    isBase64Encoded: false,
  };
}

/** A Kafka event source mapping's batch (Amazon MSK): one partition's records, values base64-encoded as Lambda gives them. */
export function mskEvent(topic: string, envelopes: readonly EventEnvelope[], options: { topicPrefix?: string; partition?: number; firstOffset?: number } = {}): MSKEvent {
  const fullTopic = `${options.topicPrefix ?? ''}${topic}`;
  const partition = options.partition ?? 0;
  return {
    eventSource: 'aws:kafka',
    eventSourceArn: 'arn:aws:kafka:us-east-1:123456789012:cluster/chirp/abc',
    bootstrapServers: 'b-1.chirp.kafka.us-east-1.amazonaws.com:9098',
    records: {
      [`${fullTopic}-${partition}`]: envelopes.map((envelope, index) => ({
        topic: fullTopic,
        partition,
        offset: (options.firstOffset ?? 0) + index,
        timestamp: Date.now(),
        timestampType: 'CREATE_TIME',
        key: Buffer.from(envelope.key).toString('base64'),
        value: Buffer.from(serializeEvent(envelope)).toString('base64'),
        headers: [],
      })),
    },
  };
}

/** An EventBridge scheduled event, as a schedule rule invokes a function with it. */
export function scheduledEvent(rule = 'chirp-sweep'): ScheduledEvent {
  return {
    version: '0',
    id: `sched-${Date.now()}`,
    'detail-type': 'Scheduled Event',
    source: 'aws.events',
    account: '123456789012',
    time: new Date().toISOString(),
    region: 'us-east-1',
    resources: [`arn:aws:events:us-east-1:123456789012:rule/${rule}`],
    detail: {},
  };
}

import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { MongoClient } from 'mongodb';
import {
  DEVELOPMENT_JWT_SECRET,
  EventTypes,
  KafkaEventBus,
  TokenService,
  Topics,
  createLogger,
  newId,
  subgraphHttpHandler,
  subgraphKafkaHandler,
  type EventEnvelope,
} from '@chirp/platform';
import { eventually, httpApiEvent, isolatedEnvironment, mskEvent as kafkaBatch, scheduledEvent } from '@chirp/testing';
import { AUTHORS_GROUP, FANOUT_GROUP, FOLLOW_GRAPH_GROUP, SERVICE as TIMELINE, createTimelineSubgraph } from '@chirp/timeline';
import { MongoUserRepository } from '@chirp/users';
import { handler as usersHandler, sweeper as usersSweeper } from '@chirp/users/lambda';
import { handler as tweetsHandler } from '@chirp/tweets/lambda';

/**
 * The subgraphs as Lambda functions: their handlers invoked with API
 * Gateway HTTP API (payload 2.0) events, as AWS would, on the real servers.
 * The same app and graph as their containers; the environment is read at
 * the first invocation, and what it connects is kept for the next.
 */
const saved = { ...process.env };
beforeAll(() => {
  Object.assign(process.env, isolatedEnvironment());
});
afterAll(() => {
  for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
  Object.assign(process.env, saved);
});

const context = { functionName: 'chirp-users', awsRequestId: 'test', getRemainingTimeInMillis: () => 30_000 } as unknown as Context;

async function invoke(handler: (event: APIGatewayProxyEventV2, context: Context) => ReturnType<typeof usersHandler>, body: object, token?: string) {
  const result = await handler(httpApiEvent({ body, ...(token ? { token } : {}) }), context);
  return { status: result.statusCode, body: JSON.parse(String(result.body)) as { data?: any; errors?: Array<{ extensions: { code: string } }> } };
}

it('answers GraphQL as the container does: sign up, who am I, post, and the errors', async () => {
  const handle = `l${Date.now().toString(36).slice(-8)}`;
  const signUp = await invoke(usersHandler, {
    query: 'mutation($input: SignUpInput!) { signUp(input: $input) { token user { id handle } } }',
    variables: { input: { handle, email: `${handle}@example.com`, password: 'password123', firstName: 'Lambda', lastName: 'User' } },
  });
  expect(signUp.status).toBe(200);
  const { token, user } = signUp.body.data.signUp;
  expect(user.handle).toBe(handle);
  const me = await invoke(usersHandler, { query: '{ me { id handle } }' }, token);
  expect(me.body.data.me).toEqual({ id: user.id, handle });
  const post = await invoke(tweetsHandler, { query: 'mutation { postTweet(text: "from a Lambda function") { id text } }' }, token);
  expect(post.body.data.postTweet.text).toBe('from a Lambda function');
  const refused = await invoke(tweetsHandler, { query: 'mutation { postTweet(text: "  ") { id } }' }, token);
  expect(refused.body.errors?.[0]?.extensions.code).toBe('BAD_USER_INPUT');
  const stranger = await invoke(usersHandler, { query: '{ me { id } }' }, 'not-a-token');
  expect(stranger.body.errors?.[0]?.extensions.code).toBe('UNAUTHENTICATED');
});

const mskEvent = (topic: string, envelopes: EventEnvelope[]) => kafkaBatch(topic, envelopes, { topicPrefix: process.env.KAFKA_TOPIC_PREFIX ?? '' });

it('runs each consumer group as its own function fed by Kafka event source mappings, redelivery changing nothing', async () => {
  const consumer = (group: string) => subgraphKafkaHandler(TIMELINE, createTimelineSubgraph, group);
  const [follows, authors, fanout] = [consumer(FOLLOW_GRAPH_GROUP), consumer(AUTHORS_GROUP), consumer(FANOUT_GROUP)];
  const timeline = subgraphHttpHandler(TIMELINE, createTimelineSubgraph);
  const [author, reader, tweetId] = [newId(), newId(), newId()];
  const at = new Date().toISOString();
  const envelope = <T>(id: string, type: string, key: string, payload: T): EventEnvelope => ({ id, type, occurredAt: at, key, payload });
  await follows(mskEvent(Topics.userFollows, [envelope(`f:${reader}:${author}:1`, EventTypes.userFollowed, reader, {
    followerId: reader, followeeId: author, active: true, seq: 1, changedAt: at,
  })]));
  await authors(mskEvent(Topics.userProfiles, [envelope(`user:${author}:v1`, EventTypes.userProfileChanged, author, {
    userId: author, version: 1, handle: 'msk_author', firstName: 'Msk', lastName: 'Author', avatarUrl: null, bannerUrl: null, bio: null, createdAt: at,
  })]));
  const posted = mskEvent(Topics.tweets, [envelope(`tweet:${tweetId}:v1`, EventTypes.tweetPosted, tweetId, {
    tweetId, authorId: author, version: 1, text: 'delivered by an event source mapping', createdAt: at, editedAt: null, deleted: false,
  })]);
  await fanout(posted);
  await fanout(posted); // Lambda retries a batch: the same records again
  const token = await new TokenService({ secret: DEVELOPMENT_JWT_SECRET, issuer: 'chirp', ttlSeconds: 60 }).issue({ id: reader, handle: 'reader' });
  const home = await invoke(timeline, { query: '{ homeTimeline(first: 5) { edges { node { id text author { handle } } } } }' }, token);
  expect(home.body.data.homeTimeline.edges).toEqual([{ node: { id: tweetId, text: 'delivered by an event source mapping', author: { handle: 'msk_author' } } }]);
});

const scheduled = () => scheduledEvent('chirp-users-sweep');

it('publishes on a schedule what a function left in its outbox', async () => {
  // A user written with its change pending, as a function that died before publishing leaves it.
  const env = process.env;
  const client = await MongoClient.connect(String(env.MONGODB_URL));
  const id = newId();
  try {
    await new MongoUserRepository(client.db(`${env.MONGODB_DB_PREFIX}_users`)).create({
      id, handle: `o${id.slice(-10)}`, email: `o${id}@example.com`, passwordHash: 'x', firstName: 'Out', lastName: 'Box', birthDate: null,
      createdAt: new Date(Date.now() - 60_000),
    });
  } finally {
    await client.close();
  }
  const heard: string[] = [];
  const bus = new KafkaEventBus({ brokers: String(env.KAFKA_BROKERS).split(','), clientId: 'lambda-test', topicPrefix: String(env.KAFKA_TOPIC_PREFIX) }, createLogger('test', 'silent'));
  try {
    await bus.subscribe({ group: `spy-${id}`, topics: [Topics.userProfiles], handler: async (event) => void heard.push(event.id) });
    const { settled } = await usersSweeper(scheduled());
    expect(settled).toBeGreaterThanOrEqual(1);
    await eventually(() => expect(heard).toContain(`user:${id}:v1`));
    expect((await usersSweeper(scheduled())).settled).toBe(0); // published: nothing left
  } finally {
    await bus.close();
  }
});

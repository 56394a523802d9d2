import { execFileSync } from 'node:child_process';
import sharp from 'sharp';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { KafkaEventBus, Topics, createLogger, newId, type EventEnvelope, type Topic } from '@chirp/platform';
import {
  GraphQLClient,
  eventually,
  isolatedEnvironment,
  mskEvent,
  postUploadForm,
  realS3,
  scheduledEvent,
  signUpThroughGateway,
  startLambdaFunction,
  startLocalHttpApi,
  uniqueBucket,
  unpackZip,
  type LambdaFunction,
  type LocalHttpApi,
} from '@chirp/testing';
import { AUTHORS_GROUP, FANOUT_GROUP, FOLLOW_GRAPH_GROUP } from '@chirp/timeline';
import { NOTIFICATIONS_GROUP } from '@chirp/notifications';

/**
 * The zips `npm run package:lambda` makes, as AWS runs them: each unpacked
 * and its handlers loaded from it, each in a process of its own, behind an
 * HTTP API that hands them payload 2.0 events; the consumers given the
 * Kafka batches an event source mapping would give them. Nothing here
 * comes from the sources or dist/: if a bundle misses a file or a package,
 * these fail.
 */
const root = fileURLToPath(new URL('../../../', import.meta.url));
const SERVICES = ['gateway', 'users', 'tweets', 'timeline', 'notifications'] as const;
const SUBGRAPHS = SERVICES.filter((service) => service !== 'gateway');
/** Lambda's limits on a function's code, uploaded directly: 50 MB zipped, 250 MB unpacked. */
const LAMBDA_ZIP_LIMIT = 50 * 1_048_576;
const LAMBDA_UNPACKED_LIMIT = 250 * 1_048_576;

const s3 = realS3();
/** What each function's configuration gives it, as the template does on AWS; pictures in S3 (moto). */
const env: NodeJS.ProcessEnv = {
  ...isolatedEnvironment(),
  NODE_ENV: 'test',
  MEDIA_STORAGE: 's3',
  S3_BUCKET: uniqueBucket('zips'),
  S3_ENDPOINT: s3.endpoint,
  AWS_ACCESS_KEY_ID: process.env.AWS_ACCESS_KEY_ID,
  AWS_SECRET_ACCESS_KEY: process.env.AWS_SECRET_ACCESS_KEY,
};
const work = mkdtempSync(path.join(tmpdir(), 'chirp-zips-'));
const unpacked = (service: string) => path.join(work, service);
const started: LambdaFunction[] = [];
const functions = {} as Record<string, LambdaFunction>;
let api: LocalHttpApi;
let anonymous: GraphQLClient;

async function start(service: string, handler: string, extra: NodeJS.ProcessEnv = {}): Promise<LambdaFunction> {
  const fn = await startLambdaFunction(unpacked(service), handler, { ...env, ...extra });
  started.push(fn);
  return fn;
}

beforeAll(async () => {
  execFileSync(process.execPath, [path.join(root, 'scripts/package/lambda.js'), '--out', path.join(work, 'zips')], { stdio: 'pipe' });
  for (const service of SERVICES) unpackZip(path.join(work, 'zips', `${service}.zip`), unpacked(service));
  const routes: Record<string, LambdaFunction> = {};
  for (const name of SUBGRAPHS) routes[`/subgraphs/${name}/graphql`] = functions[name] = await start(name, 'handler');
  api = await startLocalHttpApi(routes);
  const subgraphUrls = Object.fromEntries(SUBGRAPHS.map((name) => [`${name.toUpperCase()}_URL`, `${api.url}/subgraphs/${name}/graphql`]));
  routes['/graphql'] = functions.gateway = await start('gateway', 'handler', subgraphUrls);
  anonymous = new GraphQLClient(`${api.url}/graphql`);
}, 180_000);

afterAll(async () => {
  await Promise.all(started.map((fn) => fn.stop()));
  await api?.close();
  rmSync(work, { recursive: true, force: true });
});

it('packs each service within what Lambda takes, and reports the sizes', () => {
  const sizes = JSON.parse(readFileSync(path.join(work, 'zips', 'sizes.json'), 'utf8')) as Array<{ service: string; zipBytes: number; unpackedBytes: number }>;
  expect(sizes.map((size) => size.service).sort()).toEqual([...SERVICES].sort());
  for (const size of sizes) {
    expect(size.zipBytes).toBeLessThan(LAMBDA_ZIP_LIMIT);
    expect(size.unpackedBytes).toBeLessThan(LAMBDA_UNPACKED_LIMIT);
  }
});

/** Every event the functions publish, by topic, as the event source mappings would read them. */
async function spyOnTopics() {
  const heard = new Map<Topic, EventEnvelope[]>();
  const bus = new KafkaEventBus({ brokers: String(env.KAFKA_BROKERS).split(','), clientId: 'zip-test', topicPrefix: String(env.KAFKA_TOPIC_PREFIX) }, createLogger('test', 'silent'));
  const topics = [Topics.userFollows, Topics.userProfiles, Topics.tweets, Topics.tweetLikes];
  await bus.subscribe({ group: `zip-spy-${newId()}`, topics, handler: async (event, topic) => void heard.set(topic as Topic, [...(heard.get(topic as Topic) ?? []), event]) });
  return { heard, close: () => bus.close() };
}

/** A consumer group's function given what was heard on its topic, as one batch. */
async function deliver(group: string, service: 'timeline' | 'notifications', topic: Topic, events: EventEnvelope[]): Promise<void> {
  const fn = (functions[`consumer:${group}`] ??= await start(service, 'consumer', { KAFKA_CONSUMER_GROUP: group }));
  await fn.invoke(mskEvent(topic, events, { topicPrefix: String(env.KAFKA_TOPIC_PREFIX) }));
}

it('serves the API from the zips: sign up, follow, post, a live home timeline, a like and its notification', async () => {
  const spy = await spyOnTopics();
  try {
    const [author, reader] = [await signUpThroughGateway(anonymous), await signUpThroughGateway(anonymous)];
    await reader.client.data('mutation($id: ID!) { follow(userId: $id) { id } }', { id: author.id });
    const { postTweet } = await author.client.data('mutation { postTweet(text: "packed, zipped, invoked") { id } }');
    await reader.client.data('mutation($id: ID!) { likeTweet(id: $id) { id } }', { id: postTweet.id });
    await eventually(() => {
      for (const topic of [Topics.userFollows, Topics.userProfiles, Topics.tweets, Topics.tweetLikes]) expect(spy.heard.get(topic)?.length).toBeGreaterThan(0);
    });
    const heard = (topic: Topic) => spy.heard.get(topic) ?? [];
    await deliver(FOLLOW_GRAPH_GROUP, 'timeline', Topics.userFollows, heard(Topics.userFollows));
    await deliver(AUTHORS_GROUP, 'timeline', Topics.userProfiles, heard(Topics.userProfiles));
    await deliver(FANOUT_GROUP, 'timeline', Topics.tweets, heard(Topics.tweets));
    for (const topic of [Topics.userFollows, Topics.tweets, Topics.tweetLikes]) await deliver(NOTIFICATIONS_GROUP, 'notifications', topic, heard(topic));

    const { homeTimeline } = await reader.client.data('{ homeTimeline(first: 5) { edges { node { id text author { handle } } } } }');
    expect(homeTimeline.edges).toEqual([{ node: { id: postTweet.id, text: 'packed, zipped, invoked', author: { handle: author.handle } } }]);
    const { notifications } = await author.client.data('{ notifications(first: 5) { edges { node { kind actor { handle } } } } }');
    expect(notifications.edges.map((edge: { node: unknown }) => edge.node)).toEqual([
      { kind: 'LIKE', actor: { handle: reader.handle } },
      { kind: 'FOLLOW', actor: { handle: reader.handle } },
    ]);
  } finally {
    await spy.close();
  }
});

it('answers errors from the zips as the containers do', async () => {
  expect((await anonymous.as('not-a-token').error('{ me { id } }')).code).toBe('UNAUTHENTICATED');
  expect((await anonymous.error('mutation { postTweet(text: "x") { id } }')).code).toBe('UNAUTHENTICATED');
  const account = await signUpThroughGateway(anonymous);
  expect((await account.client.error('mutation { postTweet(text: "   ") { id } }')).code).toBe('BAD_USER_INPUT');
});

it('sets an avatar through the zips: the image worker and sharp\'s binaries come from the users zip', async () => {
  const account = await signUpThroughGateway(anonymous);
  const bytes = await sharp({ create: { width: 640, height: 480, channels: 3, background: { r: 20, g: 90, b: 160 } } }).png().toBuffer();
  const { createMediaUpload: form } = await account.client.data(
    'mutation($size: Int!) { createMediaUpload(kind: AVATAR, contentType: "image/png", byteSize: $size) { id url fields { name value } expiresAt } }',
    { size: bytes.length },
  );
  const fields = Object.fromEntries((form.fields as Array<{ name: string; value: string }>).map((field) => [field.name, field.value]));
  expect((await postUploadForm({ url: form.url, fields, expiresAt: new Date(form.expiresAt) }, bytes, 'image/png')).status).toBeLessThan(300);
  const { setAvatar } = await account.client.data('mutation($id: ID!) { setAvatar(uploadId: $id) { large: avatarUrl(size: 400) } }', { id: form.id });
  // Moto, like S3, wants a signed read of a private object; it checks no signature.
  const picture = await fetch(setAvatar.large, { headers: { authorization: 'AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=0' } });
  const { format, width, height } = await sharp(Buffer.from(await picture.arrayBuffer())).metadata();
  expect([format, width, height]).toEqual(['webp', 400, 400]);
});

it('runs the outbox sweep from the zips on a schedule', async () => {
  for (const service of ['users', 'tweets']) {
    const sweeper = await start(service, 'sweeper');
    const { result } = await sweeper.invoke<{ settled: number }>(scheduledEvent(`chirp-${service}-sweep`));
    expect(result.settled).toBeGreaterThanOrEqual(0);
  }
});

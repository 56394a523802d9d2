import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { isolatedEnvironment } from '@chirp/testing';
import { handler as usersHandler } from '@chirp/users/lambda';
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

/** An API Gateway HTTP API event for POST /graphql, as its payload format 2.0 has it. */
function httpApiEvent(body: object, token?: string): APIGatewayProxyEventV2 {
  const now = Date.now();
  return {
    version: '2.0',
    routeKey: 'POST /graphql',
    rawPath: '/graphql',
    rawQueryString: '',
    headers: { 'content-type': 'application/json', 'x-forwarded-for': '203.0.113.9', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    requestContext: {
      accountId: '123456789012',
      apiId: 'chirpapi',
      domainName: 'chirpapi.execute-api.us-east-1.amazonaws.com',
      domainPrefix: 'chirpapi',
      http: { method: 'POST', path: '/graphql', protocol: 'HTTP/1.1', sourceIp: '203.0.113.9', userAgent: 'jest' },
      requestId: `req-${now}`,
      routeKey: 'POST /graphql',
      stage: '$default',
      time: new Date(now).toUTCString(),
      timeEpoch: now,
    },
    body: JSON.stringify(body),
    isBase64Encoded: false,
  };
}

const context = { functionName: 'chirp-users', awsRequestId: 'test', getRemainingTimeInMillis: () => 30_000 } as unknown as Context;

async function invoke(handler: typeof usersHandler, body: object, token?: string) {
  const result = await handler(httpApiEvent(body, token), context);
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

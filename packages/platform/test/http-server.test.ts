import { ApolloServer } from '@apollo/server';
import { createHttpServer, createLogger, listen, type ChirpHttpServer } from '@chirp/platform';

/** The HTTP layer every process serves GraphQL and its probes through. */
describe('createHttpServer', () => {
  let web: ChirpHttpServer;
  let apollo: ApolloServer<{ caller: string }>;
  let base: string;
  let ready = true;

  beforeAll(async () => {
    web = createHttpServer({
      logger: createLogger('test', 'silent'),
      checkReady: async () => {
        if (!ready) throw new Error('a dependency is down');
      },
    });
    apollo = new ApolloServer<{ caller: string }>({
      typeDefs: 'type Query { caller: String! echo(text: String!): String! }',
      resolvers: { Query: { caller: (_root, _args, context) => context.caller, echo: (_root, args) => args.text } },
    });
    await apollo.start();
    web.serveGraphQL(apollo, async (request) => ({ caller: request.headers.authorization ?? 'anonymous' }));
    base = `http://127.0.0.1:${await listen(web.server, '127.0.0.1', 0)}`;
  });

  afterAll(async () => {
    await apollo.stop();
    await new Promise((resolve) => web.server.close(resolve));
  });

  const post = (body: string, headers: Record<string, string> = {}) =>
    fetch(`${base}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });

  it('runs a query with a context built from the request', async () => {
    const response = await post(JSON.stringify({ query: '{ caller }' }), { authorization: 'Bearer x' });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ data: { caller: 'Bearer x' } });
  });

  it('answers GET queries and passes variables', async () => {
    const query = encodeURIComponent('query($t: String!) { echo(text: $t) }');
    const variables = encodeURIComponent(JSON.stringify({ t: 'hi' }));
    const response = await fetch(`${base}/graphql?query=${query}&variables=${variables}`, { headers: { 'apollo-require-preflight': '1' } });
    expect(await response.json()).toEqual({ data: { echo: 'hi' } });
  });

  it('refuses a body that is not JSON with BAD_USER_INPUT', async () => {
    const response = await post('{"query": ');
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      errors: [{ message: 'The request body is not valid JSON.', extensions: { code: 'BAD_USER_INPUT' } }],
    });
  });

  it('refuses a body over 1 MB', async () => {
    const response = await post(JSON.stringify({ query: `{ caller } # ${'x'.repeat(1024 * 1024)}` }));
    expect(response.status).toBe(413);
    expect((await response.json()).errors[0].extensions.code).toBe('BAD_USER_INPUT');
  });

  it('leaves a POST of another content type to Apollo Server, which explains it', async () => {
    const response = await fetch(`${base}/graphql`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: '{ caller }' });
    expect(response.status).toBe(400);
  });

  it('answers the probes, and 404 elsewhere', async () => {
    expect(await (await fetch(`${base}/healthz`)).json()).toEqual({ status: 'ok' });
    expect(await (await fetch(`${base}/readyz`)).json()).toEqual({ status: 'ready' });
    ready = false;
    const down = await fetch(`${base}/readyz`);
    expect(down.status).toBe(503);
    expect(await down.json()).toEqual({ status: 'unavailable' });
    ready = true;
    expect((await fetch(`${base}/nowhere`)).status).toBe(404);
  });
});

import { readFileSync } from 'node:fs';
import { getIntrospectionQuery } from 'graphql';
import { InMemoryLiveBus, TokenService, createLogger } from '@chirp/platform';
import { GraphQLClient, LiveClient } from '@chirp/testing';
import { DEFAULT_OPERATION_LIMITS, startGateway, type RunningGateway } from '../src/gateway.js';

/**
 * The gateway's operation limits, on a gateway alone: every refusal here
 * happens before planning, so no subgraph is needed (their URLs point at a
 * closed port, and a request that got as far as a subgraph would fail).
 */
const supergraphSdl = readFileSync(new URL('../../schema/supergraph.graphql', import.meta.url), 'utf8');
const tokens = new TokenService({ secret: 'operation-limits-test-secret-of-32-chars', issuer: 'chirp', ttlSeconds: 600 });
const nowhere = 'http://127.0.0.1:9/graphql';

async function gateway(introspection: boolean): Promise<RunningGateway> {
  return startGateway({
    supergraphSdl,
    subgraphUrls: { users: nowhere, tweets: nowhere, timeline: nowhere, notifications: nowhere },
    host: '127.0.0.1',
    port: 0,
    logger: createLogger('gateway', 'silent'),
    tokens,
    exposeInternals: false,
    live: new InMemoryLiveBus(),
    introspection,
    sessionLookup: async () => 0, // no users subgraph here: every user exists, at generation 0
  });
}

/** `followers(first: 100) { edges { node { … } } }`, `levels` times over. */
function nestedFollowers(levels: number): string {
  let selection = 'id';
  for (let level = 0; level < levels; level += 1) selection = `followers(first: 100) { edges { node { ${selection} } } }`;
  return `{ user(handle: "ada") { ${selection} } }`;
}

const HOME = `query Home { homeTimeline(first: 20) { edges { node { id text createdAt likeCount likedByViewer author { handle displayName avatarUrl } } } pageInfo { hasNextPage endCursor } } }`;

describe('operation limits', () => {
  let open: RunningGateway;
  let closed: RunningGateway;
  let client: GraphQLClient;
  beforeAll(async () => {
    [open, closed] = await Promise.all([gateway(true), gateway(false)]);
    client = new GraphQLClient(open.url);
  });
  afterAll(async () => {
    await Promise.all([open?.close(), closed?.close()]);
  });

  async function refusal(query: string, variables: Record<string, unknown> = {}, on = client) {
    const response = await on.request(query, variables);
    expect(response.status).toBe(400);
    expect(response.data ?? null).toBeNull();
    const [error] = response.errors ?? [];
    expect(error?.extensions?.code).toBe('BAD_USER_INPUT');
    return error as { message: string; extensions: { limit?: { name: string; maximum: number; found?: number } } };
  }

  it('refuses a deep operation, naming the limit and the depth found', async () => {
    const error = await refusal(nestedFollowers(16));
    expect(error.extensions.limit).toEqual({ name: 'depth', maximum: DEFAULT_OPERATION_LIMITS.depth, found: 50 });
    expect(error.message).toBe(`The operation is 50 levels deep; at most ${DEFAULT_OPERATION_LIMITS.depth} are allowed.`);
  });

  it('counts a list argument as a multiplier of what it selects, variables and defaults included', async () => {
    const literal = await refusal(nestedFollowers(2));
    expect(literal.extensions.limit).toMatchObject({ name: 'cost', maximum: DEFAULT_OPERATION_LIMITS.cost });
    expect(literal.message).toMatch(/estimated cost is \d+; at most 5000/);
    const byVariable = await refusal('query($n: Int) { user(handle: "ada") { tweets(first: $n) { edges { node { id text likeCount } } } followers(first: $n) { edges { node { followers { edges { node { id } } } } } } } }', { n: 100 });
    expect(byVariable.extensions.limit?.name).toBe('cost');
    // followers' default page is 20: 20 × 20 × … is still over the limit two levels down.
    const byDefault = await refusal('{ user(handle: "ada") { followers { edges { node { followers { edges { node { followers { edges { node { id } } } } } } } } } } }');
    expect(byDefault.extensions.limit?.name).toBe('cost');
  });

  it('estimates once per page size, not once per page: a cursor does not change the cost, a page size does', async () => {
    const query = 'query Tweets($n: Int, $after: String) { user(handle: "ada") { tweets(first: $n, after: $after) { edges { node { id text } } } followers(first: $n) { edges { node { followers(first: $n) { edges { node { id } } } } } } } }';
    // Within the limit at 5 (refused only for want of a subgraph), then over it at 100 for the same document.
    const small = await client.request(query, { n: 5, after: 'x' });
    expect(small.errors?.[0]?.extensions?.code).not.toBe('BAD_USER_INPUT');
    const again = await client.request(query, { n: 5, after: 'y' });
    expect(again.errors?.[0]?.extensions?.code).not.toBe('BAD_USER_INPUT');
    expect((await refusal(query, { n: 100, after: 'x' })).extensions.limit?.name).toBe('cost');
  });

  it('refuses many aliases', async () => {
    const aliases = Array.from({ length: 40 }, (_, index) => `a${index}: user(handle: "ada") { id }`).join(' ');
    const error = await refusal(`{ ${aliases} }`);
    expect(error.extensions.limit).toEqual({ name: 'aliases', maximum: DEFAULT_OPERATION_LIMITS.aliases, found: 40 });
  });

  it('stops parsing a document past the token limit', async () => {
    const aliases = Array.from({ length: 500 }, (_, index) => `a${index}: user(handle: "ada") { tweets(first: 100) { edges { node { id } } } }`).join(' ');
    const error = await refusal(`{ ${aliases} }`);
    expect(error.extensions.limit).toEqual({ name: 'tokens', maximum: DEFAULT_OPERATION_LIMITS.tokens });
  });

  it('refuses exponential fragment spreads fast, without expanding them', async () => {
    // F0 spreads F1 twice, F1 spreads F2 twice, …: 2^40 fields once expanded.
    const fragments = Array.from({ length: 40 }, (_, index) => `fragment F${index} on User { ...F${index + 1} ...F${index + 1} }`).join(' ');
    const deep = await refusal(`{ me { ...F0 } } ${fragments} fragment F40 on User { id handle }`);
    expect(deep.extensions.limit?.name).toBe('depth');
    // Wide instead of deep: 30 spreads a level, four levels, within the depth limit.
    const wide = Array.from({ length: 4 }, (_, index) => `fragment G${index} on User { ${`...G${index + 1} `.repeat(30)}}`).join(' ');
    const error = await refusal(`{ me { ...G0 } } ${wide} fragment G4 on User { id }`);
    expect(error.extensions.limit).toEqual({ name: 'expandedFields', maximum: DEFAULT_OPERATION_LIMITS.expandedFields });
  });

  it('answers thousands of chained fragments and repeated fields as client errors', async () => {
    const chain = Array.from({ length: 3000 }, (_, index) => `fragment C${index} on User { ...C${index + 1} }`).join(' ');
    expect((await refusal(`{ me { ...C0 } } ${chain} fragment C3000 on User { id }`)).extensions.limit?.name).toBe('tokens');
    const repeated = await refusal(`{ me { ${'handle '.repeat(1500)}} }`);
    expect(repeated.message).toMatch(/too many fields of the same name/);
  });

  it('answers malformed requests as client errors, never 500 (found by fuzzing)', async () => {
    const badVariable = await client.request('query($handle: String!) { user(handle: $handle) { id } }', { handle: 0 });
    expect(badVariable.status).toBe(400);
    expect(badVariable.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'handle' });
    const unnamed = await client.request('query A { me { id } } query B { me { handle } }');
    expect(unnamed.status).toBe(400);
    expect(unnamed.errors?.[0]).toMatchObject({ message: 'The document has several operations: name the one to run in "operationName".', extensions: { code: 'BAD_USER_INPUT' } });
    const persisted = await fetch(open.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ me { id } }', extensions: { persistedQuery: { version: 1, sha256Hash: 'abc' } } }),
    });
    expect(persisted.status).toBeLessThan(500); // 200, as the persisted-query protocol has it
    expect(((await persisted.json()) as { errors: Array<{ extensions: { code: string } }> }).errors[0]?.extensions.code).toBe('BAD_USER_INPUT');
  });

  it("lets the product's own queries and the explorer's introspection through", async () => {
    // Refused only for want of a subgraph (INTERNAL_SERVER_ERROR, not BAD_USER_INPUT): the limits let it pass.
    const home = await client.request(HOME);
    expect(home.errors?.[0]?.extensions?.code).not.toBe('BAD_USER_INPUT');
    const introspection = await client.request(getIntrospectionQuery());
    expect(introspection.errors).toBeUndefined();
  });

  it('turns introspection and field suggestions off when asked (the production default)', async () => {
    const production = new GraphQLClient(closed.url);
    const introspection = await production.request('{ __schema { types { name } } }');
    expect(introspection.status).toBe(400);
    expect(introspection.errors?.[0]?.message).toMatch(/introspection/i);
    const typo = await production.request('{ usr(handle: "ada") { id } }');
    expect(typo.errors?.[0]?.message).toBe('Cannot query field "usr" on type "Query".');
    const typoWhereOpen = await client.request('{ usr(handle: "ada") { id } }');
    expect(typoWhereOpen.errors?.[0]?.message).toMatch(/Did you mean "user"\?/);
  });

  describe('over WebSocket', () => {
    let live: LiveClient;
    beforeAll(async () => {
      live = new LiveClient(closed.url, await tokens.issue({ id: '1', handle: 'ada' }));
    });
    afterAll(async () => {
      await live.close();
    });

    async function socketRefusal(query: string): Promise<{ message: string; extensions?: Record<string, unknown> }> {
      const subscription = live.subscribe(query);
      const deadline = Date.now() + 5_000;
      while (!subscription.error && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
      const [error] = subscription.error as Array<{ message: string; extensions?: Record<string, unknown> }>;
      return error as { message: string; extensions?: Record<string, unknown> };
    }

    it('applies the same limits to subscriptions, counting the cost of one event, and keeps the socket', async () => {
      const kept = live.subscribe('subscription { homeTimelineTweetAdded { id text } }');
      const costly = await socketRefusal(
        'subscription { homeTimelineTweetAdded { author { followers(first: 100) { edges { node { followers(first: 100) { edges { node { id } } } } } } } } }',
      );
      expect(costly.extensions).toMatchObject({ code: 'BAD_USER_INPUT', limit: { name: 'cost' } });
      const wide = await socketRefusal(`subscription { homeTimelineTweetAdded { ${Array.from({ length: 40 }, (_, index) => `a${index}: id`).join(' ')} } }`);
      expect(wide.extensions).toMatchObject({ code: 'BAD_USER_INPUT', limit: { name: 'aliases', found: 40 } });
      const typo = await socketRefusal('subscription { homeTimelineTweetAdde { id } }');
      expect(typo).toMatchObject({ message: 'Cannot query field "homeTimelineTweetAdde" on type "Subscription".', extensions: { code: 'BAD_USER_INPUT' } });
      const introspection = await socketRefusal('{ __schema { types { name } } }');
      expect(introspection.extensions?.code).toBe('BAD_USER_INPUT');
      // Each refusal ended its own operation only: the socket and its other subscription live on.
      expect(live.closed).toBeUndefined();
      expect(kept.error).toBeUndefined();
      await live.ready();
      kept.stop();
    });
  });
});

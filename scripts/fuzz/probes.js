// Protocol probes for `npm run fuzz`: fixed requests around the GraphQL
// operation rather than inside it, which Schemathesis never sends (it posts
// one operation as JSON, without operationName, extensions or batching):
// several operations in one document, operation names, persisted-query
// extensions, batches, GET, odd bodies and content types, limits, tokens.
// Judged as hooks.py judges a fuzzed operation: no 5xx, a JSON object, and
// no error coded INTERNAL_SERVER_ERROR or with no code API.md promises.

/** The codes API.md promises besides INTERNAL_SERVER_ERROR (as in hooks.py). */
const EXPECTED_CODES = new Set(['UNAUTHENTICATED', 'FORBIDDEN', 'BAD_USER_INPUT', 'NOT_FOUND', 'CONFLICT', 'RATE_LIMITED']);

const json = (value) => ({ contentType: 'application/json', body: JSON.stringify(value) });

/**
 * @typedef {{ name: string, method?: string, search?: Record<string, string>, contentType?: string,
 *   body?: string, token?: 'viewer' | 'none' | string }} Probe
 */

/** @type {Probe[]} */
export const PROBES = [
  // Which operation to run
  { name: 'two operations, no operationName', ...json({ query: 'query A { me { id } } query B { me { handle } }' }) },
  { name: 'two mutations, no operationName', ...json({ query: 'mutation A { markNotificationsRead } mutation B { markNotificationsRead }' }) },
  { name: 'operationName that names no operation', ...json({ query: 'query A { me { id } }', operationName: 'Z' }) },
  { name: 'operationName on an anonymous operation', ...json({ query: '{ me { id } }', operationName: 'Z' }) },
  { name: 'operationName picks one of two', ...json({ query: 'query A { me { id } } query B { me { handle } }', operationName: 'B' }) },
  { name: 'operationName not a string', ...json({ query: '{ me { id } }', operationName: 5 }) },
  { name: 'fragments only', ...json({ query: 'fragment F on User { id }' }) },
  { name: 'empty query', ...json({ query: '' }) },
  { name: 'comment only', ...json({ query: '# nothing' }) },
  // Subscriptions over HTTP
  { name: 'subscription over HTTP', ...json({ query: 'subscription { notificationAdded { id } }' }) },
  { name: 'subscription and query, no operationName', ...json({ query: 'subscription S { notificationAdded { id } } query Q { me { id } }' }) },
  { name: 'subscription and query, operationName Q', ...json({ query: 'subscription S { notificationAdded { id } } query Q { me { id } }', operationName: 'Q' }) },
  // Variables
  { name: 'required variable not given', ...json({ query: 'query($id: ID!) { tweet(id: $id) { id } }' }) },
  { name: 'variable of the wrong type', ...json({ query: 'query($n: Int) { homeTimeline(first: $n) { edges { cursor } } }', variables: { n: 'x' } }) },
  { name: 'input object variable missing a field', ...json({ query: 'mutation($i: SignUpInput!) { signUp(input: $i) { token } }', variables: { i: { handle: 'x' } } }) },
  { name: 'variable not declared', ...json({ query: '{ homeTimeline(first: $n) { edges { cursor } } }', variables: { n: 1 } }) },
  { name: 'variables as a JSON string', ...json({ query: '{ me { id } }', variables: '{}' }) },
  { name: 'variables an array', ...json({ query: '{ me { id } }', variables: [] }) },
  // Persisted queries
  { name: 'persisted query, hash does not match', ...json({ query: '{ me { id } }', extensions: { persistedQuery: { version: 1, sha256Hash: 'abc' } } }) },
  { name: 'persisted query, unsupported version', ...json({ query: '{ me { id } }', extensions: { persistedQuery: { version: 2, sha256Hash: 'abc' } } }) },
  { name: 'persisted query, unknown hash, no query', ...json({ extensions: { persistedQuery: { version: 1, sha256Hash: '0'.repeat(64) } } }) },
  { name: 'extensions as a string', ...json({ query: '{ me { id } }', extensions: 'x' }) },
  // Bodies
  { name: 'batch of two operations', ...json([{ query: '{ me { id } }' }, { query: '{ me { id } }' }]) },
  { name: 'empty batch', ...json([]) },
  { name: 'JSON null body', contentType: 'application/json', body: 'null' },
  { name: 'JSON string body', contentType: 'application/json', body: '"{ me { id } }"' },
  { name: 'JSON number body', contentType: 'application/json', body: '1' },
  { name: 'invalid JSON', contentType: 'application/json', body: '{"query":' },
  { name: 'empty JSON object', ...json({}) },
  { name: 'query not a string', ...json({ query: { a: 1 } }) },
  { name: 'no body', contentType: 'application/json', body: '' },
  { name: 'text/plain body', contentType: 'text/plain', body: JSON.stringify({ query: '{ me { id } }' }) },
  { name: 'application/graphql body', contentType: 'application/graphql', body: '{ me { id } }' },
  { name: 'form body', contentType: 'application/x-www-form-urlencoded', body: 'query=%7B%20me%20%7B%20id%20%7D%20%7D' },
  { name: 'body over 1 MB', contentType: 'application/json', body: JSON.stringify({ query: `{ me { id } } #${'x'.repeat(1_100_000)}` }) },
  { name: 'not UTF-8', contentType: 'application/json; charset=utf-8', body: Buffer.from([0x7b, 0x22, 0x71, 0xff, 0xfe, 0x22, 0x7d]).toString('latin1') },
  // Shapes the gateway limits
  { name: '50 aliases', ...json({ query: `{ ${Array.from({ length: 50 }, (_, i) => `a${i}: me { id }`).join(' ')} }` }) },
  { name: '14 levels deep', ...json({ query: '{ me { followers { edges { node { followers { edges { node { followers { edges { node { followers { edges { node { id } } } } } } } } } } } } } }' }) },
  { name: 'costly nested pages', ...json({ query: '{ me { followers(first: 100) { edges { node { following(first: 100) { edges { node { tweets(first: 100) { edges { node { id } } } } } } } } } } }' }) },
  { name: 'same field 1000 times', ...json({ query: `{ me { ${'id '.repeat(1000)}} }` }) },
  { name: '1000 @skip directives', ...json({ query: `{ me ${'@skip(if: false) '.repeat(1000)}{ id } }` }) },
  { name: 'fragment cycle', ...json({ query: 'query { me { ...A } } fragment A on User { ...B } fragment B on User { ...A }' }) },
  { name: 'introspection', ...json({ query: '{ __schema { queryType { name } } }' }) },
  { name: '_entities (federation internals)', ...json({ query: '{ _entities(representations: [{ __typename: "User", id: "1" }]) { __typename } }' }) },
  { name: '_service (federation internals)', ...json({ query: '{ _service { sdl } }' }) },
  // GET and other methods
  { name: 'GET query', method: 'GET', search: { query: '{ me { id } }' } },
  { name: 'GET mutation', method: 'GET', search: { query: 'mutation { markNotificationsRead }' } },
  { name: 'GET two operations, no operationName', method: 'GET', search: { query: 'query A { me { id } } query B { me { id } }' } },
  { name: 'GET operationName that names no operation', method: 'GET', search: { query: 'query A { me { id } }', operationName: 'Z' } },
  { name: 'GET variables not JSON', method: 'GET', search: { query: '{ me { id } }', variables: '{' } },
  { name: 'GET extensions not JSON', method: 'GET', search: { query: '{ me { id } }', extensions: '{' } },
  { name: 'GET without a query', method: 'GET', search: {} },
  { name: 'PUT', method: 'PUT', ...json({ query: '{ me { id } }' }) },
  { name: 'DELETE', method: 'DELETE' },
  // Tokens
  { name: 'no token, signed-in field', token: 'none', ...json({ query: '{ unreadNotificationCount }' }) },
  { name: 'malformed token', token: 'Bearer x.y.z', ...json({ query: '{ me { id } }' }) },
  { name: 'empty Bearer', token: 'Bearer ', ...json({ query: '{ me { id } }' }) },
  { name: 'Basic credentials', token: 'Basic Zm9vOmJhcg==', ...json({ query: '{ me { id } }' }) },
  { name: 'token signed with another key', token: 'Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIiwiaGFuZGxlIjoiYSIsImlzcyI6ImNoaXJwIn0.c2lnbmF0dXJl', ...json({ query: '{ me { id } }' }) },
  { name: 'unsigned token (alg none)', token: 'Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiIxIiwiaGFuZGxlIjoiYSIsImlzcyI6ImNoaXJwIn0.', ...json({ query: '{ me { id } }' }) },
];

/** What is wrong with one answer, or undefined when it is the API working. */
function judge(status, text) {
  // Node answers an oversized header block itself, with no body.
  if (status === 431 && text === '') return undefined;
  let payload;
  try {
    payload = JSON.parse(text);
  } catch {
    return status >= 500 ? `HTTP ${status}` : 'the answer is not JSON';
  }
  if (status >= 500) {
    const error = payload?.errors?.[0];
    return `HTTP ${status}${error ? ` ${error.extensions?.code ?? 'no code'}: ${error.message}` : ''}`;
  }
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) return 'the answer is not a JSON object';
  for (const error of Array.isArray(payload.errors) ? payload.errors : []) {
    const code = error?.extensions?.code;
    if (!EXPECTED_CODES.has(code)) return `${code ?? 'no code'}: ${error?.message}`;
  }
  return undefined;
}

/**
 * Sends every probe once, with the viewer's token unless the probe says
 * otherwise; resolves with one result per probe.
 * @param {string} url @param {string} token
 */
export async function runProbes(url, token) {
  const results = [];
  for (const probe of PROBES) {
    const method = probe.method ?? 'POST';
    const target = new URL(url);
    for (const [name, value] of Object.entries(probe.search ?? {})) target.searchParams.set(name, value);
    const authorization = probe.token === 'none' ? undefined : probe.token && probe.token !== 'viewer' ? probe.token : `Bearer ${token}`;
    const headers = {
      accept: 'application/graphql-response+json, application/json',
      // Apollo Server's CSRF rule wants it on a GET, as a browser client sends it.
      'apollo-require-preflight': 'true',
      ...(authorization ? { authorization } : {}),
      ...(probe.contentType ? { 'content-type': probe.contentType } : {}),
    };
    const started = Date.now();
    let status = 0;
    let text = '';
    let failure;
    try {
      const response = await fetch(target, {
        method,
        headers,
        body: probe.body === undefined || method === 'GET' ? undefined : Buffer.from(probe.body, probe.name === 'not UTF-8' ? 'latin1' : 'utf8'),
        signal: AbortSignal.timeout(10_000),
      });
      status = response.status;
      text = await response.text();
      failure = judge(status, text);
    } catch (error) {
      failure = `no answer: ${error instanceof Error ? error.message : error}`;
    }
    results.push({
      name: probe.name,
      request: {
        method,
        ...(probe.search ? { search: probe.search } : {}),
        ...(probe.contentType ? { contentType: probe.contentType } : {}),
        ...(probe.body !== undefined ? { body: probe.body.length > 300 ? `${probe.body.slice(0, 300)}… (${probe.body.length} characters)` : probe.body } : {}),
        ...(probe.token && probe.token !== 'viewer' ? { authorization: probe.token === 'none' ? 'none' : probe.token } : {}),
      },
      status,
      milliseconds: Date.now() - started,
      failed: failure !== undefined,
      ...(failure !== undefined ? { failure, answer: text.slice(0, 1500) } : {}),
    });
  }
  return results;
}

import { inMemoryEnvironment } from '@chirp/testing';
import { useStack } from './support.js';

/** Every process serves what it counted at /metrics, for Prometheus. */
const chirp = useStack({}, () => inMemoryEnvironment());

it('counts operations at the gateway and at the subgraph that answered them', async () => {
  const account = await chirp.signUp();
  await account.client.data('query WhoAmI { me { handle } }');
  await account.client.error('mutation BadPost { postTweet(text: "  ") { id } }');
  const gateway = await (await fetch(new URL('/metrics', chirp.stack.url))).text();
  expect(gateway).toMatch(/chirp_requests_total\{operation="WhoAmI",service="gateway"\} 1/);
  expect(gateway).toMatch(/chirp_errors_total\{code="BAD_USER_INPUT",service="gateway"\} 1/);
  const users = await (await fetch(new URL('/metrics', chirp.stack.subgraphUrls.users))).text();
  // The gateway names what it asks a subgraph after the client's operation (WhoAmI__users__0).
  expect(users).toMatch(/chirp_requests_total\{operation="WhoAmI__users__0",service="users"\} 1/);
  expect(users).toContain('chirp_request_ms_bucket');
});

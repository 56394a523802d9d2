import type { GraphQLClient } from './graphql-client.js';

/** A signed-up user, and a client that acts as them. */
export interface Account {
  id: string;
  handle: string;
  email: string;
  token: string;
  client: GraphQLClient;
}

const SIGN_UP = `mutation SignUp($input: SignUpInput!) { signUp(input: $input) { token user { id handle } } }`;
let sequence = 0;

/** Signs up a fresh user through the gateway, with a handle no other test uses. */
export async function signUpThroughGateway(anonymous: GraphQLClient, overrides: Record<string, unknown> = {}): Promise<Account> {
  sequence += 1;
  const handle = `u${Date.now().toString(36).slice(-6)}${process.pid % 100}_${sequence}`.slice(0, 15);
  const input = { handle, email: `${handle}@example.com`, password: 'password123', firstName: 'Test', lastName: `User${sequence}`, ...overrides };
  const { signUp } = await anonymous.data(SIGN_UP, { input });
  return { id: signUp.user.id, handle: signUp.user.handle, email: String(input.email), token: signUp.token, client: anonymous.as(signUp.token) };
}

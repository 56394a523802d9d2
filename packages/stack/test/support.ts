import { GraphQLClient, isolatedEnvironment, signUpThroughGateway, type Account } from '@chirp/testing';
import { startStack, type RunningStack, type StackOptions } from '../src/stack.js';

/**
 * The whole stack on the real servers, for one test file: started before its
 * tests, stopped after them. Call at the top of a file.
 */
export function useStack(options: StackOptions = {}, environment: () => NodeJS.ProcessEnv = () => isolatedEnvironment()) {
  const handle = {
    stack: undefined as unknown as RunningStack,
    anonymous: undefined as unknown as GraphQLClient,
    signUp: (overrides: Record<string, unknown> = {}): Promise<Account> => signUpThroughGateway(handle.anonymous, overrides),
  };
  beforeAll(async () => {
    handle.stack = await startStack({ ...environment(), PORT: '0' }, options);
    handle.anonymous = new GraphQLClient(handle.stack.url);
  }, 120_000);
  afterAll(async () => {
    await handle.stack?.stop();
  });
  return handle;
}

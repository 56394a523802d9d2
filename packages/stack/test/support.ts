import { isCluster } from '@chirp/platform';
import { GraphQLClient, isolatedEnvironment, realRedisCluster, signUpThroughGateway, type Account } from '@chirp/testing';
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
    const env = onTheRedisOfThisFile(environment());
    handle.stack = await startStack({ ...env, PORT: '0' }, options);
    if (env.REDIS_CLUSTER === 'true') {
      const single = Object.entries(handle.stack.infrastructure).filter(([, infra]) => infra.redis && !isCluster(infra.redis));
      if (single.length > 0) throw new Error(`not on the Redis Cluster: ${single.map(([name]) => name).join(', ')}`);
    }
    handle.anonymous = new GraphQLClient(handle.stack.url);
  }, 120_000);
  afterAll(async () => {
    await handle.stack?.stop();
  });
  return handle;
}

let redisCluster = false;

/**
 * Every stack of this test file that uses Redis runs on the Redis Cluster
 * (REDIS_CLUSTER=true, REDIS_URL its nodes) instead of the single server.
 * A `*.cluster.e2e.test.ts` file calls it and imports a suite, which then
 * runs whole on the cluster: the cluster refuses a multi-key command,
 * script or pipeline across slots, which a single server lets pass.
 */
export function onRedisCluster(): void {
  redisCluster = true;
}

function onTheRedisOfThisFile(environment: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  if (!redisCluster || !environment.REDIS_URL) return environment;
  return { ...environment, REDIS_URL: realRedisCluster().url, REDIS_CLUSTER: 'true' };
}

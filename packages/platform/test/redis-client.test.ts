import { askEachKeysNode, createRedisClient, groupBySlot, isCluster, mgetAnywhere, pipelineByNode, pipelineReplies, slotOf, type RedisClient } from '@chirp/platform';
import { realRedisCluster, realServers, uniqueName } from '@chirp/testing';
import type { Cluster } from 'ioredis';

/**
 * The helpers that make one code path right on a single server and on a
 * cluster, run on the real 3-master cluster: what goes into one command
 * shares a slot, and what spans slots costs one pipeline per node.
 */
describe('Redis Cluster helpers', () => {
  let cluster: Cluster;
  let single: RedisClient;
  const prefix = `${uniqueName('helpers')}:`;
  beforeAll(async () => {
    cluster = createRedisClient(realRedisCluster(), prefix) as Cluster;
    single = createRedisClient(realServers().redisUrl, prefix);
    await cluster.ping();
  });
  afterAll(async () => {
    await Promise.all([cluster.quit(), single.quit()]);
  });
  const keys = (count: number) => Array.from({ length: count }, (_, index) => `k${index}:${uniqueName('x')}`);

  it('refuses a multi-key command across slots (CROSSSLOT): what the suites run on it catch', async () => {
    expect(isCluster(cluster)).toBe(true);
    expect(isCluster(single)).toBe(false);
    const [a, b] = groupBySlot(cluster, keys(50), (key) => key).map((group) => group[0]!);
    // Sent straight to a node, past ioredis's own check of the slots.
    await expect(cluster.nodes('master')[0]!.call('MGET', `${prefix}${a}`, `${prefix}${b}`)).rejects.toThrow(/CROSSSLOT/);
  });

  it('computes the slot a key goes to, prefix included and hash tag honoured, as the server does', async () => {
    for (const key of ['home:{42}', 'home:{42}:celebs', 'plain', 'recent:7', 'live:homeTimeline:{2128053852795092992}']) {
      expect(slotOf(cluster, key)).toBe(await cluster.nodes('master')[0]!.cluster('KEYSLOT', `${prefix}${key}`));
    }
    expect(slotOf(cluster, 'home:{42}')).toBe(slotOf(cluster, 'home:{42}:gen'));
  });

  it('groups keys by slot on a cluster, and all in one group on a single server', () => {
    const many = [...keys(40), 'home:{u1}', 'home:{u1}:celebs'];
    expect(groupBySlot(single, many, (key) => key)).toEqual([many]);
    const groups = groupBySlot(cluster, many, (key) => key);
    expect(groups.flat().sort()).toEqual([...many].sort());
    for (const group of groups) expect(new Set(group.map((key) => slotOf(cluster, key))).size).toBe(1);
    expect(groups.find((group) => group.includes('home:{u1}'))).toEqual(['home:{u1}', 'home:{u1}:celebs']);
    expect(groupBySlot(cluster, [], (key) => key)).toEqual([]);
  });

  it('sends one pipeline per node however many slots, replies in the order the commands were added', async () => {
    const many = keys(300);
    let pipelines = 0;
    const counting = new Proxy(cluster, {
      get: (target, name, receiver) =>
        name === 'pipeline'
          ? () => {
              pipelines += 1;
              return target.pipeline();
            }
          : Reflect.get(target, name, receiver),
    });
    const written = await pipelineByNode(counting, many.map((key, index) => [key, (pipeline) => pipeline.set(key, `v${index}`).get(key)] as const));
    expect(pipelineReplies(written)).toEqual(many.flatMap((_, index) => ['OK', `v${index}`]));
    expect(pipelines).toBe(cluster.nodes('master').length);
    expect(pipelines).toBe(3);
    expect(await mgetAnywhere(cluster, [...many, 'missing'])).toEqual([...many.map((_, index) => `v${index}`), null]);
  });

  it('asks each node only about the keys it serves', async () => {
    const many = keys(120);
    const asked: Array<{ node: string; keys: string[] }> = [];
    const answers = await askEachKeysNode(cluster, many, 25, async (node, some) => {
      asked.push({ node: `${node.options.host}:${node.options.port}`, keys: some });
      return some.map((key) => `${key}?`);
    });
    expect(answers).toEqual(many.map((key) => `${key}?`));
    expect(new Set(asked.map(({ node }) => node)).size).toBe(3);
    for (const { node, keys: some } of asked) {
      expect(some.length).toBeLessThanOrEqual(25);
      for (const key of some) expect(cluster.slots[slotOf(cluster, key)]![0]).toBe(node);
    }
  });
});

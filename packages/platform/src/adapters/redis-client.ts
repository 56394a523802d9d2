import calculateSlot from 'cluster-key-slot';
import { Cluster, Redis, type ChainableCommander, type ClusterOptions, type RedisOptions } from 'ioredis';

/**
 * One Redis server or a Redis Cluster: every Redis adapter takes either.
 *
 * On a cluster, a command, script or MULTI runs only on keys of one hash
 * slot, so keys that meet in one share a hash tag (`home:{<userId>}` and its
 * companions); what spans many users' keys (a fan-out, a page's cache
 * reads) goes through `groupBySlot` and `pipelineByNode`, which send one
 * pipeline to each node: one round trip per node, as one pipeline is one
 * round trip to a single server.
 */
export type RedisClient = Redis | Cluster;

/**
 * Where Redis is. `url` names one server (`redis://[user:password@]host:port`,
 * `rediss://` for TLS); with `cluster`, one or more of the cluster's nodes,
 * comma-separated: the client asks them for the rest of the cluster.
 */
export interface RedisConnection {
  url: string;
  cluster: boolean;
}

/**
 * A service's client: commands fail fast instead of queueing forever while
 * Redis is away (callers treat the cache as optional where they can), and
 * are sent in pipelines of their own accord (auto-pipelining; on a cluster
 * one per node). A string is one server's URL.
 */
export function createRedisClient(connection: string, keyPrefix: string): Redis;
export function createRedisClient(connection: RedisConnection, keyPrefix: string): RedisClient;
export function createRedisClient(connection: string | RedisConnection, keyPrefix: string): RedisClient {
  return connectRedis(typeof connection === 'string' ? { url: connection, cluster: false } : connection, {
    keyPrefix,
    maxRetriesPerRequest: 2,
    enableAutoPipelining: true,
    lazyConnect: false,
  });
}

/** Options of a client that are the cluster client's own rather than each node connection's. */
const CLIENT_OPTIONS = ['keyPrefix', 'enableAutoPipelining', 'lazyConnect', 'enableReadyCheck', 'enableOfflineQueue'] as const;

/**
 * A client of `connection` with `options`. On a cluster the key prefix,
 * auto-pipelining, lazy connect, ready check and offline queue are the
 * cluster client's (so the prefix is applied once, before the slot is
 * computed, and a hash tag in the key survives it); the other options go to
 * each node's connection, with the first seed's credentials and TLS.
 */
export function connectRedis(connection: RedisConnection, options: RedisOptions, clusterOptions: ClusterOptions = {}): RedisClient {
  if (!connection.cluster) return new Redis(connection.url, options);
  const seeds = redisClusterSeeds(connection.url);
  const nodeOptions: RedisOptions = { ...options };
  const clientOptions: ClusterOptions = {};
  for (const name of CLIENT_OPTIONS) {
    if (options[name] !== undefined) Object.assign(clientOptions, { [name]: options[name] });
    delete nodeOptions[name];
  }
  const [first] = seeds as [RedisSeed];
  return new Cluster(
    seeds.map(({ host, port }) => ({ host, port })),
    {
      ...clientOptions,
      redisOptions: { ...nodeOptions, username: first.username, password: first.password, ...(first.tls ? { tls: {} } : {}) },
      // With TLS the nodes' certificates name their hosts: connect by name, not by a resolved address.
      ...(first.tls ? { dnsLookup: (address: string, callback: (error: null, address: string) => void) => callback(null, address) } : {}),
      ...clusterOptions,
    },
  );
}

export interface RedisSeed {
  host: string;
  port: number;
  username: string | undefined;
  password: string | undefined;
  tls: boolean;
}

/**
 * The nodes a cluster URL names: `redis://a:6379,redis://b:6379` (or
 * `rediss://` for TLS; `host:port` alone is taken as `redis://host:port`).
 * Throws on what is no such list. A cluster has no numbered databases, so a
 * path is refused.
 */
export function redisClusterSeeds(url: string): RedisSeed[] {
  const seeds = url
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean)
    .map((part) => {
      let parsed: URL;
      try {
        parsed = new URL(part.includes('://') ? part : `redis://${part}`);
      } catch {
        throw new Error(`"${part}" is not a Redis node's URL (redis://host:port)`);
      }
      if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') throw new Error(`"${part}" is not a redis:// or rediss:// URL`);
      if (parsed.pathname !== '' && parsed.pathname !== '/' && parsed.pathname !== '/0') {
        throw new Error(`"${part}" names a database; a Redis Cluster has only database 0`);
      }
      return {
        host: parsed.hostname.replace(/^\[(.*)\]$/, '$1'),
        port: parsed.port ? Number(parsed.port) : 6379,
        username: parsed.username ? decodeURIComponent(parsed.username) : undefined,
        password: parsed.password ? decodeURIComponent(parsed.password) : undefined,
        tls: parsed.protocol === 'rediss:',
      };
    });
  if (seeds.length === 0) throw new Error('no Redis node given');
  return seeds;
}

export function isCluster(redis: RedisClient): redis is Cluster {
  return redis.isCluster;
}

/** The hash slot a key goes to as the client sends it, its prefix included. */
export function slotOf(redis: RedisClient, key: string): number {
  return calculateSlot(`${redis.options.keyPrefix ?? ''}${key}`);
}

/**
 * Splits `items` into groups whose keys (`keyOf`, as the caller names them,
 * without the client's prefix) share one hash slot: each group can go into
 * one multi-key command or script. On a single server, one group of them all.
 */
export function groupBySlot<T>(redis: RedisClient, items: readonly T[], keyOf: (item: T) => string): T[][] {
  if (items.length === 0) return [];
  if (!isCluster(redis)) return [items as T[]];
  const groups = new Map<number, T[]>();
  for (const item of items) {
    const slot = slotOf(redis, keyOf(item));
    const group = groups.get(slot);
    if (group) group.push(item);
    else groups.set(slot, [item]);
  }
  return [...groups.values()];
}

/**
 * Commands for a pipeline: `add` puts one or more on it, all on keys of one
 * slot, and `key` is one of those keys (as the caller names it).
 */
export type SlotCommands = readonly [key: string, add: (pipeline: ChainableCommander) => unknown];

/**
 * Sends the commands as pipelines, one to each node that holds their keys,
 * all at once: a round trip per node, whatever the number of slots. On a
 * single server, one pipeline. Resolves as a pipeline does: each command's
 * error or reply, in the order they were added.
 */
export async function pipelineByNode(redis: RedisClient, entries: readonly SlotCommands[]): Promise<Array<[Error | null, unknown]>> {
  if (!isCluster(redis)) {
    const pipeline = redis.pipeline();
    for (const [, add] of entries) add(pipeline);
    return (await pipeline.exec()) ?? [];
  }
  // ioredis sends a cluster pipeline to one node, and only when its keys are
  // all served there. Without a slot map yet (before the first connection)
  // every slot gets a pipeline of its own, which is just as right.
  const pipelines = new Map<string, ChainableCommander>();
  const spans = entries.map(([key, add]) => {
    const slot = slotOf(redis, key);
    const node = redis.slots[slot]?.join(',') ?? `slot ${slot}`;
    let pipeline = pipelines.get(node);
    if (!pipeline) pipelines.set(node, (pipeline = redis.pipeline()));
    const start = pipeline.length;
    add(pipeline);
    return { pipeline, start, end: pipeline.length };
  });
  const order = [...pipelines.values()];
  const replies = await Promise.all(order.map(async (pipeline) => (await pipeline.exec()) ?? []));
  const repliesOf = new Map(order.map((pipeline, index) => [pipeline, replies[index]!]));
  return spans.flatMap(({ pipeline, start, end }) => repliesOf.get(pipeline)!.slice(start, end));
}

/** The replies, or the first command's error. */
export function pipelineReplies(results: Array<[Error | null, unknown]> | null): unknown[] {
  return (results ?? []).map(([error, reply]) => {
    if (error) throw error;
    return reply;
  });
}

/** MGET of any keys: one MGET on a single server; on a cluster one per slot, in one round trip per node. */
export async function mgetAnywhere(redis: RedisClient, keys: readonly string[]): Promise<Array<string | null>> {
  if (keys.length === 0) return [];
  if (!isCluster(redis)) return redis.mget(...keys);
  const groups = groupBySlot(redis, keys.map((key, index) => ({ key, index })), ({ key }) => key);
  const replies = pipelineReplies(
    await pipelineByNode(redis, groups.map((group) => [group[0]!.key, (pipeline) => pipeline.mget(...group.map(({ key }) => key))] as const)),
  ) as Array<Array<string | null>>;
  const values = new Array<string | null>(keys.length);
  groups.forEach((group, n) => group.forEach(({ index }, i) => (values[index] = replies[n]![i] ?? null)));
  return values;
}

/**
 * Asks each key's own node (an answer only that node can give, such as
 * `PUBSUB SHARDNUMSUB`, which counts the node's subscribers and has no key
 * a cluster could route by): `ask` gets the node's connection and the keys
 * it serves, at most `chunk` at a time, and answers one value per key. On a
 * single server the server is every key's node. Answers in the keys' order.
 */
export async function askEachKeysNode<T>(
  redis: RedisClient,
  keys: readonly string[],
  chunk: number,
  ask: (node: Redis, keys: string[]) => Promise<T[]>,
): Promise<T[]> {
  const groups: Array<{ node: Redis; indexes: number[] }> = [];
  if (!isCluster(redis)) {
    groups.push({ node: redis, indexes: keys.map((_, index) => index) });
  } else {
    if (redis.slots.length === 0) await redis.ping(); // the slot map comes with the first connection
    const nodes = new Map(redis.nodes('master').map((node) => [`${node.options.host}:${node.options.port}`, node]));
    const byNode = new Map<Redis, number[]>();
    keys.forEach((key, index) => {
      const owner = redis.slots[slotOf(redis, key)]?.[0];
      const node = owner === undefined ? undefined : nodes.get(owner);
      if (!node) throw new Error(`no node of the Redis Cluster serves the slot of ${key}`);
      const indexes = byNode.get(node);
      if (indexes) indexes.push(index);
      else byNode.set(node, [index]);
    });
    for (const [node, indexes] of byNode) groups.push({ node, indexes });
  }
  const calls = groups.flatMap(({ node, indexes }) => {
    const parts: number[][] = [];
    for (let start = 0; start < indexes.length; start += chunk) parts.push(indexes.slice(start, start + chunk));
    return parts.map((part) => ({ part, answers: ask(node, part.map((index) => keys[index]!)) }));
  });
  const replies = await Promise.all(calls.map(({ answers }) => answers));
  const answers = new Array<T>(keys.length);
  calls.forEach(({ part }, n) => part.forEach((index, i) => (answers[index] = replies[n]![i]!)));
  return answers;
}

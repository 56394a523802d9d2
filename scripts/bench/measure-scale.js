// The scale step: what a second copy of the read path and of the fan-out
// consumer buys on this box, and the sizes the capacity model
// (scripts/bench/capacity.js) scales up.
//
//   reads    the card-only home page (CARD_QUERY), closed loop, against
//            (a) one gateway and one timeline process, the stack as it runs,
//            and (b) two of each: a second timeline process and a second
//            gateway started as the first ones were (service-process.js,
//            same environment), the second gateway pointed at the second
//            timeline (the users, tweets and notifications processes are
//            shared). The load generator spreads its connections evenly over
//            the two gateways, so each timeline serves half the pages, as a
//            round robin in front of them would give it, without a
//            user-space proxy's hop (a Kubernetes Service balances in the
//            kernel). (a) and (b) alternate, `rounds` runs of each.
//   fan-out  a burst of tweet events straight to Kafka (`tweets.tweets`) by
//            the largest fanned-out authors, handled by the product's
//            consumer group `timeline.fanout` (FanoutService over indexed
//            lookups, fanout-switch.js): first with the one timeline process
//            as its only member, then with the second process in the group
//            too (it gets half the topic's partitions). The burst is spread
//            evenly over the topic's partitions (the authors' keys, murmur2
//            as the producer hashes them), so any even split of the
//            partitions splits the work evenly. Timed from the publish to
//            the last handler's end, in the timeline processes' own clock.
//   posts    what a post costs: postTweet through the gateway, a few in
//            flight, by authors with few followers; CPU per post of every
//            process (FerretDB and PostgreSQL standing in for MongoDB).
//   sizes    Redis memory by key kind (MEMORY USAGE of a sample of each) and
//            MongoDB document sizes by collection (BSON bytes of a sample).

import { availableParallelism } from 'node:os';
import { AssignerProtocol, Kafka, Partitioners, logLevel } from 'kafkajs';
import { BSON, MongoClient } from 'mongodb';
import { EventTypes, Topics } from '@chirp/platform';
import { followersOf } from './content.js';
import { closedLoop, closedLoopSpread } from './load.js';
import { freshId } from './measure-fanout.js';
import { createCpuMeter, createTreeCpuMeter } from './proc-cpu.js';
import { createRandom, randomInt, sampleDistinct } from './random.js';
import { gatewayHome, postTweet } from './requests.js';
import { TIMELINE_KEYS } from './timeline-keys.js';
import { createRuntimeProbe } from './runtime-stats.js';
import { round, sleep, summarize } from './stats.js';

/** @typedef {import('./network.js').Network} Network */
/** @typedef {Awaited<ReturnType<typeof import('./stack.js').startBenchStack>>} BenchStack */

const GROUP_WAIT_MS = 90_000;
const BURST_TIMEOUT_MS = 300_000;
/** Authors per partition the burst cycles through, the biggest first. */
const AUTHORS_PER_PARTITION = 20;
const PUBLISH_BATCH = 200;
/** Requests in flight in the post-cost run. */
const POSTERS = 4;
const POST_AUTHORS = 40;
/** The steady fan-out's pace, as a share of the one-consumer burst's posts/s. */
const PACED_SHARE = 0.25;

/**
 * @param {{ stack: BenchStack, network: Network, viewers: import('./requests.js').Viewer[],
 *   tokenOf: (index: number) => Promise<string>, env: { REDIS_URL: string, MONGODB_URL: string, KAFKA_BROKERS: string },
 *   namespace: string, prefix: string, serverPids: Record<string, number>, redis: import('ioredis').Redis,
 *   connections: number, seconds: number, rounds: number, inserts: number, seed: number, log: (line: string) => void }} options
 *   prefix: the timeline's Redis key prefix; redis: a client without prefix
 */
export async function measureScale(options) {
  const { stack, network, namespace, log } = options;
  const kafka = new Kafka({ clientId: 'chirp-bench-scale', brokers: options.env.KAFKA_BROKERS.split(','), logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  const producer = kafka.producer({ allowAutoTopicCreation: false, createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  const topic = `${namespace}.${Topics.tweets}`;
  const group = `${namespace}.timeline.fanout`;
  const started = Date.now();
  /** @type {Record<string, any>} */
  const result = { connections: options.connections, seconds: options.seconds, rounds: options.rounds, cores: availableParallelism() };
  try {
    log('  sizes: Redis by key kind, MongoDB documents by collection...');
    result.sizes = {
      redis: await redisSizes(options.redis, `${namespace}:`),
      mongo: await mongoSizes(options.env.MONGODB_URL, namespace),
    };

    const metadata = await admin.fetchTopicMetadata({ topics: [topic] });
    const partitions = metadata.topics[0]?.partitions.length ?? 0;
    result.topic = { name: Topics.tweets, partitions, group: 'timeline.fanout' };
    log(`  ${Topics.tweets} has ${partitions} partition(s)`);
    await stack.askTimeline({ type: 'fanout', mode: 'indexed' });
    /** The timeline processes, by name: the stack's own, then the replicas. @type {Map<string, { ask: (m: object) => Promise<any>, pid: number }>} */
    const timelines = new Map([['timeline', { ask: (m) => stack.askTimeline(m), pid: stack.pids.timeline }]]);
    result.topic.assignment = { one: await waitForGroup(admin, group, 1, topic) };

    const plan = burstPlan(network, partitions, options.inserts);
    result.burst = { posts: plan.posts.length, authors: plan.authors, inserts: plan.inserts, perPartition: plan.perPartition,
      biggestAuthorFollowers: plan.biggest };
    log(`  fan-out burst: ${plan.posts.length} posts by ${plan.authors} authors, ${plan.inserts.toLocaleString('en')} timeline inserts, one consumer...`);
    let sequence = 0x600;
    const fanout = async (/** @type {string} */ label, /** @type {{ rate: number, seconds: number } | undefined} */ pace) => {
      const run = await runFanout({ producer, topic, plan, timelines, stack, serverPids: options.serverPids, redis: options.redis,
        prefix: options.prefix, network, firstSequence: sequence, seed: options.seed, pace });
      sequence += run.posts;
      log(`    ${label}: ${run.insertsPerSecond.toLocaleString('en')} inserts/s (${run.seconds} s${run.missing ? `, ${run.missing} posts not handled in time` : ''}; ${run.insertsPerCoreSecond.toLocaleString('en')} per core-second of timeline and Redis)`);
      return run;
    };
    const fanoutOne = await fanout('one consumer', undefined);
    // The same posts at a quarter of that pace, each event made when due: the consumer keeps up, the ids arrive
    // (mostly) in order.
    const rate = Math.max(1, Math.round((PACED_SHARE * fanoutOne.posts) / fanoutOne.seconds));
    log(`  fan-out at a steady ${rate} posts/s for ${options.seconds} s, one consumer...`);
    const paced = await fanout('paced, one consumer', { rate, seconds: options.seconds });

    log('  what a post costs: postTweet through the gateway...');
    // The servers settled first (PostgreSQL vacuums and analyses the freshly loaded tables a while after a load).
    const settled = await settle(options.serverPids);
    result.posts = await measurePostCost({ stack, network, tokenOf: options.tokenOf, serverPids: options.serverPids, redis: options.redis,
      seconds: options.seconds, seed: options.seed, log });
    result.posts.settledSeconds = settled;

    log('  starting a second timeline process (it joins timeline.fanout) and a second gateway pointed at it...');
    const timeline2 = await stack.startReplica('timeline');
    await timeline2.child.ask({ type: 'fanout', mode: 'indexed' });
    timelines.set(timeline2.name, { ask: (m) => timeline2.child.ask(m), pid: timeline2.child.pid });
    result.topic.assignment.two = await waitForGroup(admin, group, 2, topic);
    const gateway2 = await stack.startReplica('gateway', { TIMELINE_URL: timeline2.url });
    const pids = { ...stack.pids, [timeline2.name]: timeline2.child.pid, [gateway2.name]: gateway2.child.pid };

    // Reads: each gateway warmed as the reads step warms one (every viewer's session checked once), then briefly.
    const one = [gatewayHome(stack.gatewayUrl, options.viewers)];
    const two = [...one, gatewayHome(gateway2.url, options.viewers)];
    for (const target of two) await closedLoop({ ...target, connections: options.connections, seconds: options.seconds, amount: options.viewers.length });
    for (const target of two) await closedLoop({ ...target, connections: options.connections, seconds: Math.min(3, options.seconds) });
    const generator = createRuntimeProbe({ box: true });
    const readRun = async (/** @type {'one' | 'two'} */ kind) => {
      const meter = await createCpuMeter({ stack: pids, servers: options.serverPids, redis: options.redis });
      generator.take();
      const run = await closedLoopSpread({ targets: kind === 'one' ? one : two, connections: options.connections, seconds: options.seconds });
      const cpu = await meter.take();
      const box = generator.take();
      log(`    ${kind === 'one' ? 'one gateway, one timeline' : 'two gateways, two timelines'}: ${run.throughput} pages/s, p99 ${run.latency.p99} ms (box ${box.boxBusyCores} of ${box.boxCores} cores busy)`);
      const perPage = perUnit(cpu, run.requests);
      // The bench's own processes (stack, servers, load generator) in cores, against the whole box (anyone's).
      const ownCores = round((perPage.total * run.requests) / 1000 / box.seconds + box.cpuShare, 2);
      return { kind, ...run, cpuMsPerPage: perPage, box: { busyCores: box.boxBusyCores, cores: box.boxCores, ownCores }, generatorCpuShare: box.cpuShare };
    };
    log(`  reads, card-only query, closed loop, ${options.connections} connections, ${options.seconds} s a run, ${options.rounds} round(s) of one and two...`);
    const reads = [];
    for (let r = 0; r < options.rounds; r += 1) {
      // One then two, then two then one: a drift of the box over the step weighs on both alike.
      for (const kind of /** @type {const} */ (r % 2 === 0 ? ['one', 'two'] : ['two', 'one'])) reads.push({ round: r + 1, ...(await readRun(kind)) });
    }
    result.reads = summarizeReads(reads);

    log('  fan-out burst again, two consumers...');
    const fanoutTwo = await fanout('two consumers', undefined);
    result.fanout = { one: fanoutOne, two: fanoutTwo, ratio: round(fanoutTwo.insertsPerSecond / fanoutOne.insertsPerSecond, 2), paced };
    await stack.stopReplicas();
    result.topic.assignment.after = await waitForGroup(admin, group, 1, topic).catch((error) => ({ error: String(error) }));
  } finally {
    await stack.stopReplicas().catch(() => {});
    await producer.disconnect().catch(() => {});
    await admin.disconnect().catch(() => {});
  }
  result.durationSeconds = round((Date.now() - started) / 1000, 1);
  return result;
}

/**
 * CPU ms per unit of work (a page, a post, an insert) of every process measured, by name, and the sums.
 * @param {{ stack: Record<string, number | null>, servers: Record<string, number | null> }} cpu @param {number} units
 */
function perUnit(cpu, units) {
  const per = (/** @type {Record<string, number | null>} */ byName) => Object.fromEntries(Object.entries(byName)
    .filter(([, v]) => typeof v === 'number').map(([name, v]) => [name, round(/** @type {number} */ (v) / Math.max(units, 1), 4)]));
  const stack = per(cpu.stack);
  const servers = per(cpu.servers);
  const sum = (/** @type {Record<string, number>} */ byName) => round(Object.values(byName).reduce((a, b) => a + b, 0), 4);
  return { stack, servers, stackTotal: sum(stack), serversTotal: sum(servers), total: round(sum(stack) + sum(servers), 4) };
}

/** Each kind's runs, their means and the ratio two / one. @param {any[]} runs */
function summarizeReads(runs) {
  const of = (/** @type {string} */ kind) => runs.filter((run) => run.kind === kind);
  const mean = (/** @type {number[]} */ values) => round(values.reduce((a, b) => a + b, 0) / Math.max(values.length, 1), 1);
  const side = (/** @type {string} */ kind) => {
    const list = of(kind);
    return {
      throughput: mean(list.map((run) => run.throughput)),
      p50: mean(list.map((run) => run.latency.p50)),
      p99: mean(list.map((run) => run.latency.p99)),
      errors: list.reduce((sum, run) => sum + run.errors, 0),
      cpuMsPerPage: meanCpu(list.map((run) => run.cpuMsPerPage)),
      boxBusyCores: mean(list.map((run) => run.box.busyCores)),
      ownCores: mean(list.map((run) => run.box.ownCores)),
      generatorCpuShare: mean(list.map((run) => run.generatorCpuShare)),
    };
  };
  const one = side('one');
  const two = side('two');
  const rounds = [...new Set(runs.map((run) => run.round))].map((r) => {
    const [a, b] = ['one', 'two'].map((kind) => runs.find((run) => run.round === r && run.kind === kind));
    return round(b.throughput / a.throughput, 2);
  });
  return { runs, one, two, ratio: round(two.throughput / one.throughput, 2), ratioByRound: rounds };
}

/** The mean of several runs' CPU per page, process by process. @param {any[]} list */
function meanCpu(list) {
  const names = (/** @type {'stack' | 'servers'} */ part) => [...new Set(list.flatMap((cpu) => Object.keys(cpu[part])))];
  const mean = (/** @type {'stack' | 'servers'} */ part, /** @type {string} */ name) =>
    round(list.reduce((sum, cpu) => sum + (cpu[part][name] ?? 0), 0) / list.length, 4);
  const stack = Object.fromEntries(names('stack').map((name) => [name, mean('stack', name)]));
  const servers = Object.fromEntries(names('servers').map((name) => [name, mean('servers', name)]));
  const sum = (/** @type {Record<string, number>} */ byName) => round(Object.values(byName).reduce((a, b) => a + b, 0), 4);
  return { stack, servers, stackTotal: sum(stack), serversTotal: sum(servers), total: round(sum(stack) + sum(servers), 4) };
}

/**
 * Waits until the consumer group has `members` members and is stable; then
 * its partitions of `topic`, member by member (how the group split them).
 *
 * @param {import('kafkajs').Admin} admin @param {string} group @param {number} members @param {string} topic
 */
async function waitForGroup(admin, group, members, topic) {
  const deadline = Date.now() + GROUP_WAIT_MS;
  let last = '';
  while (Date.now() < deadline) {
    const { groups } = await admin.describeGroups([group]);
    const g = groups[0];
    last = `${g?.state} with ${g?.members.length} member(s)`;
    if (g && g.state === 'Stable' && g.members.length === members) {
      const split = g.members.map((member) => {
        try {
          const decoded = AssignerProtocol.MemberAssignment.decode(member.memberAssignment);
          return { client: member.clientHost, partitions: (decoded?.assignment?.[topic] ?? []).slice().sort((a, b) => a - b) };
        } catch {
          return { client: member.clientHost, partitions: null };
        }
      });
      return { members: g.members.length, partitions: split.map((m) => m.partitions) };
    }
    await sleep(250);
  }
  throw new Error(`consumer group ${group} did not settle with ${members} member(s) (last seen: ${last})`);
}

/**
 * The fan-out burst: posts by the largest fanned-out authors, the same
 * number of timeline inserts on every partition of the topic (each author's
 * partition is murmur2 of their id, the event's key, as the producer hashes
 * it), each partition cycling through its biggest authors until it has its
 * share of `inserts`.
 *
 * @param {Network} network @param {number} partitions @param {number} inserts
 */
export function burstPlan(network, partitions, inserts) {
  const partitionOf = Partitioners.DefaultPartitioner();
  const metadata = Array.from({ length: Math.max(partitions, 1) }, (_, partitionId) => ({ partitionId, leader: 0 }));
  const byFollowers = [];
  for (let i = 0; i < network.users; i += 1) {
    if (network.followerCount[i] > 0 && network.followerCount[i] <= network.options.celebrityFollowers) byFollowers.push(i);
  }
  byFollowers.sort((a, b) => network.followerCount[b] - network.followerCount[a]);
  /** @type {number[][]} */
  const queues = metadata.map(() => []);
  for (const i of byFollowers) {
    const p = partitionOf({ topic: 'tweets', partitionMetadata: metadata, message: { key: network.userIds[i], value: null } });
    if (queues[p].length < AUTHORS_PER_PARTITION) queues[p].push(i);
    if (queues.every((q) => q.length >= AUTHORS_PER_PARTITION)) break;
  }
  const used = queues.map((q, p) => ({ p, q })).filter(({ q }) => q.length > 0);
  const share = inserts / Math.max(used.length, 1);
  const totals = new Map(used.map(({ p }) => [p, 0]));
  const cursor = new Map(used.map(({ p }) => [p, 0]));
  /** @type {Array<{ author: number, partition: number }>} */
  const posts = [];
  // Round by round, each partition's next author, while the partition is short of its share.
  for (let more = true; more;) {
    more = false;
    for (const { p, q } of used) {
      if (/** @type {number} */ (totals.get(p)) >= share) continue;
      const k = /** @type {number} */ (cursor.get(p));
      const author = q[k % q.length];
      cursor.set(p, k + 1);
      posts.push({ author, partition: p });
      totals.set(p, /** @type {number} */ (totals.get(p)) + network.followerCount[author] + 1);
      more = true;
    }
  }
  return {
    posts,
    authors: new Set(posts.map((post) => post.author)).size,
    /** Followers' timelines plus the author's own, per post. */
    inserts: posts.reduce((sum, post) => sum + network.followerCount[post.author] + 1, 0),
    perPartition: Object.fromEntries([...totals]),
    biggest: Math.max(...posts.map((post) => network.followerCount[post.author])),
  };
}

/**
 * Publishes tweet events for the plan's posts (fresh ids) and waits until
 * the timeline processes' fan-out handlers have finished every one; CPU of
 * every process and Redis's commands meanwhile; a sample of followers' home
 * lists checked for the authors' last posts. `pace` undefined: the whole
 * plan at once, a burst (the consumers work through a backlog, so a
 * follower gets posts out of id order and the insert script places them:
 * LPOS and LRANGE of the list, then LINSERT); `pace`: the plan's posts in
 * turn at `rate` posts/s for `seconds`, each event made when it is due, as
 * posts arrive when the consumers keep up (mostly in order: LPUSH; a
 * consumer that fetched several partitions' events at once still handles
 * them partition by partition).
 *
 * @param {{ producer: import('kafkajs').Producer, topic: string, plan: ReturnType<typeof burstPlan>,
 *   timelines: Map<string, { ask: (m: object) => Promise<any>, pid: number }>, stack: BenchStack,
 *   serverPids: Record<string, number>, redis: import('ioredis').Redis, prefix: string, network: Network,
 *   firstSequence: number, seed: number, pace?: { rate: number, seconds: number } }} options
 */
async function runFanout({ producer, topic, plan, timelines, stack, serverPids, redis, prefix, network, firstSequence, seed, pace }) {
  const count = pace ? Math.max(1, Math.round(pace.rate * pace.seconds)) : plan.posts.length;
  /** @type {Array<{ author: number, partition: number, tweetId: string, publishedAt: number }>} */
  const posts = [];
  /** @type {Map<string, (typeof posts)[number]>} */
  const byId = new Map();
  const message = (/** @type {{ author: number, partition: number }} */ post, /** @type {number} */ n) => {
    const tweetId = freshId(firstSequence + n);
    const entry = { ...post, tweetId, publishedAt: NaN };
    posts.push(entry);
    byId.set(tweetId, entry);
    const createdAt = new Date().toISOString();
    const authorId = network.userIds[post.author];
    const event = { id: `tweet:${tweetId}:v1`, type: EventTypes.tweetPosted, occurredAt: createdAt, key: authorId,
      payload: { tweetId, authorId, version: 1, text: `scale burst ${tweetId}`, createdAt, editedAt: null, deleted: false } };
    // As KafkaEventBus.publish writes it (serializeEvent is JSON of the envelope).
    return { entry, kafka: { key: authorId, value: JSON.stringify(event), headers: { 'event-type': event.type, 'event-id': event.id } } };
  };
  const send = async (/** @type {Array<ReturnType<typeof message>>} */ batch) => {
    await producer.send({ topic, acks: -1, messages: batch.map((m) => m.kafka) });
    const at = performance.timeOrigin + performance.now();
    for (const m of batch) m.entry.publishedAt = at;
  };
  const pids = { ...stack.pids, ...Object.fromEntries([...timelines].filter(([name]) => name !== 'timeline').map(([name, t]) => [name, t.pid])) };
  // Each run starts with the processes' handler times cleared (the bench keeps the ones from before the step).
  for (const timeline of timelines.values()) await timeline.ask({ type: 'timings' });
  const meter = await createCpuMeter({ stack: pids, servers: serverPids, redis });
  const commandsBefore = await commandStats(redis);
  const startedAt = performance.timeOrigin + performance.now();
  if (!pace) {
    const all = plan.posts.map((post, n) => message(post, n));
    for (let start = 0; start < all.length; start += PUBLISH_BATCH) await send(all.slice(start, start + PUBLISH_BATCH));
  } else {
    const began = performance.now();
    for (let sent = 0; sent < count;) {
      const due = Math.min(count, Math.floor(((performance.now() - began) * pace.rate) / 1000) + 1);
      const batch = [];
      for (; sent < due; sent += 1) batch.push(message(plan.posts[sent % plan.posts.length], sent));
      if (batch.length > 0) await send(batch);
      await sleep(5);
    }
  }
  const publishedAt = performance.timeOrigin + performance.now();
  /** @type {Map<string, { endedAt: number, ms: number, process: string }>} */
  const done = new Map();
  const deadline = Date.now() + BURST_TIMEOUT_MS;
  /** How many of each process's timings have been read: each poll asks for the new ones only. */
  const seen = new Map([...timelines.keys()].map((name) => [name, 0]));
  while (done.size < posts.length && Date.now() < deadline) {
    await sleep(200);
    for (const [name, timeline] of timelines) {
      const { timings, workers } = await timeline.ask({ type: 'timings', peek: true, from: seen.get(name) });
      // A process with node:cluster workers answers for all of them (service-process.js): no single offset, so all again.
      seen.set(name, workers > 1 ? 0 : /** @type {number} */ (seen.get(name)) + timings.length);
      for (const t of timings) if (byId.has(t.tweetId) && !done.has(t.tweetId)) done.set(t.tweetId, { endedAt: t.endedAt, ms: t.ms, process: name });
    }
  }
  const cpu = await meter.take();
  const commands = commandDelta(commandsBefore, await commandStats(redis));
  const lastEnd = Math.max(...[...done.values()].map((d) => d.endedAt));
  const seconds = (lastEnd - startedAt) / 1000;
  const insertsOf = (/** @type {string} */ id) => network.followerCount[/** @type {any} */ (byId.get(id)).author] + 1;
  const inserts = [...done.keys()].reduce((sum, id) => sum + insertsOf(id), 0);
  /** @type {Record<string, { events: number, inserts: number }>} */
  const byProcess = {};
  for (const [id, d] of done) {
    const entry = (byProcess[d.process] ??= { events: 0, inserts: 0 });
    entry.events += 1;
    entry.inserts += insertsOf(id);
  }
  const perInsert = perUnit(cpu, inserts);
  const timelineCpuMs = Object.entries(cpu.stack).filter(([name]) => name.startsWith('timeline')).reduce((sum, [, v]) => sum + (v ?? 0), 0);
  const redisCpuMs = cpu.servers.redis ?? 0;
  const script = (/** @type {string} */ name) => commands.top.find((row) => row.command === name)?.calls ?? 0;
  return {
    consumers: timelines.size,
    ...(pace ? { rate: pace.rate, offeredSeconds: pace.seconds } : {}),
    posts: posts.length,
    handled: done.size,
    missing: posts.length - done.size,
    inserts,
    publishSeconds: round((publishedAt - startedAt) / 1000, 3),
    seconds: round(seconds, 2),
    insertsPerSecond: Math.round(inserts / seconds),
    handlerMs: summarize([...done.values()].map((d) => d.ms)),
    // From each event's publish (its send answered) to its handler's end.
    lagMs: summarize([...done].map(([id, d]) => d.endedAt - /** @type {any} */ (byId.get(id)).publishedAt)),
    byProcess,
    cpuMs: cpu,
    cpuUsPerInsert: Object.fromEntries(Object.entries({ ...perInsert.stack, ...perInsert.servers }).map(([name, v]) => [name, round(v * 1000, 3)])),
    // The consumers' and Redis's CPU together: what the fan-out itself costs (Kafka's is listed apart).
    insertsPerCoreSecond: Math.round(inserts / ((timelineCpuMs + redisCpuMs) / 1000)),
    timelineCpuMs, redisCpuMs,
    coresBusy: round((timelineCpuMs + redisCpuMs) / 1000 / seconds, 2),
    // Where Redis's time went: its commands' own time (INFO commandstats), the busiest first; and how the
    // inserts went in: at the head (LPUSH) or placed below it (LINSERT, after LPOS and LRANGE of the list).
    redisCommands: commands,
    insertedAtHead: script('lpush'),
    insertedBelowHead: script('linsert') + script('rpush'),
    verified: await verifyBurst(redis, prefix, network, posts, seed),
  };
}

/**
 * Waits (at most a minute) until the servers the bench started use under
 * 0.15 cores for two seconds running; returns the seconds waited.
 * @param {Record<string, number>} serverPids
 */
async function settle(serverPids) {
  const meter = createTreeCpuMeter(serverPids);
  const started = Date.now();
  let quiet = 0;
  while (quiet < 2 && Date.now() - started < 60_000) {
    await sleep(1000);
    const used = Object.values(meter.take()).reduce((/** @type {number} */ sum, v) => sum + (v ?? 0), 0);
    quiet = used < 150 ? quiet + 1 : 0;
  }
  return round((Date.now() - started) / 1000, 1);
}

/** Calls and µs per Redis command so far (INFO commandstats). @param {import('ioredis').Redis} redis */
async function commandStats(redis) {
  const info = await redis.info('commandstats');
  /** @type {Record<string, { calls: number, usec: number }>} */
  const stats = {};
  for (const match of info.matchAll(/^cmdstat_([^:]+):calls=(\d+),usec=(\d+)/gm)) stats[match[1]] = { calls: Number(match[2]), usec: Number(match[3]) };
  return stats;
}

/**
 * The commands run between two readings, the busiest (by time) first.
 * @param {Record<string, { calls: number, usec: number }>} before @param {Record<string, { calls: number, usec: number }>} after
 */
function commandDelta(before, after) {
  const rows = Object.entries(after).map(([name, a]) => {
    const b = before[name] ?? { calls: 0, usec: 0 };
    return { command: name, calls: a.calls - b.calls, usec: a.usec - b.usec };
  }).filter((row) => row.calls > 0).sort((x, y) => y.usec - x.usec);
  const calls = rows.reduce((sum, row) => sum + row.calls, 0);
  const usec = rows.reduce((sum, row) => sum + row.usec, 0);
  return { calls, usec, top: rows.slice(0, 10).map((row) => ({ ...row, usecPerCall: round(row.usec / row.calls, 2) })) };
}

/**
 * The last post of up to 10 authors of the burst: is it in 20 sampled followers' home lists?
 * @param {import('ioredis').Redis} redis @param {string} prefix @param {Network} network
 * @param {Array<{ author: number, tweetId: string }>} posts @param {number} seed
 */
async function verifyBurst(redis, prefix, network, posts, seed) {
  const random = createRandom(seed ^ 0x5ca1e);
  /** @type {Map<number, string>} */
  const last = new Map();
  for (const post of posts) last.set(post.author, post.tweetId);
  let checked = 0;
  let found = 0;
  for (const [author, tweetId] of [...last].slice(0, 10)) {
    const all = followersOf(network, author);
    const sample = Array.from(sampleDistinct(random, all.length + 1, Math.min(20, all.length), all.length), (k) => network.userIds[all[k]]);
    const pipeline = redis.pipeline();
    for (const id of sample) pipeline.lpos(`${prefix}${TIMELINE_KEYS.home(id)}`, tweetId);
    const answers = (await pipeline.exec()) ?? [];
    checked += sample.length;
    found += answers.filter(([error, position]) => !error && position !== null).length;
  }
  return { checked, found };
}

/**
 * postTweet through the gateway by authors with few followers, POSTERS at a
 * time for `seconds`, after a warm-up post each; CPU per post of every
 * process, counted until the fan-out of every post has finished.
 *
 * @param {{ stack: BenchStack, network: Network, tokenOf: (index: number) => Promise<string>,
 *   serverPids: Record<string, number>, redis: import('ioredis').Redis, seconds: number, seed: number, log: (line: string) => void }} options
 */
async function measurePostCost({ stack, network, tokenOf, serverPids, redis, seconds, seed, log }) {
  const random = createRandom(seed ^ 0x9057);
  /** @type {number[]} */
  const authors = [];
  const taken = new Set();
  for (let tries = 0; authors.length < POST_AUTHORS && tries < network.users * 4; tries += 1) {
    const i = randomInt(random, network.users);
    const followers = network.followerCount[i];
    if (!taken.has(i) && followers >= 1 && followers <= 50) {
      taken.add(i);
      authors.push(i);
    }
  }
  const tokens = await Promise.all(authors.map((i) => tokenOf(i)));
  await stack.askTimeline({ type: 'timings' });
  // Warm-up: each author's session checked once, every path run.
  await Promise.all(tokens.map((token, k) => postTweet(stack.gatewayUrl, token, `scale warm-up post ${k}`)));
  const meter = await createCpuMeter({ stack: stack.pids, servers: serverPids, redis });
  /** @type {number[]} */
  const latencies = [];
  /** @type {string[]} */
  const ids = [];
  let failures = 0;
  let next = 0;
  const until = Date.now() + seconds * 1000;
  const started = performance.now();
  await Promise.all(Array.from({ length: POSTERS }, async () => {
    while (Date.now() < until) {
      const k = next++ % tokens.length;
      try {
        const answer = await postTweet(stack.gatewayUrl, tokens[k], `scale post ${next}`);
        latencies.push(answer.ms);
        ids.push(answer.id);
      } catch {
        failures += 1;
      }
    }
  }));
  const wall = (performance.now() - started) / 1000;
  // The fan-out of the last posts, before the CPU is read.
  const wanted = new Set(ids);
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    const { timings } = await stack.askTimeline({ type: 'timings', peek: true });
    const seen = timings.filter((/** @type {any} */ t) => wanted.has(t.tweetId)).length;
    if (seen >= wanted.size) break;
    await sleep(100);
  }
  const cpu = await meter.take();
  const posts = ids.length;
  log(`    ${posts} posts in ${round(wall, 1)} s (${round(posts / wall, 1)}/s, ${POSTERS} in flight), p50 ${summarize(latencies).p50} ms`);
  return { posters: POSTERS, authors: authors.length, posts, failures, seconds: round(wall, 1), postsPerSecond: round(posts / wall, 1),
    latency: summarize(latencies), cpuMsPerPost: perUnit(cpu, posts) };
}

/**
 * Redis memory by key kind in the bench's namespace: keys counted by SCAN,
 * their kind the key with ids replaced by `<id>`, MEMORY USAGE (all
 * elements) of up to 200 of each kind.
 *
 * @param {import('ioredis').Redis} redis @param {string} prefix  the namespace's, e.g. "bench:"
 */
async function redisSizes(redis, prefix) {
  /** @type {Map<string, { count: number, sample: string[] }>} */
  const kinds = new Map();
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 5000);
    cursor = next;
    for (const key of keys) {
      const kind = key.slice(prefix.length).replace(/\d{6,}(:\d{6,})?/g, '<id>');
      const entry = kinds.get(kind) ?? { count: 0, sample: [] };
      entry.count += 1;
      if (entry.sample.length < 200) entry.sample.push(key);
      kinds.set(kind, entry);
    }
  } while (cursor !== '0');
  /** @type {Record<string, { keys: number, meanBytes: number, meanLength?: number }>} */
  const byKind = {};
  for (const [kind, { count, sample }] of [...kinds].sort((a, b) => b[1].count - a[1].count)) {
    const pipeline = redis.pipeline();
    for (const key of sample) pipeline.memory('USAGE', key, 'SAMPLES', 0).type(key);
    const answers = ((await pipeline.exec()) ?? []).map(([, v]) => v);
    const bytes = answers.filter((_, k) => k % 2 === 0).map(Number);
    const type = String(answers[1] ?? '');
    const entry = { keys: count, type, meanBytes: Math.round(bytes.reduce((a, b) => a + b, 0) / Math.max(bytes.length, 1)) };
    if (type === 'list') {
      const lengths = pipelineAnswers(await sample.reduce((p, key) => p.llen(key), redis.pipeline()).exec());
      /** @type {any} */ (entry).meanLength = round(lengths.reduce((a, b) => a + b, 0) / Math.max(lengths.length, 1), 1);
    }
    byKind[kind] = entry;
  }
  const info = await redis.info('memory');
  return { byKind, usedMemoryBytes: Number(/used_memory:(\d+)/.exec(info)?.[1] ?? NaN), keys: await redis.dbsize() };
}

/** @param {Array<[Error | null, unknown]> | null} answers */
const pipelineAnswers = (answers) => (answers ?? []).map(([, v]) => Number(v));

/**
 * BSON bytes per document of every collection in the bench's databases (a
 * sample of up to 1,000 each), their counts and indexes.
 *
 * @param {string} url @param {string} namespace
 */
async function mongoSizes(url, namespace) {
  const client = await MongoClient.connect(url, { maxPoolSize: 4 });
  /** @type {Record<string, any>} */
  const byCollection = {};
  try {
    for (const name of ['users', 'tweets', 'timeline', 'notifications']) {
      const db = client.db(`${namespace}_${name}`);
      for (const { name: collection } of await db.listCollections({}, { nameOnly: true }).toArray()) {
        const c = db.collection(collection);
        const documents = await c.estimatedDocumentCount();
        if (documents === 0) continue;
        const sample = await c.find({}).limit(1000).toArray();
        const bytes = sample.map((doc) => BSON.calculateObjectSize(doc));
        const indexes = (await c.listIndexes().toArray()).map((index) => Object.keys(index.key).join(','));
        byCollection[`${name}.${collection}`] = { documents, meanBsonBytes: Math.round(bytes.reduce((a, b) => a + b, 0) / bytes.length), indexes };
      }
    }
  } finally {
    await client.close();
  }
  return byCollection;
}

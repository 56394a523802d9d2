// Turns the bench's result into benchmarks/results/latest.json, latest.md
// (targets met or not, every figure, what limits it) and SVG charts.

import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { barChart } from './charts.js';

/** @typedef {Record<string, any>} Result */

const ms = (/** @type {number | null | undefined} */ v) => (v === null || v === undefined || !Number.isFinite(v) ? 'n/a' : `${v} ms`);
const int = (/** @type {number} */ v) => Math.round(v).toLocaleString('en');

/**
 * The processes' own stalls during a run: the stack's (for gateway runs)
 * event-loop delay and longest GC pause, and the load generator's
 * event-loop delay (its stalls would show as latency too).
 *
 * @param {any} run
 * @param {boolean} stack
 */
function stalls(run, stack) {
  const rt = run.runtime;
  if (!rt) return 'n/a';
  const own = stack ? `stack: ${Math.round(rt.stack.cpuShare * 100)}% CPU, loop delay p99 ${rt.stack.loopDelayMs.p99} / max ${rt.stack.loopDelayMs.max} ms, GC max ${rt.stack.gc.maxMs} ms; ` : '';
  return `${own}generator: loop delay max ${rt.loadGenerator.loopDelayMs.max} ms`;
}

/** One author class's lag, or why there is none. @param {any} c */
function lagText(c) {
  if (c.posts.length === 0) return 'not measured (time budget spent)';
  if (c.missed > 0 || c.lag.count === 0) return `not visible in time (${c.missed} of ${c.missed + c.lag.count} sampled followers)`;
  return ms(c.lag.p99);
}

/**
 * Each target with its measured value and whether it was met.
 *
 * @param {Result} r
 */
export function judgeTargets(r) {
  const gateway = r.reads.closed.gateway;
  const targets = [
    { target: 'home timeline p99 ≤ 25 ms at the measured throughput',
      value: `p99 ${ms(gateway.latency.p99)} at ${int(gateway.throughput)} req/s (${gateway.connections} connections)`,
      met: gateway.latency.p99 <= 25 && gateway.errors === 0 },
    { target: 'gateway throughput ≥ 25% of the bare handler',
      value: `${(r.reads.closed.throughputRatio * 100).toFixed(1)}% (${int(gateway.throughput)} vs ${int(r.reads.closed.bare.throughput)} req/s)`,
      met: r.reads.closed.throughputRatio >= 0.25 },
  ];
  const sequential = r.inserts.runs.find((/** @type {any} */ run) => run.inFlight === 1);
  targets.push({ target: '≥ 100K timeline inserts/s (addToHomes, chunks of 1000 one after another, as the fan-out does)',
    value: `${int(sequential.best)} inserts/s`, met: sequential.best >= 100_000 });
  for (const [mode, title] of [['indexed', 'fan-out over indexed lookups'], ['ferretdb', 'product consumer on FerretDB']]) {
    const byClass = r.lag[mode];
    if (!byClass) continue;
    const classes = Object.entries(byClass);
    const worst = Math.max(...classes.map(([, c]) => (c.missed > 0 || c.lag.count === 0 ? Infinity : c.lag.p99)));
    targets.push({ target: `post-to-visible p99 ≤ 1 s up to 10K followers (${title})`,
      value: classes.map(([size, c]) => `${int(Number(size))}: ${lagText(c)}`).join(' · '),
      met: worst <= 1000 });
  }
  const runs = r.readsDuringPosts.runs;
  const baselines = `${ms(runs[0].reads.latency.p99)} and ${ms(runs[runs.length - 1].reads.latency.p99)}`;
  for (const run of runs.filter((/** @type {any} */ run) => run.short.startsWith('biggest'))) {
    targets.push({ target: `biggest account's posts raise read p99 at most 1.5× (${run.short.replace('biggest, ', '')})`,
      value: `${run.p99Ratio}× (p99 ${ms(run.reads.latency.p99)} against ${baselines} without posts)`, met: run.p99Ratio <= 1.5 });
  }
  targets.push({ target: '≤ 10 KB per cached 800-entry timeline',
    value: `${int(r.memory.meanBytes)} bytes (${int(r.memory.withGenKeyBytes)} with a :gen key)`, met: r.memory.withGenKeyBytes <= 10 * 1024 });
  return targets;
}

/** @param {Result} r */
function charts(r) {
  const { closed, open } = r.reads;
  const runs = [
    ['gateway, closed', closed.gateway], ['bare, closed', closed.bare],
    ...open.flatMap((/** @type {any} */ o) => [[`gateway @${o.rate}/s`, o.gateway], [`bare @${o.rate}/s`, o.bare]]),
  ];
  const lagClasses = Object.entries(r.lag.indexed);
  return {
    'latency.svg': barChart({
      title: 'homeTimeline(first: 20) latency', unit: 'ms', groups: runs.map(([name]) => name),
      series: ['p50', 'p95', 'p99'].map((p) => ({ name: p, values: runs.map(([, run]) => run.latency[p]) })),
      target: { value: 25, label: 'target p99 25 ms' },
    }),
    'throughput.svg': barChart({
      title: `Throughput at ${closed.gateway.connections} connections`, unit: 'requests/s', groups: ['gateway (GraphQL)', 'bare node:http'],
      series: [{ name: 'req/s', values: [closed.gateway.throughput, closed.bare.throughput] }],
      target: { value: closed.bare.throughput * 0.25, label: '25% of bare' },
    }),
    'lag.svg': barChart({
      title: 'Post-to-visible lag by author class (fan-out over indexed lookups)', unit: 'ms',
      groups: lagClasses.map(([size]) => `${int(Number(size))} followers`),
      series: ['p50', 'p99', 'max'].map((p) => ({ name: p, values: lagClasses.map(([, c]) => c.lag[p]) })),
      target: { value: 1000, label: 'target p99 1 s' },
    }),
    'reads-during-posts.svg': barChart({
      title: `Read latency at ${r.readsDuringPosts.rate} req/s while an account posts every second`, unit: 'ms',
      groups: r.readsDuringPosts.runs.map((/** @type {any} */ run) => run.short),
      series: ['p50', 'p95', 'p99'].map((p) => ({ name: p, values: r.readsDuringPosts.runs.map((/** @type {any} */ run) => run.reads.latency[p]) })),
    }),
    'inserts.svg': barChart({
      title: 'Timeline inserts per second (RedisTimelineStore.addToHomes)', unit: 'inserts/s',
      groups: r.inserts.runs.map((/** @type {any} */ run) => `${run.inFlight} chunk(s) in flight`),
      series: [{ name: 'best of 3 tweets', values: r.inserts.runs.map((/** @type {any} */ run) => run.best) }],
      target: { value: 100_000, label: 'target 100K/s' },
    }),
  };
}

/**
 * What the measurements themselves say about their limits.
 *
 * @param {Result} r
 * @returns {string[]}
 */
function limits(r) {
  const g = r.reads.closed.gateway;
  const lines = [
    `**One event loop for the whole stack.** \`startStack\` runs the gateway and all four subgraphs in one Node process, so a read costs one core-share of everything: during the gateway's closed-loop run the stack process used ${g.runtime ? `${Math.round(g.runtime.stack.cpuShare * 100)}%` : 'all'} of a core, i.e. about ${(1000 / g.throughput).toFixed(1)} ms of CPU per request (two Apollo Server hops, query planning, the gateway's HTTP client to the subgraph, a JWT check in each hop, the timeline's read). The bare handler, in its own process, spends about ${(1000 / r.reads.closed.bare.throughput).toFixed(2)} ms. In production each service has its own process (and cores), which this box cannot show.`,
    `**FerretDB/SQLite on the write path.** Every \`postTweet\` waited ${mutationRange(r)} for its answer: after the insert, the outbox marks the tweet published with an update by \`_id\` and version, which FerretDB answers by reading the whole collection. Those scans also take a core from everything else while they run (see the postTweet row of the reads-while-posting table). The fan-out consumer as wired scans \`follow_graph\` twice and the tweets projection once per tweet; ${r.fanoutHandlerMs.ferretdb.count ? `its handler took ${ms(r.fanoutHandlerMs.ferretdb.p50)} (p50)` : 'no run of its handler finished within the time budget'}; a handler longer than the consumer's 10 s Kafka session makes the group rebalance and the event is delivered again${r.fanoutHandlerMs.redelivered.length ? ` (seen ${Math.max(...r.fanoutHandlerMs.redelivered.map((/** @type {any} */ e) => e.attempts))} times for one tweet)` : ''}. On MongoDB these are index lookups.`,
  ];
  const sequential = r.inserts.runs.find((/** @type {any} */ run) => run.inFlight === 1);
  if (sequential) {
    const perInsert = sequential.redisUsecPerInsert;
    lines.push(`**Fan-out inserts.** One chunk at a time the Node client used ${Math.round(sequential.clientCpuShare * 100)}% of a core and Redis ${Math.round(sequential.redisCpuShare * 100)}%; Redis ran its insert script for ${Math.round(sequential.redisScriptSecondsShare * 100)}% of the insert time (${sequential.redisUsecPerScriptCall} µs per script call${perInsert ? `, ${perInsert} µs per insert, which caps one Redis at about ${int(1e6 / perInsert)} inserts/s` : ''}).`);
  }
  lines.push(`**A shared box.** Redis, Kafka, FerretDB, the stack, the bare handler and the load generator share ${r.machine.nproc} cores; the load generator's own event-loop stalls are listed beside each run. Figures moved by tens of percent between runs on this machine when other work ran beside the bench.`);
  return lines;
}

/** @param {Result} r */
function mutationRange(r) {
  const times = Object.values(r.lag.indexed).flatMap((/** @type {any} */ c) => c.posts.map((/** @type {any} */ p) => p.mutationMs)).filter((v) => typeof v === 'number');
  return times.length ? `${int(Math.min(...times))}–${int(Math.max(...times))} ms` : 'longer than the time limit';
}

/**
 * @param {Result} r
 * @returns {string}
 */
export function markdown(r) {
  const m = r.machine;
  const p = r.parameters;
  const n = r.network;
  const latencyRow = (/** @type {string} */ name, /** @type {any} */ run, /** @type {string} */ load) =>
    `| ${name} | ${load} | ${int(run.requests)} | ${run.errors} | ${ms(run.latency.p50)} | ${ms(run.latency.p95)} | ${ms(run.latency.p99)} | ${ms(run.latency.max)} | ${stalls(run, name === 'gateway')} |`;
  const lagRows = (/** @type {string} */ mode) => Object.entries(r.lag[mode] ?? {}).map(([size, c]) =>
    `| ${int(Number(size))} | ${c.posts.length} | ${c.sampledFollowers} | ${c.missed} | ${ms(c.lag.p50)} | ${ms(c.lag.p99)} | ${ms(c.lag.max)} | ${c.posts.map((/** @type {any} */ post) => post.mutationMs).join(', ')} |`);
  const lines = [
    '# Chirp benchmark: home timeline, fan-out, lag, memory',
    '',
    `Run ${r.startedAt} → ${r.finishedAt} (${r.durationSeconds} s in all). Command: \`${r.command}\`.`,
    '',
    `**Machine**: ${m.nproc} CPUs (${m.cpuModel}), ${m.memoryGiB} GiB, ${m.os}, Node ${m.node}. Everything — servers, the stack, the load generator — on this one box.`,
    `**Servers**: ${r.servers.given ? 'given in the environment' : `Redis (Debian redis-server), ${r.servers.kafka}, ${r.servers.mongodb}, started on loopback by the bench`}.`,
    `**Load average** (1, 5, 15 min) before the run: ${r.loadAverage?.atStart?.join(', ') ?? 'n/a'}; after: ${r.loadAverage?.atEnd?.join(', ') ?? 'n/a'}. Anything else running on the box (another engineer's test suite, say) takes CPU from the figures below; compare runs with that in mind.`,
    `**Stack**: \`startStack\` (gateway + users, tweets, timeline, notifications) in one Node process, \`NODE_ENV=production\`, \`LOG_LEVEL=warn\`; the bare handler in its own process; the load generator (autocannon and an open-loop driver) in a third.`,
    '',
    `**Parameters**: ${int(p.users)} users, seed ${p.seed}, mean following ${p.following}, celebrity threshold ${int(p.celebrityThreshold)} followers, ${p.maxLength} ids per cached timeline, ${p.viewers} viewers' tokens cycled, ${p.connections} connections, ${p.seconds} s per read run, ${p.posts} posts per author class.`,
    '',
    '## Targets',
    '',
    '| Target | Measured | Met |',
    '|---|---|---|',
    ...judgeTargets(r).map((t) => `| ${t.target} | ${t.value} | ${t.met ? 'yes' : '**no**'} |`),
    '',
    '## The network and the load',
    '',
    `${int(n.users)} users, ${int(n.followEdges)} follow edges (mean ${n.meanFollowing} followed each), ${int(n.tweets)} tweets. Followers follow a Zipf law; the ten biggest accounts have ${n.top10FollowerCounts.map(int).join(', ')} followers. Celebrities (merged at read time): ${n.celebrities.map((/** @type {any} */ c) => `${c.handle} with ${int(c.followers)}`).join(', ') || 'none'}. Largest fanned-out account: ${n.largestNonCelebrity.handle} with ${int(n.largestNonCelebrity.followers)}. Author classes for the lag: ${Object.entries(n.authorClasses).map(([size, list]) => `${int(Number(size))} (${list.map((/** @type {any} */ a) => a.handle).join(', ')})`).join('; ')}.`,
    '',
    `| Step | Time | What |`,
    '|---|---|---|',
    `| generate | ${r.phases.generateSeconds} s | network, in memory, from the seed |`,
    `| load (both stores side by side) | ${r.load.seconds} s | |`,
    `| · MongoDB | ${r.load.mongo.seconds.toFixed(1)} s | ${int(r.load.mongo.documents)} documents by insertMany (users, follows; tweets; the timeline's authors, follow_graph, tweets) — FerretDB/SQLite bound, about ${int(r.load.mongo.documents / r.load.mongo.seconds)} documents/s |`,
    `| · Redis | ${r.load.redis.seconds.toFixed(1)} s | ${int(r.load.redis.homes)} home timelines (${int(r.load.redis.homeEntries)} ids; ${int(r.load.redis.fullHomes)} full at ${p.maxLength}), cards and authors for every tweet and user, celebrities' recent lists |`,
    `| stack start | ${r.phases.stackStartSeconds} s | includes the repositories' index builds on the loaded collections |`,
    '',
    `Page check: ${r.pageCheck.identical} of ${r.pageCheck.checked} sampled viewers got the same page from the gateway and from the bare handler (mean ${r.pageCheck.meanEdges} edges).`,
    '',
    '## Read path: `homeTimeline(first: 20) { edges { node { text author { handle displayName } } } }`',
    '',
    '![latency](latency.svg) ![throughput](throughput.svg)',
    '',
    '| Path | Load | Requests | Errors | p50 | p95 | p99 | max | Stalls meanwhile |',
    '|---|---|---|---|---|---|---|---|---|',
    latencyRow('gateway', r.reads.closed.gateway, `closed loop, ${r.reads.closed.gateway.connections} connections: **${int(r.reads.closed.gateway.throughput)} req/s**`),
    latencyRow('bare handler', r.reads.closed.bare, `closed loop, ${r.reads.closed.bare.connections} connections: **${int(r.reads.closed.bare.throughput)} req/s**`),
    ...r.reads.open.flatMap((/** @type {any} */ o) => [
      latencyRow('gateway', o.gateway, `open loop ${o.rate} req/s (${Math.round(o.share * 100)}% of its throughput; achieved ${o.gateway.achievedRate})`),
      latencyRow('bare handler', o.bare, `open loop ${o.rate} req/s (achieved ${o.bare.achievedRate})`),
    ]),
    '',
    `Gateway throughput / bare handler throughput: **${(r.reads.closed.throughputRatio * 100).toFixed(1)}%**. The stack process used ${r.reads.stackCpuSeconds} CPU-seconds during the read runs. Open-loop latency counts from when each request was due, so queueing is included (no coordinated omission). The bare handler reads \`LRANGE home 0 19\`, \`MGET\` the cards and \`MGET\` the authors, with no GraphQL, no federation and no token check; it does not merge celebrities' recent tweets (the loaded timelines already hold them, so the pages match).`,
    '',
    ...(r.stackProfile ? [
      `**Where the stack process's CPU went** (BENCH_PROFILE: V8 sampling profile, busiest ${r.stackProfile.windowSeconds} s window — the gateway's closed-loop run — ${r.stackProfile.busyPercent}% busy; the profiler itself slows the stack, so the figures of a profiled run are a little lower):`,
      '',
      '| Package (inclusive: on the stack) | % of samples | Package (self: at the top) | % of samples |',
      '|---|---|---|---|',
      ...r.stackProfile.inclusive.map((/** @type {any} */ row, /** @type {number} */ k) => `| ${row.name} | ${row.percent} | ${r.stackProfile.self[k]?.name ?? ''} | ${r.stackProfile.self[k]?.percent ?? ''} |`),
      '',
    ] : []),
    '## Fan-out',
    '',
    '![inserts](inserts.svg)',
    '',
    `A fresh tweet id pushed onto all ${int(r.network.users)} cached timelines through \`RedisTimelineStore.addToHomes\` (its Lua insert: LLEN, LINDEX, LPUSH, LTRIM) in chunks of ${r.inserts.chunk}, then removed again:`,
    '',
    '| Chunks in flight | Inserts/s per tweet | Best | Redis µs per script call | Redis busy in the script | Redis CPU | client (Node) CPU |',
    '|---|---|---|---|---|---|---|',
    ...r.inserts.runs.map((/** @type {any} */ run) => `| ${run.inFlight}${run.inFlight === 1 ? ' (as FanoutService does)' : ''} | ${run.insertsPerSecond.map(int).join(', ')} | **${int(run.best)}** | ${run.redisUsecPerScriptCall} | ${Math.round(run.redisScriptSecondsShare * 100)}% of the insert time | ${Math.round(run.redisCpuShare * 100)}% of a core | ${Math.round(run.clientCpuShare * 100)}% of a core |`),
    '',
    '### Post-to-visible lag',
    '',
    'Each post goes through the gateway (`postTweet`: tweets subgraph → MongoDB → outbox → Kafka), the timeline\'s fan-out consumer pushes the id onto the followers\' cached timelines, and the bench polls sampled followers\' `home:<id>` lists in Redis (every 2 ms, up to 100 followers per post) until the id shows. Lag is from sending the mutation.',
    '',
    '![lag](lag.svg)',
    '',
    '**Fan-out over indexed lookups** (the timeline\'s own FanoutService, RedisTimelineStore and CardService on the real Redis and Kafka, with the follow graph and projections answered from memory by index, as MongoDB\'s indexes would):',
    '',
    '| Followers | Posts | Followers sampled | Missed | p50 | p99 | max | postTweet mutation (ms) |',
    '|---|---|---|---|---|---|---|---|',
    ...lagRows('indexed'),
    '',
    ...(r.lag.ferretdb ? [
      '**The product\'s consumer as wired, on FerretDB** (one post per class, within the time budget):',
      '',
      '| Followers | Posts | Followers sampled | Missed | p50 | p99 | max | postTweet mutation (ms) |',
      '|---|---|---|---|---|---|---|---|',
      ...lagRows('ferretdb'),
      '',
    ] : []),
    `Fan-out handler time per tweet event (timeline process): indexed p50 ${ms(r.fanoutHandlerMs.indexed.p50)}, max ${ms(r.fanoutHandlerMs.indexed.max)} over ${r.fanoutHandlerMs.indexed.count} events; on FerretDB p50 ${ms(r.fanoutHandlerMs.ferretdb.p50)}, max ${ms(r.fanoutHandlerMs.ferretdb.max)} over ${r.fanoutHandlerMs.ferretdb.count} events (an event still running when the bench stopped is not counted).${r.fanoutHandlerMs.redelivered.length ? ` Events handled more than once (redelivered after the consumer lost its group membership): ${r.fanoutHandlerMs.redelivered.map((/** @type {any} */ e) => `${e.tweetId} ×${e.attempts}`).join(', ')}.` : ''}`,
    '',
    '### Reads while big accounts post',
    '',
    '![reads during posts](reads-during-posts.svg)',
    '',
    '| Meanwhile | Posts | Read p50 | p95 | p99 | p99 vs no posts (mean of both) | Stalls meanwhile |',
    '|---|---|---|---|---|---|---|',
    ...r.readsDuringPosts.runs.map((/** @type {any} */ run) => `| ${run.label} | ${run.posts} | ${ms(run.reads.latency.p50)} | ${ms(run.reads.latency.p95)} | ${ms(run.reads.latency.p99)} | ${run.p99Ratio}× | ${stalls(run.reads, true)} |`),
    '',
    `Open loop at ${r.readsDuringPosts.rate} req/s (half the gateway's closed-loop throughput), fan-out over indexed lookups. "postTweet through the gateway" is a real post: the tweets subgraph writes to FerretDB and marks the outbox; "tweet event straight to Kafka" publishes the event the tweets subgraph would, so only the timeline's work remains.`,
    '',
    '## What limits these figures',
    '',
    ...limits(r).map((line) => `- ${line}`),
    '',
    '## Redis memory',
    '',
    `\`MEMORY USAGE … SAMPLES 0\` over ${r.memory.sampled} full (${r.memory.entries}-entry) home timelines: mean **${int(r.memory.meanBytes)} bytes** (min ${int(r.memory.minBytes)}, max ${int(r.memory.maxBytes)}), ${r.memory.bytesPerEntry} bytes per entry (19-digit ids are stored as 64-bit integers in listpacks; \`list-max-listpack-size\` ${r.memory.listMaxListpackSize}). No \`:gen\` key exists after the load (one is written by a follow or unfollow); one costs ${r.memory.genKeyBytes} bytes, so ${int(r.memory.withGenKeyBytes)} bytes with it. A follower's \`:celebs\` set: ${r.memory.celebsSetBytes ?? 'n/a'} bytes. Redis held ${int(r.memory.redisUsedMemoryBytes / 2 ** 20)} MiB in ${int(r.memory.redisKeys)} keys after the load.`,
    '',
  ];
  return lines.join('\n');
}

/**
 * Writes the report twice: as the latest run in `dir`, and in
 * `dir/users-<N>/` so runs of different sizes are kept side by side.
 *
 * @param {Result} result
 * @param {string} dir
 * @returns {Promise<string[]>} the files written
 */
export async function writeReport(result, dir) {
  const withTargets = { ...result, targets: judgeTargets(result) };
  const files = { 'latest.json': `${JSON.stringify(withTargets, null, 2)}\n`, 'latest.md': markdown(result), ...charts(result) };
  const written = [];
  for (const folder of [dir, join(dir, `users-${result.parameters.users}`)]) {
    await mkdir(folder, { recursive: true });
    for (const [name, content] of Object.entries(files)) {
      await writeFile(join(folder, name), content);
      written.push(join(folder, name));
    }
  }
  return written;
}

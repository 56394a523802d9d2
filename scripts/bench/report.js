// Turns the bench's result into benchmarks/results/latest.json, latest.md
// (targets met or not, every figure, what limits it) and SVG charts.

import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { barChart } from './charts.js';
import { RUN_TITLES, cpuPerPage, figureList, hopsOf, openKey, openTitle, page5Ratio, readRuns } from './figures.js';
import { webParameters, webSection } from './report-web.js';
import { CARD_QUERY, HOME_QUERY } from './requests.js';
import { round } from './stats.js';

/** @typedef {Record<string, any>} Result */

/** Issue 12's read-path targets: CPU per Home page (ms, all processes on its path), with its aim. */
const HOME_CPU_TARGET = 0.8;
const HOME_CPU_AIM = 0.6;
/** Gateway throughput against the bare handler's, closed loop, card-only query. */
const BARE_SHARE_TARGET = 0.4;
/** Open-loop p99 (ms) of the Home query at the fixed rate and at a share of its throughput. */
const OPEN_P99_TARGET = 15;
/** Page 5's CPU per page against page 1's. */
const PAGE5_RATIO_TARGET = 1.5;
/** The whole stack at rest, servers included, in cores. */
const IDLE_CORES_TARGET = 0.05;
/** Issue 12: p99 of a cold first page (ms) at 8 concurrent cold readers, on the bench's FerretDB and over indexed lookups. */
const COLD_P99_FERRETDB = 250;
const COLD_P99_INDEXED = 50;

/** The previous report's figure `key`, if it had one. @param {Result} r @param {string} key */
const prevOf = (r, key) => r.previous?.figures?.[key];
/**
 * A figure with the previous report's beside it in brackets (nothing when it had none).
 * @param {Result} r @param {string} key @param {number | undefined} value @param {(v: number) => string} format
 */
const beside = (r, key, value, format) => {
  if (typeof value !== 'number' || !Number.isFinite(value)) return 'n/a';
  const before = prevOf(r, key);
  return typeof before === 'number' ? `${format(value)} (${format(before)})` : format(value);
};
/** Milliseconds of CPU per page. @param {number} v */
const cpuMs = (v) => `${v.toFixed(3)} ms`;
/** Cores, to 3 decimals (a 30 s window at 10 ms ticks resolves 0.0003). @param {number} v */
const cores = (v) => v.toFixed(3);

/** The issue's live push targets: p99 in ms at so many open subscriptions. */
const LIVE_TARGETS = [[1000, 50], [10_000, 250]];
/** What each live selection means for the figures. @param {string} key */
const selectionTitle = (key) => (key === 'withAuthor'
  ? 'selecting the author (its lookup goes through the users subgraph, served from its Redis cache once warm)'
  : 'without the author (the tweets subgraph alone)');
/** Whether FerretDB stored in SQLite, where only `{ _id }` filters avoid a full scan. @param {any} r */
const onSqlite = (r) => String(r.servers?.mongodb ?? '').includes('SQLite');
const pct = (/** @type {number} */ share) => `${(share * 100).toFixed(share === 1 ? 0 : 1)}%`;
const ms = (/** @type {number | null | undefined} */ v) => (v === null || v === undefined || !Number.isFinite(v) ? 'n/a' : `${v} ms`);
const int = (/** @type {number} */ v) => Math.round(v).toLocaleString('en');

/** The stack's processes on a read's path, for results of either layout. @param {Result} r */
const readPath = (r) => r.stack?.readPath ?? ['stack'];

/**
 * What one stack process spent per request of a run. @param {any} rt  its runtime figures @param {number} requests
 */
const cpuPerRequest = (rt, requests) => (rt && requests > 0 ? rt.cpuMs / requests : NaN);

/**
 * The processes' own stalls during a run: for gateway runs, each stack
 * process on the read path (CPU, per request too, event-loop delay, longest
 * GC pause), and the load generator's event-loop delay (its stalls would
 * show as latency too).
 *
 * @param {any} run
 * @param {boolean} stack
 * @param {string[]} names  the stack processes to show
 */
function stalls(run, stack, names) {
  const rt = run.runtime;
  if (!rt) return 'n/a';
  const processes = rt.processes ?? { stack: rt.stack };
  const own = stack ? names.filter((name) => processes[name]).map((name) => {
    const p = processes[name];
    const perRequest = cpuPerRequest(p, run.requests);
    return `${name}: ${Math.round(p.cpuShare * 100)}% CPU${Number.isFinite(perRequest) ? ` (${perRequest.toFixed(2)} ms/request)` : ''}, loop delay p99 ${p.loopDelayMs.p99} / max ${p.loopDelayMs.max} ms, GC max ${p.gc.maxMs} ms; `;
  }).join('') : rt.bare ? bareStalls(rt.bare, run.requests) : '';
  const generator = rt.loadGenerator;
  const box = Number.isFinite(generator.boxBusyCores) ? `; the whole box: ${generator.boxBusyCores} of ${generator.boxCores} cores busy` : '';
  return `${own}generator: ${Number.isFinite(generator.cpuShare) ? `${Math.round(generator.cpuShare * 100)}% CPU, ` : ''}loop delay max ${generator.loopDelayMs.max} ms${box}`;
}

/** The bare handler's own figures in a run. @param {any} p @param {number} requests */
function bareStalls(p, requests) {
  const perRequest = cpuPerRequest(p, requests);
  return `bare handler: ${Math.round(p.cpuShare * 100)}% CPU${Number.isFinite(perRequest) ? ` (${perRequest.toFixed(2)} ms/request)` : ''}, loop delay p99 ${p.loopDelayMs.p99} / max ${p.loopDelayMs.max} ms; `;
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
    { target: 'home timeline p99 ≤ 25 ms at the measured throughput (the card-only query, closed loop: as many requests as the connections allow)',
      value: `p99 ${beside(r, 'read.card.p99', gateway.latency.p99, (v) => `${v} ms`)} at ${int(gateway.throughput)} pages/s (${gateway.connections} connections)`,
      met: gateway.latency.p99 <= 25 && gateway.errors === 0 },
    ...readPathTargets(r),
    ...coldTargets(r),
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
  for (const selection of r.live?.selections ?? []) {
    for (const [subscriptions, limit] of LIVE_TARGETS) {
      const level = r.live.levels.find((/** @type {any} */ l) => l.subscriptions === subscriptions);
      const run = level?.selections.find((/** @type {any} */ m) => m.selection === selection.key);
      const offered = r.live.levels.map((/** @type {any} */ l) => int(l.subscriptions)).join(', ');
      targets.push({
        target: `live push p99 ≤ ${limit} ms at ${int(subscriptions)} open subscriptions, ${selectionTitle(selection.key)} (from the tweet's event on Kafka to the socket, an upper bound of the time from \`postTweet\` returning; fan-out over indexed lookups)`,
        value: run
          ? `p99 ${ms(run.latencyMs.p99)} (p50 ${ms(run.latencyMs.p50)}), ${pct(run.deliveredShare)} delivered; from \`postTweet\` returning p99 ${ms(run.fromReturnMs?.p99)}${floorText(r, subscriptions)}`
          : `not measured (levels run: ${offered || 'none'}; the author has ${int(r.live.author.followers)} followers)`,
        met: Boolean(run) && run.latencyMs.p99 <= limit && run.deliveredShare === 1,
      });
    }
  }
  targets.push({ target: '≤ 10 KB per cached 800-entry timeline',
    value: `${int(r.memory.meanBytes)} bytes (${int(r.memory.withGenKeyBytes)} with a :gen key)`, met: r.memory.withGenKeyBytes <= 10 * 1024 });
  const idle = idleTarget(r);
  if (idle) targets.push(idle);
  return targets;
}

/**
 * Issue 12's read-path targets: the Home query's CPU per page, the card-only query against the bare handler,
 * the Home query's open-loop p99 at the fixed rate and at 60% of its throughput, page 5 against page 1.
 * The previous report's figure is in brackets.
 * @param {Result} r
 */
function readPathTargets(r) {
  const targets = [];
  const home = cpuPerPage(r.reads.home?.closed);
  if (home) {
    const total = home.total ?? home.stack;
    const parts = Object.entries(home.byProcess).filter(([, v]) => v >= 0.0005).map(([name, v]) => `${name} ${v.toFixed(3)}`);
    if (home.redis !== undefined) parts.push(`Redis ${home.redis.toFixed(3)}`);
    targets.push({ target: `the Home query (likes included) costs ≤ ${HOME_CPU_TARGET} ms of CPU per page over every process on its path: gateway, subgraphs, Redis (aim ${HOME_CPU_AIM} ms)`,
      value: `${beside(r, home.total === undefined ? 'read.home.cpu.stack' : 'read.home.cpu.total', total, cpuMs)}: ${parts.join(' + ')} (closed loop, ${int(r.reads.home.closed.throughput)} pages/s)`,
      met: home.total !== undefined && home.total <= HOME_CPU_TARGET });
  }
  const ratio = r.reads.closed.throughputRatio;
  targets.push({ target: `closed-loop throughput ≥ ${BARE_SHARE_TARGET * 100}% of the bench's bare handler (the card-only query, the page both serve)`,
    value: `${beside(r, 'read.ratio', ratio * 100, (v) => `${v.toFixed(1)}%`)}: ${int(r.reads.closed.gateway.throughput)} vs ${int(r.reads.closed.bare.throughput)} pages/s`,
    met: ratio >= BARE_SHARE_TARGET });
  for (const o of r.reads.open.filter((/** @type {any} */ o) => o.query === 'home')) {
    const key = `open.${openKey(o)}.p99`;
    targets.push({ target: `the Home query p99 ≤ ${OPEN_P99_TARGET} ms at ${o.share === null ? `a fixed ${int(o.rate)} pages/s` : `${Math.round(o.share * 100)}% of its measured throughput`} (open loop)`,
      value: `p99 ${beside(r, key, o.gateway.latency.p99, (v) => `${v} ms`)} at ${int(o.rate)} pages/s (achieved ${o.gateway.achievedRate}; p50 ${ms(o.gateway.latency.p50)}${o.gateway.errors ? `; ${o.gateway.errors} errors` : ''})`,
      met: o.gateway.latency.p99 <= OPEN_P99_TARGET && o.gateway.errors === 0 });
  }
  const page5 = page5Ratio(r);
  if (page5 !== undefined) {
    const one = cpuPerPage(r.reads.home.closed);
    const five = cpuPerPage(r.reads.home.page5);
    targets.push({ target: `page 5 of the Home query (after four endCursors) costs ≤ ${PAGE5_RATIO_TARGET}× page 1 (CPU per page)`,
      value: `${beside(r, 'read.page5.ratio', page5, (v) => `${v.toFixed(2)}×`)}: ${cpuMs(five?.total ?? five?.stack ?? NaN)} against ${cpuMs(one?.total ?? one?.stack ?? NaN)}`,
      met: page5 <= PAGE5_RATIO_TARGET });
  }
  return targets;
}

/**
 * Issue 12's cold first read: p99 of the Home query's first page for viewers whose cached timeline was dropped,
 * at the step's concurrency, through the gateway on FerretDB; and over indexed lookups.
 * @param {Result} r
 */
function coldTargets(r) {
  const c = r.cold;
  if (!c?.gateway) return [];
  const g = c.gateway;
  const missed = g.read < g.viewers ? `; ${g.viewers - g.read} of ${g.viewers} viewers not read within the ${c.budgetSeconds} s budget` : '';
  const targets = [{
    target: `cold first page (a home timeline not cached, rebuilt on read) p99 ≤ ${COLD_P99_FERRETDB} ms on FerretDB at ${c.concurrency} concurrent readers`,
    value: g.coldMs.count > 0
      ? `p99 ${beside(r, 'cold.gateway.p99', g.coldMs.p99, (v) => `${v} ms`)} (p50 ${ms(g.coldMs.p50)}, max ${ms(g.coldMs.max)}) over ${int(g.coldMs.count)} viewers; the same viewers warm again p99 ${ms(g.warmMs.p99)}; ${g.complete.coldSameAsBefore}/${g.complete.checked} pages complete${g.failed ? `; ${g.failed} failed` : ''}${missed}`
      : `no cold page read (${g.failed} failed${missed})`,
    met: g.coldMs.count > 0 && g.failed === 0 && g.read === g.viewers && g.coldMs.p99 <= COLD_P99_FERRETDB && g.complete.coldSameAsBefore === g.complete.checked,
  }];
  const x = c.indexed;
  if (x?.coldMs?.count > 0) {
    const sum = x.coldMs.p99 + g.warmMs.p99;
    targets.push({
      target: `cold first page p99 ≤ ${COLD_P99_INDEXED} ms over indexed lookups at ${c.concurrency} concurrent readers`,
      value: `${round(sum, 1)} ms, judged on a sum: the timeline's HomeTimelineService.page cold over indexed lookups p99 ${beside(r, 'cold.indexed.p99', x.coldMs.p99, (v) => `${v} ms`)} (warm ${ms(x.warmMs.p99)}; in the bench's process, no gateway) + the warm Home page through the gateway p99 ${ms(g.warmMs.p99)}`,
      met: sum <= COLD_P99_INDEXED,
    });
  }
  return targets;
}

/** The stack at rest, servers included, after the load and at the end. @param {Result} r */
function idleTarget(r) {
  const runs = Object.entries(r.idle ?? {});
  if (runs.length === 0) return null;
  const title = (/** @type {string} */ when) => (when === 'atEnd' ? 'at the end' : 'after the load');
  return {
    target: `the whole stack at rest uses ≤ ${IDLE_CORES_TARGET} cores (${runs[0][1].seconds} s with no traffic; the gateway, the subgraphs and the servers: Redis, Kafka, FerretDB and its PostgreSQL)`,
    value: runs.map(([when, idle]) => `${title(when)}: ${beside(r, `idle.${when}.total`, idle.totalCores, cores)} cores (stack ${cores(idle.stackCores)}, servers ${cores(idle.serverCores)})`).join(' · '),
    met: runs.every(([, idle]) => idle.totalCores <= IDLE_CORES_TARGET),
  };
}

/** @param {Result} r */
function charts(r) {
  const { closed, open } = r.reads;
  const closedRuns = Object.entries(readRuns(r)).filter(([, run]) => run);
  const runs = [
    ...closedRuns.map(([name, run]) => [`${name === 'page5' ? 'page 5' : name}, closed`, run]),
    ...open.map((/** @type {any} */ o) => [openKey(o), o.gateway]),
  ];
  const lagClasses = Object.entries(r.lag.indexed);
  return {
    'latency.svg': barChart({
      title: 'homeTimeline(first: 20) latency', unit: 'ms', groups: runs.map(([name]) => name),
      series: ['p50', 'p95', 'p99'].map((p) => ({ name: p, values: runs.map(([, run]) => run.latency[p]) })),
      target: { value: OPEN_P99_TARGET, label: `target open-loop p99 ${OPEN_P99_TARGET} ms` },
    }),
    'throughput.svg': barChart({
      title: `Throughput at ${closed.gateway.connections} connections`, unit: 'pages/s',
      groups: closedRuns.map(([name]) => RUN_TITLES[/** @type {keyof typeof RUN_TITLES} */ (name)]),
      series: [{ name: 'pages/s', values: closedRuns.map(([, run]) => run.throughput) }],
      target: { value: closed.bare.throughput * BARE_SHARE_TARGET, label: `${BARE_SHARE_TARGET * 100}% of bare` },
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
    readPathLimit(r),
    queueingLimit(r),
    onSqlite(r) ? `**FerretDB/SQLite on the write path.** Every \`postTweet\` waited ${mutationRange(r)} for its answer: after the insert, the outbox marks the tweet published with an update by \`_id\` and version, which FerretDB answers by reading the whole collection. Those scans also take a core from everything else while they run (see the postTweet row of the reads-while-posting table). The fan-out consumer as wired scans \`follow_graph\` twice and the tweets projection once per tweet; ${r.fanoutHandlerMs.ferretdb.count ? `its handler took ${ms(r.fanoutHandlerMs.ferretdb.p50)} (p50)` : 'no run of its handler finished within the time budget'}; a handler longer than the consumer's 10 s Kafka session makes the group rebalance and the event is delivered again${r.fanoutHandlerMs.redelivered.length ? ` (seen ${Math.max(...r.fanoutHandlerMs.redelivered.map((/** @type {any} */ e) => e.attempts))} times for one tweet)` : ''}. On MongoDB these are index lookups.`
      : `**FerretDB on PostgreSQL on the write path.** Every \`postTweet\` waited ${mutationRange(r)} for its answer (the insert, then the outbox's update by \`_id\` and version, both pushed down to PostgreSQL). FerretDB still reads whole collections for filters it does not push down (ranges, \`$in\`): the fan-out consumer as wired ${r.fanoutHandlerMs.ferretdb.count ? `took ${ms(r.fanoutHandlerMs.ferretdb.p50)} (p50) per tweet` : 'finished no tweet within the time budget'}, against ${ms(r.fanoutHandlerMs.indexed.p50)} over indexed lookups.`,
  ];
  const sequential = r.inserts.runs.find((/** @type {any} */ run) => run.inFlight === 1);
  if (sequential) {
    const perInsert = sequential.redisUsecPerInsert;
    lines.push(`**Fan-out inserts.** One chunk at a time the Node client used ${Math.round(sequential.clientCpuShare * 100)}% of a core and Redis ${Math.round(sequential.redisCpuShare * 100)}%; Redis ran its insert script for ${Math.round(sequential.redisScriptSecondsShare * 100)}% of the insert time (${sequential.redisUsecPerScriptCall} µs per script call${perInsert ? `, ${perInsert} µs per insert, which caps one Redis at about ${int(1e6 / perInsert)} inserts/s` : ''}).`);
  }
  const live = liveLimit(r);
  if (live) lines.push(live);
  lines.push(`**A shared box.** Redis, Kafka, FerretDB, the stack, the bare handler and the load generator share ${r.machine.nproc} cores; the load generator's own event-loop stalls are listed beside each run. Figures moved by tens of percent between runs on this machine when other work ran beside the bench.`);
  return lines;
}

/** @param {Result} r */
function stackDescription(r) {
  if (r.stack?.layout === 'processes') {
    return 'the production shape, as docker-compose runs it: users, tweets, timeline and notifications each in its own Node process (its `main.js`; the timeline with the bench\'s switchable fan-out), and the gateway in its own (`gateway/dist/main.js`, pointed at them by `USERS_URL`, `TWEETS_URL`, `TIMELINE_URL`, `NOTIFICATIONS_URL`)';
  }
  return '`startStack` (gateway + users, tweets, timeline, notifications) in one Node process';
}

/** CPU time the stack spent on the read runs, per process, and the hops a read made. @param {Result} r */
function cpuSentence(r) {
  const byProcess = r.reads.cpuSecondsByProcess;
  const parts = byProcess && Object.keys(byProcess).length > 1
    ? `The stack's processes used ${r.reads.stackCpuSeconds} CPU-seconds during the read runs (${Object.entries(byProcess).map(([name, v]) => `${name} ${v}`).join(', ')}).`
    : `The stack process used ${r.reads.stackCpuSeconds} CPU-seconds during the read runs.`;
  return parts;
}

/** The stack's CPU per page of the Home query (the one that pages with $after), in ms. @param {Result} r */
function cpuMsPerRead(r) {
  return cpuPerPage(r.reads.home?.closed)?.stack;
}

/**
 * CPU per page of every process in each closed-loop run, Redis included, and the query plan's hops; page 5
 * against page 1; the servers off the read path; the workers setting.
 * @param {Result} r
 */
function cpuPerPageSection(r) {
  const runs = Object.entries(readRuns(r)).filter(([, run]) => run);
  const names = [...(r.stack?.processes ?? ['stack']), 'bare handler'];
  const rows = runs.map(([key, run]) => {
    const cpu = cpuPerPage(run, key === 'bare');
    const cell = (/** @type {string} */ name, /** @type {number | undefined} */ v) => (v === undefined ? '—' : beside(r, `read.${key}.cpu.${name}`, v, cpuMs));
    const hops = hopsOf(run);
    return `| ${RUN_TITLES[/** @type {keyof typeof RUN_TITLES} */ (key)]} | ${int(run.throughput)} | ${names.map((name) => cell(name, cpu?.byProcess[name])).join(' | ')} | ${cell('redis', cpu?.redis)} | **${cell('total', cpu?.total)}** | ${cell('otherServers', cpu?.otherServers)} | ${hops ? Object.entries(hops).map(([name, v]) => `${name} ${v}`).join(', ') : '—'} |`;
  });
  const five = r.reads.home?.page5;
  const ratio = page5Ratio(r);
  const page5 = five
    ? `**Page 5.** ${int(five.viewers)} of ${int(r.parameters.viewers)} viewers have a page 5 (the others' timelines end sooner); the bench found each one's cursor as a client does, reading pages 1 to 4 through the gateway and following each \`endCursor\` (${five.cursorSeconds} s for all, which warms the page up), then read page 5 with it again and again. It costs **${beside(r, 'read.page5.ratio', ratio, (v) => `${v.toFixed(2)}×`)}** page 1's CPU per page, at ${beside(r, 'read.page5.throughput', five.throughput, (v) => `${int(v)}`)} against ${int(r.reads.home.closed.throughput)} pages/s.`
    : '';
  const offPath = runs.map(([key, run]) => {
    const servers = Object.entries(run.runtime?.cpu?.servers ?? {}).filter(([name, v]) => name !== 'redis' && typeof v === 'number');
    return servers.length ? `${RUN_TITLES[/** @type {keyof typeof RUN_TITLES} */ (key)]}: ${servers.map(([name, v]) => `${name} ${(/** @type {number} */ (v) / run.requests).toFixed(3)}`).join(', ')}` : '';
  }).filter(Boolean);
  const sessions = runs.flatMap(([key, run]) => {
    const users = hopsOf(run)?.users;
    return users === undefined ? [] : [`${users} in the ${RUN_TITLES[/** @type {keyof typeof RUN_TITLES} */ (key)]} run`];
  });
  return [
    '### CPU per page, process by process',
    '',
    `Each process's CPU time during a closed-loop run divided by the pages served, in ms: the stack's processes and Redis from \`/proc/<pid>/stat\` (a stack process with any children it forks, such as node:cluster workers; Redis with all its threads${r.servers.given ? '; here from `INFO cpu`, the servers being given' : ''}). "Stack + Redis" is every process on the path, the ones a query does not use included (they idle meanwhile). In brackets the previous report's figure, where it had one (reports before this measurement had the Home query, page 5 and Redis out, and took each process's CPU from its own \`cpuUsage\`).`,
    '',
    `| Read | Pages/s | ${names.join(' | ')} | Redis | Stack + Redis | Kafka + FerretDB + PostgreSQL | Subgraph requests per gateway request |`,
    `|---|---|${names.map(() => '---|').join('')}---|---|---|---|`,
    ...rows,
    '',
    ...(page5 ? [page5, ''] : []),
    ...(offPath.length ? [`The other servers meanwhile, in ms of CPU per page: ${offPath.join(' · ')}. They are not in the issue's sum, but they are not all off the path: the users subgraph's session lookups (the gateway checks each viewer's session, and asks again in the background once an answer is a minute old; users requests per gateway request: ${sessions.join(', ') || 'n/a'}) read FerretDB, and so PostgreSQL. The answers fetched together in the warm-up fall due together a minute later, so one run can carry a burst of them that a steady stream of viewers would spread out.`, ''] : []),
    `**Workers**: ${r.stack?.workers ?? 1} per service (\`--workers\`, given to every stack process as \`WORKERS\`: each service runs that many node:cluster workers on its port; with 1, in its own process alone).`,
    '',
  ];
}

/** The stack at rest, process by process, after the load and at the end of the run. @param {Result} r */
function idleSection(r) {
  const runs = Object.entries(r.idle ?? {});
  if (runs.length === 0) return [];
  // The gateway first, then the subgraphs, then the servers.
  const names = [...new Set(runs.flatMap(([, idle]) => [...Object.keys(idle.stack), ...Object.keys(idle.servers)]))]
    .sort((x, y) => Number(y === 'gateway') - Number(x === 'gateway'));
  const value = (/** @type {any} */ idle, /** @type {string} */ name) => idle.stack[name] ?? idle.servers[name];
  const cell = (/** @type {string} */ when, /** @type {any} */ idle, /** @type {string} */ name) => {
    const v = value(idle, name);
    return typeof v === 'number' ? beside(r, `idle.${when}.${name}`, v, cores) : 'n/a';
  };
  const title = (/** @type {string} */ when) => (when === 'atEnd' ? 'At the end of the run' : 'After the load');
  return [
    '## The stack at rest',
    '',
    `CPU of every process of the stack and of every server over ${runs[0][1].seconds} s with no traffic, in cores (1 = one core busy all the time), from \`/proc/<pid>/stat\` (each with its children: PostgreSQL's backends are FerretDB's connections): once the stack had started on the loaded stores (before any read), and again at the end, after the FerretDB-wired fan-out. Each window starts once the stack and the servers have used under 0.2 cores for two seconds running (${runs.map(([when, idle]) => `${when === 'atEnd' ? 'at the end' : 'after the load'} ${idle.settled ? `after ${idle.settled.seconds} s${settledBusy(idle.settled)}` : 'at once'}`).join('; ')}). Meanwhile the bench sends nothing and the stack's processes stop the bench's event-loop delay monitor (a 5 ms timer). Not counted: the bench's own process and its bare handler. The outbox sweepers run once an hour in the bench (\`OUTBOX_SWEEP_INTERVAL_MS\`), so their polling is not in these figures. In brackets the previous report's figure, where it had one.`,
    '',
    `| Process | ${runs.map(([when]) => title(when)).join(' | ')} |`,
    `|---|${runs.map(() => '---|').join('')}`,
    ...names.map((name) => `| ${name} | ${runs.map(([when, idle]) => cell(when, idle, name)).join(' | ')} |`),
    `| **all of them** | ${runs.map(([when, idle]) => `**${beside(r, `idle.${when}.total`, idle.totalCores, cores)}** (stack ${cores(idle.stackCores)}, servers ${cores(idle.serverCores)})`).join(' | ')} |`,
    '',
  ];
}

/** What was busy while the stack settled, for the idle section. @param {{ busiest: Record<string, number> }} settled */
function settledBusy(settled) {
  const busy = Object.entries(settled.busiest).filter(([, v]) => v >= 0.1).map(([name, v]) => `${name} up to ${v}`);
  return busy.length ? `, with ${busy.join(', ')} cores in a second meanwhile` : '';
}

/** Every read-path, idle and Lambda figure beside the previous report's, with the change. @param {Result} r */
function previousSection(r) {
  if (!r.previous) return [];
  const rows = figureList(r).flatMap((f) => {
    const before = prevOf(r, f.key);
    if (typeof before !== 'number') return [];
    const change = before !== 0 ? `${f.value >= before ? '+' : ''}${(((f.value - before) / before) * 100).toFixed(0)}%` : '—';
    return [`| ${f.label} | ${f.value}${f.unit && f.unit !== '×' && f.unit !== '%' ? ` ${f.unit}` : f.unit} | ${before}${f.unit && f.unit !== '×' && f.unit !== '%' ? ` ${f.unit}` : f.unit} | ${change} |`];
  });
  const fresh = figureList(r).filter((f) => typeof prevOf(r, f.key) !== 'number').length;
  return [
    '## Beside the previous report',
    '',
    `The figures this report shares with the previous one (${r.previous.file}, run ${r.previous.startedAt}, \`${r.previous.command}\`); ${fresh} of this report's read-path, idle, Lambda, scale and web figures are new (the previous report did not measure them). The box is shared, so a change of tens of percent in a throughput or a p99 can be the box; CPU per page is the steadier figure.`,
    '',
    '| Figure | This report | Previous | Change |',
    '|---|---|---|---|',
    ...rows,
    '',
  ];
}

/** Cold first reads (scripts/bench/measure-cold.js). @param {Result} r */
function coldSection(r) {
  const c = r.cold;
  if (!c?.gateway) return [];
  const g = c.gateway;
  const row = (/** @type {string} */ name, /** @type {any} */ s, /** @type {string} */ key = '') =>
    `| ${name} | ${int(s.count)} | ${ms(s.p50)} | ${ms(s.p95)} | ${key ? beside(r, key, s.p99, (v) => `${v} ms`) : ms(s.p99)} | ${ms(s.max)} |`;
  const x = c.indexed;
  const f = c.ferretdb;
  const explain = f?.explain
    ? ` FerretDB's explain of one author's \`latestIds\` (a refill): ${Object.entries(f.explain).filter(([k]) => k !== 'backendPlan').map(([k, v]) => `\`${k}\` ${JSON.stringify(v)}`).join(', ') || 'no pushdown fields'}; its backend's plan: \`${f.explain.backendPlan}\`.`
    : '';
  const steps = f?.steps?.length
    ? `A rebuild's reads, timed one by one through the timeline's own repositories and store with nothing else running (${int(f.tweetsDocuments)} documents in the tweets projection): ${f.steps.map((/** @type {any} */ s) => `${s.authors} authors: \`followeesOf\` ${s.followeesOfMs} ms on FerretDB, their recent lists (${int(s.ids)} ids) ${s.recentListsMs} ms on Redis; refilling one list Redis lost (one author's \`latestIds\`) ${s.fillOneMs} ms on FerretDB`).join('; ')}.${explain}`
    : f?.error ? `The rebuild's reads on FerretDB could not be timed: ${f.error}.` : '';
  return [
    '## Cold first reads',
    '',
    `The load caches every home timeline, so the reads above are all warm. Here ${int(g.viewers)} viewers (from the seed, none of the warm reads' viewers) first read the first page of the Home query warm (the page to compare with; it also warms the gateway's session check for them, so the cold read times the timeline's rebuild, not the login lookup), then their \`home:{<id>}\` and \`home:{<id>}:celebs\` keys are deleted (as an expiry leaves them) and they read it again through the gateway, ${c.concurrency} at a time: the timeline rebuilds each timeline on read (the follow graph from MongoDB → the authors' recent lists in Redis, merged → the home list, then a look at the lists' heads for tweets fanned out meanwhile). Then the same viewers read it once more, warm again. ${int(g.read)} were read cold in ${g.seconds} s (budget ${c.budgetSeconds} s: ${g.pagesPerSecond} cold pages/s)${g.failed ? `; ${g.failed} failed (${g.errors.join('; ')})` : ''}.`,
    '',
    '| Read | Pages | p50 | p95 | p99 | max |',
    '|---|---|---|---|---|---|',
    row('warm first page, before (the loaded timeline)', g.beforeMs),
    row('**cold first page** (rebuilt on read)', g.coldMs, 'cold.gateway.p99'),
    row('the same page again, warm', g.warmMs, 'cold.gateway.warm.p99'),
    ...(x?.coldMs?.count > 0 ? [
      row('over indexed lookups: HomeTimelineService.page, cold', x.coldMs, 'cold.indexed.p99'),
      row('over indexed lookups: HomeTimelineService.page, warm', x.warmMs, 'cold.indexed.warm.p99'),
    ] : []),
    '',
    `Complete: ${g.complete.coldSameAsBefore} of ${g.complete.checked} cold pages show exactly the ids of the warm page before (mean ${g.complete.meanEdges} edges), ${g.complete.warmSameAsCold} equal the warm read after, and ${g.complete.rebuiltListSameAsLoaded} rebuilt lists equal the loaded ones id for id.${x ? ` Over indexed lookups: the timeline's own \`HomeTimelineService\`, \`RedisTimelineStore\` and \`CardService\` (the built subgraph's) on the same Redis, with the follow graph and the tweets projection answered from memory by index as MongoDB's indexes would, run in the bench's process for ${int(x.viewers)} of the viewers (their timelines dropped again), ${c.concurrency} at a time: the domain read alone, no gateway, GraphQL or HTTP; ${x.rebuiltListSameAsLoaded} of ${x.viewers} rebuilt lists equal the loaded ones.` : ''}`,
    '',
    ...(steps ? [steps, ''] : []),
    'Warmth: the fan-out keeps no home timeline warm for a user who has not read (its insert script leaves a missing list alone; each read renews the list\'s expiry of `TIMELINE_ACTIVE_DAYS`, 14 days by default), so a timeline never read, or not read for that long, is rebuilt on its first read: this cold page. What the fan-out keeps instead is every author\'s list of recent ids (`recent:<id>`, at most `TIMELINE_MAX_LENGTH`, no expiry: about ten bytes per id, so bounded by the tweets posted), and a rebuild is one read of the follow graph and a merge of those lists.',
    '',
  ];
}

/** @param {string} name @param {any} run @param {number | null} ratio */
function uploadRow(name, run, ratio) {
  const users = run.stalls?.users;
  const process = users ? `${Math.round(users.cpuShare * 100)}% CPU, ${ms(users.loopDelayMaxMs)}, ${ms(users.gcMaxMs)}` : 'n/a';
  const uploads = run.uploads ? `${int(run.uploads.count)}${run.uploads.failed ? ` (${run.uploads.failed} failed: ${run.uploads.errors[0]})` : ''}` : '0';
  return `| ${name} | ${uploads} | ${run.uploads ? ms(run.uploads.ms.p50) : '—'} | ${ms(run.reads.latency.p50)} | ${ms(run.reads.latency.p99)} | ${ratio === null ? '—' : `**${ratio}×**`} | ${process} |`;
}

/** Processing uploads, and the reads of the process doing it (scripts/bench/measure-uploads.js). @param {Result} r */
function uploadsSection(r) {
  const u = r.uploads;
  if (!u) return [];
  const row = (/** @type {string} */ name, /** @type {any} */ p) =>
    `| ${name} | ${(p.bytes / 1e6).toFixed(2)} MB | ${ms(p.ms.p50)} | ${ms(p.ms.p99)} | ${p.perSecond} with ${p.inFlight} in flight | ${p.cpuMsPerUpload} ms | **${p.perCoreSecond}** |`;
  return [
    '## Uploads',
    '',
    'What it costs to check and resize one uploaded picture: the users subgraph\'s own `SharpImageProcessor` (`inspect`, then `render`) in the bench\'s process, one at a time for the times, then 4 at a time for the throughput (libvips decodes in libuv\'s thread pool).',
    '',
    '| Picture | Size | p50 | p99 | Uploads/s | CPU per upload | Uploads per core-second |',
    '|---|---|---|---|---|---|---|',
    row('12 MP JPEG (4000×3000) → banner 1500×500 and 600×200', u.banner),
    row('400×400 PNG → avatar 48, 96 and 400 px', u.avatar),
    '',
    `Reads the users process answers (\`${u.query}\` through the gateway) at ${u.rate}/s for ${u.seconds} s each run, while 12 MP banners are uploaded through the gateway as a client does (createMediaUpload, the form posted to the gateway's \`/media\`, setBanner):`,
    '',
    '| Meanwhile | Uploads | Upload p50 | Read p50 | Read p99 | p99 against no uploads | users process: CPU, loop delay max, GC max |',
    '|---|---|---|---|---|---|---|',
    uploadRow('no uploads', u.alone, null),
    uploadRow('1 upload a second', u.paced, u.paced.ratio),
    uploadRow(`${u.backToBack.uploads.uploaders} users uploading back to back`, u.backToBack, u.backToBack.ratio),
    '',
  ];
}

/** What the gateway's operation limits add to a read (scripts/bench/measure-limits.js). @param {Result} r */
function limitsSection(r) {
  const l = r.operationLimits;
  if (!l) return [];
  const perRead = cpuMsPerRead(r);
  const share = (/** @type {number} */ us) => (perRead ? ` (${((us / 1000 / perRead) * 100).toFixed(1)}% of the ${perRead.toFixed(2)} ms of the stack's CPU a Home page took above)` : '');
  const row = (/** @type {string} */ name, /** @type {any} */ q, /** @type {string} */ perReadText) =>
    `| ${name} | ${q.cost} | ${q.validationMicroseconds} → ${q.validationWithShapeRulesMicroseconds} µs (once per distinct document) | ${q.costEstimateMicroseconds} µs | ${perReadText} |`;
  return [
    '### What the operation limits cost a read',
    '',
    `The gateway's limits (tokens ${int(l.limits.tokens)}, depth ${l.limits.depth}, aliases ${l.limits.aliases}, directives ${l.limits.directives}, cost ${int(l.limits.cost)}) measured on the gateway's own code in the bench process, CPU per call over ${int(l.runs)} calls. The token limit is graphql-js's parser counting as it parses (no separate pass). Apollo Server validates a document once and keeps it per query text, so the shape rules cost a read nothing after the first; the gateway keeps the cost estimate per document and per value of the variables that can change it (page sizes, Booleans; not text such as a cursor), so a client paging with \`after\` pays it once. The column \"Cost estimate\" is what one estimate costs.`,
    '',
    '| Query | Estimated cost | Validation without → with the shape rules | Cost estimate | Added per read |',
    '|---|---|---|---|---|',
    row('the bench\'s read (no variables)', l.benchQuery, 'none after the first read'),
    row('the README\'s `Home($after)`', l.pagedQuery, `none after the first read of a page size (it would be ${l.pagedQuery.costEstimateMicroseconds} µs${share(l.pagedQuery.costEstimateMicroseconds)} every time)`),
    '',
  ];
}

/** Where the CPU of each process on the read path went, from BENCH_PROFILE. @param {Result} r */
function profileSection(r) {
  // Results of the one-process layout before per-process profiles: one profile, of the stack.
  const profiles = r.profiles ?? (r.stackProfile ? { stack: r.stackProfile } : {});
  return Object.entries(profiles).filter(([, profile]) => profile).flatMap(([name, profile]) => [
    `**Where the ${name} process's CPU went** (BENCH_PROFILE: V8 sampling profile, busiest ${profile.windowSeconds} s window — the gateway's closed-loop run — ${profile.busyPercent}% busy; the profiler itself slows the process, so the figures of a profiled run are a little lower):`,
    '',
    '| Package (inclusive: on the stack) | % of samples | Package (self: at the top) | % of samples |',
    '|---|---|---|---|',
    ...profile.inclusive.map((/** @type {any} */ row, /** @type {number} */ k) => `| ${row.name} | ${row.percent} | ${profile.self[k]?.name ?? ''} | ${profile.self[k]?.percent ?? ''} |`),
    '',
  ]);
}

/** What the read path costs, process by process, in the gateway's closed-loop run. @param {Result} r */
function readPathLimit(r) {
  const g = r.reads.closed.gateway;
  const bareRun = r.reads.closed.bare;
  const bareCpu = cpuPerRequest(bareRun.runtime?.bare, bareRun.requests);
  const bare = Number.isFinite(bareCpu)
    ? `The bare handler, in its own process, spends ${bareCpu.toFixed(2)} ms of CPU per request (${Math.round(bareRun.runtime.bare.cpuShare * 100)}% of a core at ${int(bareRun.throughput)} req/s), with no GraphQL, federation or token check.`
    : `The bare handler, in its own process, answers one request every ${(1000 / bareRun.throughput).toFixed(2)} ms at its throughput, with no GraphQL, federation or token check.`;
  const processes = g.runtime?.processes;
  if (r.stack?.layout === 'processes' && processes) {
    const costs = (/** @type {any} */ run) => {
      const cpu = cpuPerPage(run);
      if (!cpu) return 'n/a';
      const parts = Object.entries(cpu.byProcess).filter(([, v]) => v >= 0.01).map(([name, v]) => `${name} ${v.toFixed(2)}`);
      if (cpu.redis !== undefined) parts.push(`Redis ${cpu.redis.toFixed(2)}`);
      return `${parts.join(' + ')} ms`;
    };
    const home = r.reads.home?.closed ? `, the Home query ${costs(r.reads.home.closed)} (its likes add the tweets subgraph to the plan)` : '';
    return `**CPU per page on ${r.machine.nproc} cores.** In the closed-loop runs a page of the card-only query cost ${costs(g)} of CPU${home}, besides the load generator and whatever else runs on the box: the processes are separate, but ${r.machine.nproc} cores are shared by all of them, so the throughput is bounded by the sum, not by the slowest process. The gateway's share is Apollo Gateway's request pipeline (node:http and the JSON body, Apollo Server, the query-plan cache lookup, executing the plan, shaping the result) and its HTTP client to the subgraphs; a subgraph's is Apollo Server again, GraphQL execution, the token check and its Redis reads. ${bare}`;
  }
  const stackRuntime = processes?.stack ?? g.runtime?.stack;
  return `**One event loop for the whole stack.** \`startStack\` runs the gateway and all four subgraphs in one Node process, so a read costs one core-share of everything: during the gateway's closed-loop run the stack process used ${stackRuntime ? `${Math.round(stackRuntime.cpuShare * 100)}%` : 'all'} of a core, i.e. about ${(Number.isFinite(cpuPerRequest(stackRuntime, g.requests)) ? cpuPerRequest(stackRuntime, g.requests) : (stackRuntime?.cpuShare ?? 1) * 1000 / g.throughput).toFixed(1)} ms of CPU per request (two Apollo Server hops, query planning, the gateway's HTTP client to the subgraph, a JWT check in each hop, the timeline's read). ${bare} \`--layout processes\` (the default) runs each service in its own process, as in production.`;
}

/**
 * Why the closed-loop p99 says little about latency at a given load: with N
 * connections always busy, Little's law makes the mean latency N / throughput.
 * @param {Result} r
 */
function queueingLimit(r) {
  const g = r.reads.closed.gateway;
  const bound = (1000 * g.connections) / g.throughput;
  const open = r.reads.open.map((/** @type {any} */ o) => `${openTitle(o)}: p50 ${ms(o.gateway.latency.p50)}, p99 ${ms(o.gateway.latency.p99)}`).join('; ');
  return `**Closed-loop latency is queueing.** With ${g.connections} connections each sending its next request as soon as an answer arrives, the mean latency is ${g.connections} / throughput = ${bound.toFixed(1)} ms (measured mean ${ms(g.latency.mean)}), whatever a request costs: ${g.connections} connections at ${int(g.throughput)} req/s cannot give a p99 of 25 ms. At fixed arrival rates below the throughput (open loop, queueing counted from each request's due time) the gateway answered at ${open || 'n/a'}.`;
}

/** @param {Result} r */
function mutationRange(r) {
  const times = Object.values(r.lag.indexed).flatMap((/** @type {any} */ c) => c.posts.map((/** @type {any} */ p) => p.mutationMs)).filter((v) => typeof v === 'number');
  return times.length ? `${int(Math.min(...times))}–${int(Math.max(...times))} ms` : 'longer than the time limit';
}

/**
 * What the gateway's lookup for an event cost at the moment it ran, from the bench's own copy of it, and
 * which subgraphs served requests meanwhile. @param {any} m  one selection's run
 */
function lookupSentence(m) {
  const lookup = m.lookupAtAnnouncementMs;
  const processes = m.runtime.processes ?? {};
  const served = Object.entries(processes).filter(([name]) => name !== 'gateway').map(([name, p]) => `${name} ${int(/** @type {any} */ (p)?.requests ?? 0)}`).join(', ');
  const probe = lookup?.count
    ? ` The gateway's lookup without the author (\`tweet(id) { id text }\`), sent by the bench when the announcement arrived, took p50 ${ms(lookup.p50)} / max ${ms(lookup.max)}.`
    : '';
  return `${probe}${served ? ` HTTP requests the subgraphs served meanwhile: ${served}.` : ''}`;
}

/** The bare broadcast's p99 at a level, for the targets table. @param {Result} r @param {number} subscriptions */
function floorText(r, subscriptions) {
  const floor = r.live?.floor?.find((/** @type {any} */ f) => f.subscriptions === subscriptions);
  return floor ? `; the floor, a bare broadcast to as many sockets: p99 ${ms(floor.latencyMs.p99)}` : '';
}

/** Counts by code, as `code ×n`. @param {Record<string, number>} counts */
const byCode = (counts) => Object.entries(counts ?? {}).map(([code, n]) => `${code} ×${int(n)}`).join(', ');

/** A p50 / p99 pair. @param {any} summary */
const pair = (summary) => (summary?.count ? `${summary.p50} / ${summary.p99} ms` : 'n/a');

/** One process's figures during the live posts. @param {string} name @param {any} rt */
const liveRuntime = (name, rt) => (rt
  ? `${name} ${int(rt.cpuMs)} ms of CPU (${Math.round(rt.cpuShare * 100)}% of a core), loop delay p99 ${rt.loopDelayMs.p99} / max ${rt.loopDelayMs.max} ms, GC max ${rt.gc.maxMs} ms`
  : `${name} n/a`);

/**
 * The live push step: open subscriptions, push latency per selection, where it went, memory.
 * @param {Result} r
 * @returns {string[]}
 */
function liveSection(r) {
  const live = r.live;
  if (!live) return [];
  const target = (/** @type {number} */ subscriptions) => LIVE_TARGETS.find(([n]) => n === subscriptions)?.[1];
  const runs = live.levels.flatMap((/** @type {any} */ l) => l.selections.map((/** @type {any} */ m) => ({ l, m })));
  const rows = runs.map(({ l, m }) => {
    const limit = target(l.subscriptions);
    const verdict = limit === undefined ? '—' : m.latencyMs.p99 <= limit && m.deliveredShare === 1 ? `≤ ${limit} ms: met` : `≤ ${limit} ms: **missed**`;
    return `| ${int(l.subscriptions)}${l.capped ? ' (all followers)' : ''} | ${m.label} | ${pct(m.deliveredShare)} | ${ms(m.latencyMs.p50)} | ${ms(m.latencyMs.p99)} | ${ms(m.latencyMs.max)} | ${verdict} | ${pair(m.announcedMs)} | ${pair(m.afterAnnouncementMs)} | ${ms(m.spreadMs?.p50)} | ${pair(m.fromReturnMs)} (${pct(m.beforeReturnShare)} before it) |`;
  });
  const openRows = live.levels.map((/** @type {any} */ l) => {
    const o = l.opening;
    const problems = [Object.keys(o.errors).length ? `errors ${byCode(o.errors)}` : '', Object.keys(o.closes).length ? `closes ${byCode(o.closes)}` : ''].filter(Boolean).join('; ') || 'none';
    return `| ${int(l.subscriptions)} | ${int(o.opened)} of ${int(o.requested)} in ${o.seconds} s | ${o.failed} | ${problems} | ${o.listenOverflows ?? 'n/a'} | ${o.gatewayCpuMsPerSubscription ?? 'n/a'} ms (loop delay max ${o.gatewayLoopDelayMs?.max ?? 'n/a'} ms) | ${int(o.listening)} | ${int(l.memory.bytesPerSubscription.heap)} / ${int(l.memory.bytesPerSubscription.rss)} | ${int(l.memory.bytesPerSubscriptionAfterPosts.heap)} / ${int(l.memory.bytesPerSubscriptionAfterPosts.rss)} |`;
  });
  const mutations = runs.flatMap(({ m }) => m.perPost.map((/** @type {any} */ post) => post.mutationMs));
  const afterEvent = runs.flatMap(({ m }) => m.perPost.map((/** @type {any} */ post) => post.eventToReturnMs)).filter((/** @type {any} */ v) => typeof v === 'number');
  const delivered = runs.reduce((sum, { m }) => sum + m.latencyMs.count, 0);
  const beforeReturn = delivered > 0 ? runs.reduce((sum, { m }) => sum + m.beforeReturnShare * m.latencyMs.count, 0) / delivered : 0;
  const range = (/** @type {number[]} */ values) => (values.length ? `${int(Math.min(...values))}–${int(Math.max(...values))} ms` : 'n/a');
  return [
    '## Live pushes',
    '',
    `Open \`homeTimelineTweetAdded\` subscriptions on the gateway (its own process in \`--layout processes\`), with the fan-out over indexed lookups, as in the lag's first table (the product's consumer as wired on FerretDB adds its scans before the announcement: see its lag). The subscribers are followers of ${live.author.handle} (${int(live.author.followers)} followers, fanned out), real users of the network with loaded home timelines, their tokens signed with the stack's key; one \`graphql-ws\` socket and one subscription each, held by ${live.subscriberProcesses} subscriber processes of the bench's and opened ${live.connectWave} at a time (a wave starts once every socket of the previous one has its \`connection_ack\`). The author posts through the gateway (\`postTweet\`). Each level is measured with two selections in turn, on the same sockets (each subscription completed and made again between them), each with a warm-up post and ${live.postsPerLevel} timed posts: ${live.selections.map((/** @type {any} */ sel) => `${sel.label}, \`${sel.subscription}\``).join('; ')}. The gateway resolves an event as \`tweet(id)\` with the subscription's selection, once for all subscribers (no viewer-dependent field); the author's fields come from the users subgraph, which reads them from FerretDB.`,
    '',
    '| Open subscriptions | Selection | Delivered | Push p50 | Push p99 | max | Target p99 | Announced on Redis p50 / p99 | After the announcement p50 / p99 | First to last socket (p50 of posts) | From `postTweet` returning p50 / p99 |',
    '|---|---|---|---|---|---|---|---|---|---|---|',
    ...rows,
    '',
    `**Push latency** runs from the tweet's event reaching Kafka (the record timestamp the tweets process's producer wrote) to the subscriber's socket receiving the tweet, in the subscriber processes; every time is epoch milliseconds on this one box. \`postTweet\` answers after that publish and one outbox update (the tweet marked published), so it is an upper bound of "from \`postTweet\` returning" (the last column, negative for a push that came first), and the targets are judged on it: the literal figure would reward a slow mutation. Here the mutations took ${range(mutations)} and answered ${range(afterEvent)} after their event was on Kafka; ${pct(beforeReturn)} of the pushes arrived before the answer${onSqlite(r) ? ' (the outbox update is a scan on FerretDB/SQLite)' : ''}. "Announced" is when the fan-out's announcement reached Redis pub/sub, seen by a listener of the bench's own on ${runs[0]?.m.announceSample ?? 0} subscribers' channels (spread over the subscribers, so over the fan-out's chunks); "after the announcement" is, for those same subscribers, the time from it to their socket: the gateway's lookup, its write to each socket, and the subscriber process reading it. "First to last socket" is the spread within one post: the fan-out announces chunk after chunk, then the gateway writes one socket after another.`,
    '',
    '| Open subscriptions | Sockets opened | Failed | Client errors and closes | TCP listen-queue overflows on the box | Gateway CPU per subscription | Channels listened to in Redis | Gateway bytes per subscription, heap / RSS | … after the posts |',
    '|---|---|---|---|---|---|---|---|---|',
    ...openRows,
    '',
    ...floorSection(live),
    `**Memory per open subscription** is the gateway process's heap and RSS after a full GC (\`--expose-gc\`), minus the same before any socket was opened, divided by the subscriptions: once they are all listening, and again after the level's posts (each subscription remembers the ids it delivered, up to 256, to drop repeats). RSS moves with what the allocator keeps or returns, so its per-subscription figure is rough.`,
    '',
    ...runs.flatMap(({ l, m }) => [
      `**${int(l.subscriptions)} subscriptions, ${m.label}.** During the timed posts: ${liveRuntime('gateway', m.runtime.gateway)}; ${liveRuntime('timeline', m.runtime.timeline)}; the subscriber processes ${int(m.runtime.subscribersCpuMs)} ms of CPU${m.runtime.socketsDropped ? `; ${m.runtime.socketsDropped} sockets closed after opening` : ''}${Object.keys(m.subscriptionErrors ?? {}).length ? `; subscription errors so far: ${byCode(m.subscriptionErrors)}` : ''}. Per post, from the event (first / p50 / last socket): ${m.perPost.map((/** @type {any} */ post) => `${post.firstMs} / ${post.p50Ms} / ${post.lastMs} ms`).join(' · ')}. Warm-up delivered to ${int(m.warmUp.delivered)}.${lookupSentence(m)}`,
      '',
    ]),
  ];
}

/**
 * The floor: the same kind of subscribers on a bare broadcast server.
 * @param {any} live
 * @returns {string[]}
 */
function floorSection(live) {
  if (!live.floor?.length) return [];
  const gatewayP99 = (/** @type {number} */ subscriptions) => live.levels.find((/** @type {any} */ l) => l.subscriptions === subscriptions)
    ?.selections.map((/** @type {any} */ m) => ms(m.latencyMs.p99)).join(' / ') ?? 'n/a';
  return [
    `**The floor on this box.** After the gateway's levels, fresh subscriber processes (the same \`graphql-ws\` clients, ${live.subscriberProcesses} processes) open as many sockets to a bare broadcast server of the bench's own (\`scripts/bench/bare-broadcast.js\`: \`ws\` and just enough of graphql-transport-ws; no token check, GraphQL, Redis or Kafka), which writes one \`next\` frame to every subscription, one socket after another, as the gateway does once an event is resolved: a warm-up broadcast, then ${live.postsPerLevel} timed ones. From the start of a broadcast to each socket receiving it:`,
    '',
    '| Open subscriptions | Delivered | p50 | p99 | max | Writing every socket (p50 of broadcasts) | Server CPU per push | Subscriber CPU per push | The gateway\'s push p99 from the event (with / without the author) |',
    '|---|---|---|---|---|---|---|---|---|',
    ...live.floor.map((/** @type {any} */ f) => `| ${int(f.subscriptions)} | ${pct(f.deliveredShare)} | ${ms(f.latencyMs.p50)} | ${ms(f.latencyMs.p99)} | ${ms(f.latencyMs.max)} | ${ms(f.writeMs.p50)} | ${f.serverCpuUsPerPush} µs | ${f.subscribersCpuUsPerPush} µs | ${gatewayP99(f.subscriptions)} |`),
    '',
    'That much of every push at the level is this box moving one frame through that many sockets and clients, before Kafka, the fan-out, Redis pub/sub or the lookup add anything: the part no product code removes on these cores.',
    '',
  ];
}

/** Where the live pushes' time went, for the limits list. @param {Result} r */
function liveLimit(r) {
  const runs = (r.live?.levels ?? []).flatMap((/** @type {any} */ l) => l.selections.map((/** @type {any} */ m) => ({ l, m })));
  if (runs.length === 0) return null;
  const parts = runs.map(({ l, m }) => {
    const gateway = m.runtime.gateway;
    const pushes = m.deliveredShare * l.subscriptions * m.posts;
    const perPush = gateway && pushes > 0 ? `; the gateway used ${int(gateway.cpuMs)} ms of CPU during the posts, ${round((1000 * gateway.cpuMs) / pushes)} µs per push, and the subscriber processes ${round((1000 * m.runtime.subscribersCpuMs) / pushes)} µs per push` : '';
    const lookup = m.lookupAtAnnouncementMs?.count ? ` (the lookup without the author: p50 ${ms(m.lookupAtAnnouncementMs.p50)})` : '';
    return `${int(l.subscriptions)} ${m.label}: announced p50 ${ms(m.announcedMs.p50)} / p99 ${ms(m.announcedMs.p99)} after the event, sockets p50 ${ms(m.afterAnnouncementMs.p50)} / p99 ${ms(m.afterAnnouncementMs.p99)} after that${lookup}, first to last socket ${ms(m.spreadMs?.p50)}${perPush}`;
  });
  const floors = (r.live?.floor ?? []).map((/** @type {any} */ f) => `${int(f.subscriptions)} sockets p99 ${ms(f.latencyMs.p99)} (server ${f.serverCpuUsPerPush} µs and subscribers ${f.subscribersCpuUsPerPush} µs of CPU per push)`);
  const floor = floors.length ? ` A bare broadcast, with no product code at all, reaches ${floors.join(', ')}: the floor of a push on this box.` : '';
  return `**Live pushes.** A push is: Kafka and the fan-out consumer, which asks first which followers have a socket open (\`PUBSUB SHARDNUMSUB\`, 500 channels a call) and serves them first, in chunks of ${r.parameters.fanoutChunk} pushed onto the cached timelines and then announced (an \`SPUBLISH\` per listened channel), the other followers' timelines after; then the gateway's lookup of the tweet through the supergraph, resolved and serialised once for every subscriber; then one frame per socket, written by the gateway's one event loop and read by the subscriber processes. Measured (${runs.length} runs): ${parts.join(' · ')}. All on a box whose ${r.machine.nproc} cores also run Redis, Kafka, FerretDB${onSqlite(r) ? " (busy with \`postTweet\`'s outbox update meanwhile)" : ''}, the timeline and the subscriber processes.${floor}`;
}

/** The Lambda step's figures (scripts/bench/measure-lambda.js): zip sizes, cold starts, latency against the containers. @param {Result} r */
function lambdaSection(r) {
  const l = r.lambda;
  if (!l) return [];
  const mb = (/** @type {number} */ bytes) => `${(bytes / 1_048_576).toFixed(2)} MB`;
  const mm = (/** @type {any} */ s) => (s && Number.isFinite(s.p50) ? `${s.p50} (${s.max})` : 'n/a');
  const cold = l.coldStarts?.functions ?? [];
  const coldRow = (/** @type {any} */ f) =>
    `| ${f.name} | ${f.event} | ${f.runs}${f.errors.length ? ` (${f.errors.length} failed: ${f.errors[0].slice(0, 160)})` : ''} | ${mm(f.readyMs)} | ${mm(f.loadMs)} | ${mm(f.firstRoundTripMs)} | ${mm(f.firstMs)} | **${f.runs ? beside(r, `lambda.cold.${f.name}`, f.totalMs.p50, (v) => `${v}`) : 'n/a'}** (${f.totalMs.max}) | ${mm(f.secondRoundTripMs)} |`;
  const lat = l.latency;
  const statCells = (/** @type {any} */ s) => `${int(s.count)} | ${ms(s.p50)} | ${ms(s.p90)} | ${ms(s.p99)} | ${ms(s.mean)}`;
  const latencyRows = (/** @type {string} */ key, /** @type {string} */ title, /** @type {string} */ lambdaPath, /** @type {string} */ containerPath) => {
    const c = lat?.[key];
    if (!c) return [];
    const ratio = `**${beside(r, `lambda.${key}.ratio.p50`, c.ratio.p50, (v) => `${v}×`)}** · ${c.ratio.p90}× · ${c.ratio.p99}× · ${c.ratio.mean}×`;
    const errors = (/** @type {'lambda' | 'container'} */ path) => (c.errors[path] ? ` (${c.errors[path]} failed)` : '');
    return [
      `| ${title} | Lambda: ${lambdaPath}${errors('lambda')} | ${statCells(c.lambda)} | ${ratio} |`,
      `| | container: ${containerPath}${errors('container')} | ${statCells(c.container)} | |`,
    ];
  };
  const fns = lat?.endToEnd?.functions ?? {};
  const sub = lat?.subgraph?.functions?.timeline;
  const standIn = lat?.standIn;
  const span = (/** @type {number[]} */ values, unit = ' ms') => {
    const finite = values.filter(Number.isFinite);
    if (!finite.length) return 'n/a';
    const [lo, hi] = [Math.round(Math.min(...finite)), Math.round(Math.max(...finite))];
    return lo === hi ? `${lo}${unit}` : `${lo}–${hi}${unit}`;
  };
  const warmGap = (/** @type {any} */ f) => f.firstRoundTripMs.p50 - f.secondRoundTripMs.p50;
  const ran = (/** @type {string} */ handler) => cold.filter((/** @type {any} */ f) => f.handler === handler && f.runs > 0);
  const [httpFns, consumers, sweepers] = [ran('handler'), ran('consumer'), ran('sweeper')];
  const probed = httpFns.filter((/** @type {any} */ f) => f.firstInvocationSteps?.runs > 0);
  const step = (/** @type {string} */ name) => span(probed.map((/** @type {any} */ f) => f.firstInvocationSteps.steps[name].p50));
  const coldMeaning = [
    httpFns.length ? `For the HTTP handlers a cold start took ${span(httpFns.map((/** @type {any} */ f) => f.totalMs.p50))} (medians), of which spawn to module loaded ${span(httpFns.map((/** @type {any} */ f) => f.readyMs.p50))}: ${span(httpFns.map((/** @type {any} */ f) => (100 * f.readyMs.p50) / f.totalMs.p50), '%')} of the cold start (Node's own start ${span(httpFns.map((/** @type {any} */ f) => f.nodeMs.p50))}, the rest importing the bundle); the first invocation took ${span(httpFns.map(warmGap))} longer than a warm one.` : '',
    probed.length ? `Step by step (the subgraphs, above): the configuration ${step('config')}, MongoDB's connection ${step('mongodb')}, Redis's ${step('redis')} (opened meanwhile), the app ${step('app')} (its repositories ensure their indexes), Apollo Server ${step('apollo')}; the rest is the first request's own work on code never run before. Kafka's connection (${step('kafka')}) is not on a read's path: the producer connects on the first publish.` : '',
    consumers.length ? `The consumers: ${consumers.map((/** @type {any} */ f) => `${f.name} ${ms(f.totalMs.p50)} (the first batch ${ms(f.firstRoundTripMs.p50)}, a warm one ${ms(f.secondRoundTripMs.p50)})`).join(', ')}.` : '',
    sweepers.length ? `The sweepers' invocations are mostly the sweep itself: ${sweepers.map((/** @type {any} */ f) => `${f.name} ${ms(f.firstRoundTripMs.p50)} first, ${ms(f.secondRoundTripMs.p50)} warm`).join(', ')} (on FerretDB the outbox sweep reads whole collections; on MongoDB it is an index probe).` : '',
  ].filter(Boolean).join(' ');
  const stepRow = (/** @type {any} */ f) => {
    const p = f.firstInvocationSteps;
    const sum = FIRST_STEPS.slice(0, -1).reduce((total, name) => total + p.steps[name].p50, 0);
    return `| ${f.name} | ${p.runs}${p.errors.length ? ` (${p.errors.length} failed: ${p.errors[0].slice(0, 120)})` : ''} | ${FIRST_STEPS.slice(0, -1).map((name) => mm(p.steps[name])).join(' | ')} | ${ms(round(f.firstMs.p50 - sum, 1))} of ${ms(f.firstMs.p50)} | ${mm(p.steps.kafka)} |`;
  };
  const e2e = lat?.endToEnd;
  const perHop = standIn?.plainHttp ? round(standIn.viaHttpApi.p50 - standIn.plainHttp.p50, 2) : NaN;
  const latencyMeaning = e2e && standIn
    ? `End to end the Lambda path took ${e2e.ratio.p50}× the container path's time at p50 (${ms(e2e.lambda.p50)} against ${ms(e2e.container.p50)}: ${ms(round(e2e.lambda.p50 - e2e.container.p50, 2))} more) and ${e2e.ratio.p99}× at p99. A hop through the stand-in (the local HTTP API, the event, the IPC round trip, the answer) costs about ${ms(perHop)} more than a plain HTTP hop with the same bytes (${ms(standIn.viaHttpApi.p50)} against ${ms(standIn.plainHttp?.p50)} at p50, the trivial handler invoked back to back; in place, between real requests, the IPC hop alone added ${ms(lat?.subgraph?.functions?.timeline?.ipc?.p50)} to the timeline's invocations), and the Lambda path has one on the subgraph alone and two end to end where the containers have plain HTTP hops. The handlers run the containers' code (the gateway's handler time includes its call to the timeline).${e2e.ratio.p99 > 1.25 * e2e.ratio.p50 ? ` The tail is wider on the Lambda path: its reads cross more processes (the bench's own, hosting the local HTTP API, twice; each function's through a pipe) on ${r.machine?.nproc ?? 'the'} cores shared with the servers and the stack, so more places for a scheduling delay or a GC pause.` : ''}`
    : '';
  return [
    '## Lambda',
    '',
    `The zips \`npm run package:lambda\` makes (\`scripts/package/lambda.js\`, packaged by the step into a temporary folder), run on this box as AWS runs them: each handler of an unpacked zip in a Node process of its own (\`scripts/package/lambda-runtime.js\` through @chirp/testing's \`startLambdaFunction\`: one invocation at a time, events over IPC), the HTTP handlers behind a local HTTP API on loopback that turns each POST into an API Gateway payload 2.0 event (\`startLocalHttpApi\`). Every function has the stack's environment: the same servers, JWT secret, database, Redis and Kafka topic prefixes, so they read the same seeded data as the stack's processes. The step took ${r.phases?.lambdaSeconds ?? 'n/a'} s.`,
    '',
    '| Zip | Handlers | Zipped | Unpacked | Bundles | Packaging |',
    '|---|---|---|---|---|---|',
    ...(l.zips ?? []).map((/** @type {any} */ z) => `| ${z.service} | ${z.handlers.join(', ')} | ${beside(r, `lambda.zip.${z.service}`, z.zipBytes / 1_048_576, (v) => `${v.toFixed(2)} MB`)} | ${mb(z.unpackedBytes)} | ${mb(z.bundleBytes)} | ${z.packSeconds} s |`),
    '',
    ...(cold.length ? [
      '### Cold starts',
      '',
      `${l.coldStarts.runs} fresh runtimes per function, one after another, in ms: median (max). *Spawn → loaded*: from forking the runtime's process to its module loaded (Node's start, then \`import('index.js')\`: *module load*, as the runtime times it; Lambda's init phase). *First invocation*: the first event's round trip; the handlers make their configuration, connections and app on it (\`perExecutionEnvironment\`), so it holds what the init phase leaves out; *handler* is the runtime's own time for it. *Cold start*: spawn to the first answer. A second, warm invocation of the same kind follows. The gateway's subgraphs are the stack's own processes here (warm), so its cold start is its own. A function whose runs have taken ${cold[0]?.budgetSeconds ?? 30} s starts no more (the sweepers' sweeps on FerretDB, at large networks): *Runs* says how many were made.`,
      '',
      '| Function | Event | Runs | Spawn → loaded | Module load | First invocation | Handler | **Cold start** | Second invocation |',
      '|---|---|---|---|---|---|---|---|---|',
      ...cold.map(coldRow),
      '',
      ...(probed.length ? [
        `A subgraph function's first invocation, step by step, as \`subgraphHttpHandler\` makes it (\`scripts/bench/lambda-probe.js\`: ${probed[0].firstInvocationSteps.runs} fresh processes per subgraph with the function's environment, its modules imported first, untimed), in ms: median (max); the rest is the handler's first-invocation median less these steps: the first request itself, on code never run before.`,
        '',
        '| Function | Runs | Configuration (secrets, pool size) | MongoDB connection | Redis connection (opened meanwhile) | App (indexes ensured) | Apollo Server (schema, start) | ≈ rest of the first invocation | Kafka connection (not made by a read) |',
        '|---|---|---|---|---|---|---|---|---|',
        ...probed.map(stepRow),
        '',
      ] : []),
      coldMeaning,
      '',
    ] : []),
    ...(lat ? [
      '### Latency: the Lambda path against the container path',
      '',
      `The card-only home page (\`${lat.query}\`) for ${lat.viewers} seeded viewers in turn, one request at a time (an execution environment serves one at a time), the Lambda and the container path interleaved (the order alternating each round) so a busy moment of this shared box hits both: ${lat.warmupRounds} rounds of warm-up, then ${int(lat.requests)} timed requests per path, each from sending to the whole answer read. Same servers, same data, same viewers and tokens; the stack's processes had served nothing else meanwhile.`,
      '',
      '| Read | Path | Requests | p50 | p90 | p99 | mean | Lambda / container: p50 · p90 · p99 · mean |',
      '|---|---|---|---|---|---|---|---|',
      ...latencyRows('subgraph', '(a) the timeline subgraph alone', 'local HTTP API → timeline zip', 'the timeline\'s process'),
      ...latencyRows('endToEnd', '(b) end to end', 'local HTTP API → gateway zip → local HTTP API → timeline zip', 'the stack\'s gateway → the timeline\'s process'),
      '',
      `Inside the Lambda path, p50 (p99): (a) the timeline handler's own time ${ms(sub?.handler?.p50)} (${ms(sub?.handler?.p99)}), its invocation over IPC ${ms(sub?.roundTrip?.p50)} (${ms(sub?.roundTrip?.p99)}), so the IPC hop added ${ms(sub?.ipc?.p50)} (${ms(sub?.ipc?.p99)}) a call; (b) the gateway handler ${ms(fns.gateway?.handler?.p50)} (${ms(fns.gateway?.handler?.p99)}), its IPC hop ${ms(fns.gateway?.ipc?.p50)} (${ms(fns.gateway?.ipc?.p99)}); the gateway's time includes its call to the timeline, whose handler took ${ms(fns.timeline?.handler?.p50)} (${ms(fns.timeline?.handler?.p99)}) and its IPC hop ${ms(fns.timeline?.ipc?.p50)} (${ms(fns.timeline?.ipc?.p99)})${fns.users ? `; the users function answered ${fns.users.handler.count} session checks meanwhile` : ''}. The stand-in's own hop, measured with a trivial handler answering the same ${int(standIn?.bodyBytes ?? 0)} bytes at once: over IPC ${ms(standIn?.ipcRoundTrip?.p50)} (${ms(standIn?.ipcRoundTrip?.p99)}) invoked back to back (both processes stay awake; between real requests they sleep, hence the larger hop above), through the local HTTP API ${ms(standIn?.viaHttpApi?.p50)} (${ms(standIn?.viaHttpApi?.p99)}); the same bytes from a plain HTTP server in the same process ${ms(standIn?.plainHttp?.p50)} (${ms(standIn?.plainHttp?.p99)}).`,
      '',
      latencyMeaning,
      '',
    ] : []),
    '**What the stand-in leaves out.** API Gateway itself (an HTTP API adds a few ms per request, more at its tail) and the network between it, the Lambda service and the function, twice per read end to end (the gateway function calls its subgraphs through the API too); TLS; with `SUBGRAPH_AUTH=aws-iam`, the gateway\'s SigV4 signature of each subgraph request. A real cold start adds the microVM, the code\'s download and unpacking, and the runtime\'s own start before the module is loaded; and a function gets CPU in proportion to its memory (a full vCPU at 1,769 MB), where here every process shares this box\'s cores with the servers and the stack. What it includes that AWS does not have: the IPC hop to the runtime\'s process (measured above) and the local HTTP API in the bench\'s own process.',
    '',
  ];
}

/** The steps of a subgraph function's first invocation (measure-lambda.js's FIRST_INVOCATION_STEPS), as the table's columns. */
const FIRST_STEPS = ['config', 'mongodb', 'redis', 'app', 'apollo', 'kafka'];

/** A process's CPU per unit, in ms to 3 decimals, or a dash. @param {number | undefined} v */
const msCell = (v) => (typeof v === 'number' ? v.toFixed(3) : '—');

/**
 * The scale step (scripts/bench/measure-scale.js): reads with one and two gateway and timeline processes, the
 * fan-out with one and two consumer instances, what a post costs, and the sizes the capacity model reads.
 * @param {Result} r
 */
function scaleSection(r) {
  const s = r.scale;
  if (!s) return [];
  const cores = s.cores ?? r.machine?.nproc;
  const { one, two } = s.reads;
  const processNames = [...new Set([...Object.keys(one.cpuMsPerPage.stack), ...Object.keys(two.cpuMsPerPage.stack)])]
    .filter((name) => [one, two].some((side) => (side.cpuMsPerPage.stack[name] ?? 0) >= 0.0005))
    .sort((x, y) => Number(y.startsWith('gateway')) - Number(x.startsWith('gateway')) || x.localeCompare(y));
  const readRow = (/** @type {string} */ title, /** @type {any} */ side) =>
    `| ${title} | **${beside(r, `scale.reads.${side === one ? 'one' : 'two'}.throughput`, side.throughput, (v) => `${int(v)}`)}** | ${ms(side.p50)} | ${ms(side.p99)} | ${side.errors} | ${processNames.map((name) => msCell(side.cpuMsPerPage.stack[name])).join(' | ')} | ${msCell(side.cpuMsPerPage.servers.redis)} | **${msCell(side.cpuMsPerPage.stackTotal + (side.cpuMsPerPage.servers.redis ?? 0))}** | ${side.ownCores ?? 'n/a'} (box ${side.boxBusyCores}) of ${cores} |`;
  const f = s.fanout;
  const split = (/** @type {any} */ run) => Object.entries(run.byProcess).map(([name, b]) => `${name} ${int(/** @type {any} */ (b).inserts)} (${/** @type {any} */ (b).events} posts)`).join(', ');
  const partitionsOf = (/** @type {any} */ a) => (a?.partitions ? a.partitions.map((list) => (list ? `[${list.join(',')}]` : '?')).join(' · ') : 'n/a');
  const fanRow = (/** @type {string} */ key, /** @type {any} */ run, /** @type {any} */ assignment) =>
    `| ${run.consumers} | ${run.rate ? `steady, ${int(run.rate)} posts/s for ${run.offeredSeconds} s` : 'burst'} | ${partitionsOf(assignment)} | ${int(run.handled)} of ${int(run.posts)} | ${int(run.inserts)} | ${run.seconds} s | **${beside(r, `scale.fanout.${key}.insertsPerSecond`, run.insertsPerSecond, (v) => int(v))}** | ${ms(run.handlerMs.p50)} / ${ms(run.handlerMs.p99)} | ${ms(run.lagMs?.p50)} / ${ms(run.lagMs?.p99)} | ${split(run)} | ${run.insertedAtHead === undefined ? 'n/a' : `${int(run.insertedAtHead)} / ${int(run.insertedBelowHead)}`} | ${run.coresBusy} | ${beside(r, `scale.fanout.${key}.perCore`, run.insertsPerCoreSecond, (v) => int(v))} | ${run.cpuUsPerInsert.kafka ?? '—'} µs | ${run.verified.found} of ${run.verified.checked} |`;
  const usList = (/** @type {any} */ run) => Object.entries(run.cpuUsPerInsert).filter(([, v]) => /** @type {number} */ (v) >= 0.05).map(([name, v]) => `${name} ${v}`).join(', ');
  const topCommands = (/** @type {any} */ run) => (run.redisCommands?.top ?? []).slice(0, 5).map((/** @type {any} */ c) => `${c.command} ${int(c.calls)} × ${c.usecPerCall} µs`).join(', ');
  const p = s.posts;
  const postCpu = p ? Object.entries({ ...p.cpuMsPerPost.stack, ...p.cpuMsPerPost.servers }).filter(([, v]) => /** @type {number} */ (v) >= 0.005) : [];
  const headroom = one.ownCores > 0 ? round(cores / one.ownCores, 2) : NaN;
  const gained = s.reads.ratio > 1.05;
  const perCorePages = (/** @type {any} */ side) => int(1000 / (side.cpuMsPerPage.stackTotal + (side.cpuMsPerPage.servers.redis ?? 0)));
  const redisKinds = Object.entries(s.sizes?.redis?.byKind ?? {});
  const mongo = Object.entries(s.sizes?.mongo ?? {});
  return [
    '## Scale: one copy against two',
    '',
    `Two questions, on the stack the bench started (\`scripts/bench/measure-scale.js\`; ${s.durationSeconds} s): does a second gateway and timeline process serve more home pages, and does a second instance of the fan-out consumer push more timeline inserts? **This box has ${cores} cores, shared by Redis, Kafka, FerretDB and PostgreSQL, the load generator and every process of the stack**, so a second copy gets no core of its own: the ratios below measure how much idle CPU the first copy left and what the copies cost each other here (contention), not what a copy on its own cores adds. The per-core figures (CPU per page, inserts per core-second) are the ones that carry over to bigger machines; \`docs/capacity.md\` scales them.`,
    '',
    '### Reads',
    '',
    `The card-only query (\`CARD_QUERY\`), closed loop, ${s.connections} connections in all, ${s.seconds} s a run, ${s.rounds} run(s) of each kind alternating (one then two, then two then one). **One**: the stack's gateway and timeline, as every other step reads them. **Two**: a second timeline process and a second gateway started as the first ones were (\`service-process.js\`, the same environment), the second gateway pointed at the second timeline (users, tweets and notifications shared); the load generator spreads its connections evenly over the two gateways (${s.connections / 2} each), so each timeline serves half the pages, as a round robin in front of them would, without a user-space proxy's hop (a Kubernetes Service balances in the kernel; \`startRoundRobin\` in @chirp/stack would add a Node process's HTTP hop and its CPU on the same cores). CPU per page from \`/proc/<pid>/stat\` over each run, in ms; the box's busy cores from \`/proc/stat\` (anyone's processes).`,
    '',
    `| Copies | Pages/s (mean) | p50 | p99 | Errors | ${processNames.join(' | ')} | Redis | Stack + Redis | Cores busy: the bench's own (the whole box) |`,
    `|---|---|---|---|---|${processNames.map(() => '---|').join('')}---|---|---|`,
    readRow('one gateway, one timeline', one),
    readRow('two gateways, two timelines', two),
    '',
    `**Two / one: ${beside(r, 'scale.reads.ratio', s.reads.ratio, (v) => `${v.toFixed(2)}×`)}** the pages/s (per round: ${s.reads.ratioByRound.map((v) => `${v}×`).join(', ')}). Runs: ${s.reads.runs.map((/** @type {any} */ run) => `${run.kind} ${int(run.throughput)}${run.byTarget.length > 1 ? ` (${run.byTarget.map((/** @type {any} */ t) => int(t.throughput)).join(' + ')})` : ''}`).join(' · ')} pages/s. With one copy the bench's own processes (the stack, the servers, the load generator) used ${one.ownCores ?? 'n/a'} of the ${cores} cores and the box as a whole was ${one.boxBusyCores} busy (the difference is other work on the box), so even a free second copy could have added at most about ${Number.isFinite(headroom) ? `${headroom}×` : 'n/a'} here, less with other work running; a page cost ${msCell(one.cpuMsPerPage.stackTotal + (one.cpuMsPerPage.servers.redis ?? 0))} ms of CPU (stack + Redis) with one copy and ${msCell(two.cpuMsPerPage.stackTotal + (two.cpuMsPerPage.servers.redis ?? 0))} ms with two: ${perCorePages(one)} and ${perCorePages(two)} pages per core-second. **For more cores**: the read path holds no state of its own (the gateway and the timeline read Redis), so copies on cores of their own add pages in proportion, until Redis (${msCell(one.cpuMsPerPage.servers.redis)} ms a page on its one thread, about ${one.cpuMsPerPage.servers.redis ? int(1000 / one.cpuMsPerPage.servers.redis) : 'n/a'} pages/s per Redis) or the network is the limit. ${gained
      ? 'The gain on this box is CPU the first copy left idle (each process waits on its event loop and on its hops), which a second copy uses: it says nothing of what a copy on cores of its own adds.'
      : 'No gain on this box: the first copy already had what the cores could give, and a second copy only adds its own costs (two more processes sharing the caches and the scheduler, each page now spread over more processes), so CPU per page rises. That is contention, not a limit of the design.'}`,
    '',
    '### Fan-out',
    '',
    `A burst of ${int(s.burst.posts)} tweet events by ${s.burst.authors} of the largest fanned-out authors (up to ${int(s.burst.biggestAuthorFollowers)} followers), written straight to Kafka (\`${s.topic.name}\`, ${s.topic.partitions} partitions; the tweets subgraph's own write left out), handled by the product's consumer group \`${s.topic.group}\` (the timeline's FanoutService, RedisTimelineStore and CardService with the follow graph answered from memory by index, as for the lag: MongoDB's indexes, not FerretDB's scans). The events are keyed by author, and the burst puts the same number of timeline inserts on every partition (${int(s.burst.inserts)} in all: each post's followers and its author), so an even split of the partitions is an even split of the work. Timed from the first publish to the last handler's end (epoch ms in the timeline processes). **One**: the stack's timeline process alone in the group. **Two**: a second timeline process joined the group (it also joins the timeline's other groups), and the group split the partitions between them. Each consumer instance handles one event at a time (kafkajs \`eachMessage\`), four chunks of ${r.parameters.fanoutChunk} followers in flight in it.`,
    '',
    '| Consumers | Load | Partitions each | Posts handled | Inserts | Time | Inserts/s | Handler p50 / p99 | Publish → handled p50 / p99 | Inserts by process | At the head / placed below (LPUSH / LINSERT) | Cores busy (timeline + Redis) | Inserts per core-second (timeline + Redis CPU) | Kafka CPU per insert | Sampled followers with the post |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|',
    fanRow('one', f.one, s.topic.assignment?.one),
    fanRow('two', f.two, s.topic.assignment?.two),
    ...(f.paced ? [fanRow('paced', f.paced, s.topic.assignment?.one)] : []),
    '',
    `**Two / one: ${beside(r, 'scale.fanout.ratio', f.ratio, (v) => `${v.toFixed(2)}×`)}** the inserts/s of the burst. CPU per insert, µs: burst, one consumer: ${usList(f.one)}; two: ${usList(f.two)}${f.paced ? `; steady, one consumer: ${usList(f.paced)}` : ''}. Redis's busiest commands (calls × µs each): one: ${topCommands(f.one)}; two: ${topCommands(f.two)}${f.paced ? `; steady: ${topCommands(f.paced)}` : ''}.`,
    '',
    `**What the burst is.** Every post is on Kafka before the consumers start on it, as when many big accounts post within a moment: the consumers work through a backlog, partition by partition, so a follower of authors on different partitions gets their posts out of id order, and the insert script places each one below the head (LPOS, then LRANGE of the whole list into the script, then LINSERT: tens of µs against about one for an LPUSH at the head). ${burstCost(f)} The steady row is the same posts at a quarter of the burst's pace, each event made when due, so the consumer is seldom behind and most inserts go to the head (a consumer that fetched several partitions' events at once still handles them partition by partition, so a few land below it): what the fan-out costs when it keeps up; its inserts per core-second are the per-core figure the capacity model uses. ${secondConsumer(f)}`,
    '',
    `**For more cores**: the fan-out scales with consumer instances up to the topic's partitions (${s.topic.partitions} here; members beyond them sit idle), each on a core of its own, and with Redis: at ${(f.paced ?? f.one).cpuUsPerInsert.redis ?? 'n/a'} µs of Redis CPU per insert (steady) one Redis's thread runs about ${(f.paced ?? f.one).cpuUsPerInsert.redis ? int(1e6 / (f.paced ?? f.one).cpuUsPerInsert.redis) : 'n/a'} inserts a second, so beyond that the home timelines are spread over Redis shards (keyed by user: \`redis-cluster\`); two copies on this box show how much of two cores one copy left idle, not what a second machine adds.`,
    '',
    ...(p ? [
      '### What a post costs',
      '',
      `\`postTweet\` through the stack's gateway, ${p.posters} in flight for ${p.seconds} s, by ${p.authors} authors with 1 to 50 followers (after a warm-up post each${p.settledSeconds !== undefined ? `, and once the servers had settled: ${p.settledSeconds} s` : ''}): ${int(p.posts)} posts, ${p.postsPerSecond} posts/s${p.failures ? `, ${p.failures} failed` : ''}, the mutation p50 ${ms(p.latency.p50)}, p99 ${ms(p.latency.p99)}. CPU per post of every process, counted until the fan-out of the last post had finished, in ms: ${postCpu.map(([name, v]) => `${name} ${/** @type {number} */ (v).toFixed(3)}`).join(', ')}; in all **${p.cpuMsPerPost.total.toFixed(2)} ms** (stack ${p.cpuMsPerPost.stackTotal.toFixed(2)}, servers ${p.cpuMsPerPost.serversTotal.toFixed(2)}). FerretDB and PostgreSQL stand in for MongoDB (the tweet's insert and its outbox update); the timeline's projection write is in memory here (the fan-out over indexed lookups), one more small upsert on MongoDB.`,
      '',
    ] : []),
    ...(redisKinds.length ? [
      '### Sizes',
      '',
      `Redis by key kind (the bench's namespace; \`MEMORY USAGE … SAMPLES 0\` of up to 200 keys of each kind), ${int((s.sizes.redis.usedMemoryBytes ?? 0) / 2 ** 20)} MiB used in all:`,
      '',
      '| Key | Keys | Type | Mean bytes | Mean length |',
      '|---|---|---|---|---|',
      ...redisKinds.slice(0, 16).map(([kind, k]) => `| \`${kind}\` | ${int(/** @type {any} */ (k).keys)} | ${/** @type {any} */ (k).type} | ${int(/** @type {any} */ (k).meanBytes)} | ${/** @type {any} */ (k).meanLength ?? '—'} |`),
      '',
      'MongoDB (FerretDB here), BSON bytes per document of a sample of up to 1,000 per collection (what MongoDB stores before compression, indexes not included):',
      '',
      '| Collection | Documents | Mean BSON bytes | Indexes |',
      '|---|---|---|---|',
      ...mongo.map(([name, c]) => `| ${name} | ${int(c.documents)} | ${int(c.meanBsonBytes)} | ${c.indexes.map((/** @type {string} */ i) => `\`${i}\``).join(', ')} |`),
      '',
    ] : []),
  ];
}

/** What the out-of-order inserts cost Redis in the burst, against the steady run. @param {any} f */
function burstCost(f) {
  const burst = f.one.cpuUsPerInsert.redis;
  const steady = f.paced?.cpuUsPerInsert.redis;
  const below = f.one.insertedBelowHead / Math.max(1, f.one.insertedAtHead + f.one.insertedBelowHead);
  return `Here ${(100 * below).toFixed(0)}% of the burst's inserts went below the head, and Redis spent ${burst} µs of CPU per insert${steady ? ` against ${steady} µs in the steady run (${(burst / steady).toFixed(1)}×)` : ''}: a fan-out that falls behind costs Redis several times more per insert, which makes catching up slower. Reading only the top of the list first (most late ids belong near the head) would keep that cost near the in-order one.`;
}

/** Why a second consumer did or did not add throughput in the burst. @param {any} f */
function secondConsumer(f) {
  const redisCores = f.one.redisCpuMs / 1000 / f.one.seconds;
  const redisBound = redisCores >= 0.6;
  return redisBound
    ? `In the burst Redis was the limit: its one thread was ${redisCores.toFixed(2)} cores busy with one consumer (the out-of-order inserts), so a second consumer, which only adds requests to the same Redis, had nothing to gain (${f.ratio}×); on a Redis Cluster the inserts spread over the shards and the consumers with them.`
    : `A consumer instance handles one event at a time and waits on Redis between its chunks, so one instance left CPU idle in the burst (${f.one.coresBusy} cores of timeline and Redis busy, Redis ${redisCores.toFixed(2)}); a second one could use it (${f.ratio}×).`;
}

/** The fan-out's inserts: each run's rates, and where Redis's time went. @param {Result} r */
function insertsSection(r) {
  return [
    `A fresh tweet id pushed onto all ${int(r.network.users)} cached timelines through \`RedisTimelineStore.addToHomes\` (its Lua insert: LINDEX, LPUSH, LTRIM) in chunks of ${r.inserts.chunk}, then removed again:`,
    '',
    '| Chunks in flight | Inserts/s per tweet | Best | Redis µs per script call | Redis busy in the script | Redis CPU | client (Node) CPU |',
    '|---|---|---|---|---|---|---|',
    ...r.inserts.runs.map((/** @type {any} */ run) => `| ${run.inFlight}${run.inFlight === 1 ? ' (as FanoutService does)' : ''} | ${run.insertsPerSecond.map(int).join(', ')} | **${int(run.best)}** | ${run.redisUsecPerScriptCall} | ${Math.round(run.redisScriptSecondsShare * 100)}% of the insert time | ${Math.round(run.redisCpuShare * 100)}% of a core | ${Math.round(run.clientCpuShare * 100)}% of a core |`),
    '',
  ];
}

/** The steps `--only` runs alone, as the report names them. @type {Record<string, string>} */
const ONLY_TITLES = { lambda: 'Lambda', scale: 'scale', inserts: 'fan-out inserts', web: 'web' };

/** When, how, on what: the lines every report starts with. @param {Result} r */
function runLines(r) {
  const m = r.machine;
  return [
    `Run ${r.startedAt} → ${r.finishedAt} (${r.durationSeconds} s in all). Command: \`${r.command}\`.`,
    '',
    `**Machine**: ${m.nproc} CPUs (${m.cpuModel}), ${m.memoryGiB} GiB, ${m.os}, Node ${m.node}. Everything — servers, the stack, the load generator — on this one box.`,
    // The web step alone (--only web) starts no servers and no bench stack: only its embedded one, described in its section.
    ...(r.servers ? [`**Servers**: ${r.servers.given ? 'given in the environment' : `Redis (Debian redis-server), ${r.servers.kafka}, ${r.servers.mongodb}, started on loopback by the bench`}.`] : []),
    `**Load average** (1, 5, 15 min) before the run: ${r.loadAverage?.atStart?.join(', ') ?? 'n/a'}; after: ${r.loadAverage?.atEnd?.join(', ') ?? 'n/a'}. Anything else running on the box (another engineer's test suite, say) takes CPU from the figures below; compare runs with that in mind.`,
    ...(r.stack ? [`**Stack** (\`--layout ${r.stack?.layout ?? 'one'}\`): ${stackDescription(r)}, \`NODE_ENV=production\`, \`LOG_LEVEL=warn\`${r.stack?.nodeFlags?.length ? `, Node flags \`${r.stack.nodeFlags.join(' ')}\`` : ''}; the bare handler in its own process; the load generator (autocannon and an open-loop driver) in the bench's own.`] : []),
    '',
  ];
}

/**
 * The report of a step run alone (`--only`): the run, the network and the step's own section.
 * @param {Result} r
 */
function partialMarkdown(r) {
  const p = r.parameters;
  const n = r.network;
  return [
    `# Chirp benchmark: the ${ONLY_TITLES[p.only] ?? p.only} step alone`,
    '',
    p.only === 'web'
      ? '`--only web`: no servers, no network and no load; the client\'s bundle, then an embedded stack of its own and a browser, as in the full bench; the other steps\' figures are in the full report.'
      : `\`--only ${p.only}\`: the servers, the load and the stack as in the full bench, then only this step; the other steps' figures are in the full report.`,
    '',
    ...runLines(r),
    p.only === 'web'
      ? `**Parameters**: ${webParameters(r)}.`
      : `**Parameters**: ${int(p.users)} users, seed ${p.seed}, mean following ${p.following}, celebrity threshold ${int(p.celebrityThreshold)} followers; ${p.only === 'scale'
        ? `${p.scaleSeconds} s per read run, ${p.scaleRounds} round(s) of one and two copies, ${p.connections} connections, ${int(p.scaleInserts)} timeline inserts per fan-out burst`
        : p.only === 'inserts'
          ? '3 tweets per run, 1 and 4 chunks in flight'
          : `${int(p.lambdaRequests)} timed requests per path, ${p.lambdaColdStarts} cold starts per function`}.`,
    '',
    ...(n ? [`**Network**: ${int(n.users)} users, ${int(n.followEdges)} follow edges, ${int(n.tweets)} tweets; generated in ${r.phases.generateSeconds} s, loaded in ${r.load.seconds} s, the stack started in ${r.phases.stackStartSeconds} s.`, ''] : []),
    ...(p.only === 'lambda' ? lambdaSection(r) : []),
    ...(p.only === 'scale' ? scaleSection(r) : []),
    ...(p.only === 'inserts' ? ['## Fan-out inserts', '', ...insertsSection(r)] : []),
    ...(p.only === 'web' ? webSection(r, beside) : []),
    ...(p.only === 'scale' && r.memory ? [`**Redis memory per cached timeline**: ${memorySentence(r)}`, ''] : []),
    ...previousSection(r),
  ].join('\n');
}

/**
 * @param {Result} r
 * @returns {string}
 */
export function markdown(r) {
  if (r.parameters?.only) return partialMarkdown(r);
  const p = r.parameters;
  const n = r.network;
  // The Home query's likes, and posting (postTweet), run the tweets subgraph too.
  const postingPath = r.stack?.layout === 'processes' ? [...readPath(r), 'tweets'] : readPath(r);
  const latencyRow = (/** @type {string} */ name, /** @type {any} */ run, /** @type {string} */ load, /** @type {string} */ key = '') =>
    `| ${name} | ${load} | ${int(run.requests)} | ${run.errors} | ${ms(run.latency.p50)} | ${ms(run.latency.p95)} | ${key ? beside(r, key, run.latency.p99, (v) => `${v} ms`) : ms(run.latency.p99)} | ${ms(run.latency.max)} | ${stalls(run, name !== 'bare handler', name.startsWith('Home') ? postingPath : readPath(r))} |`;
  const closedLoad = (/** @type {string} */ key, /** @type {any} */ run) =>
    `closed loop, ${run.connections} connections: **${beside(r, `read.${key}.throughput`, run.throughput, (v) => `${int(v)} pages/s`)}**`;
  const lagRows = (/** @type {string} */ mode) => Object.entries(r.lag[mode] ?? {}).map(([size, c]) =>
    `| ${int(Number(size))} | ${c.posts.length} | ${c.sampledFollowers} | ${c.missed} | ${ms(c.lag.p50)} | ${ms(c.lag.p99)} | ${ms(c.lag.max)} | ${c.posts.map((/** @type {any} */ post) => post.mutationMs).join(', ')} |`);
  const lines = [
    '# Chirp benchmark: home timeline, fan-out, lag, memory',
    '',
    ...runLines(r),
    `**Parameters**: ${int(p.users)} users, seed ${p.seed}, mean following ${p.following}, celebrity threshold ${int(p.celebrityThreshold)} followers, ${p.maxLength} ids per cached timeline, ${p.viewers} viewers' tokens cycled, ${p.connections} connections, ${p.seconds} s per read run, ${p.posts} posts per author class${p.liveCounts?.length ? `, ${p.livePosts} live posts per level at ${p.liveCounts.map(int).join(' and ')} open subscriptions` : ''}.`,
    '',
    '## Targets',
    '',
    `${r.previous ? `In brackets, beside a figure: the previous report's (${r.previous.file}, ${r.previous.startedAt}, \`${r.previous.command}\`), where it had one.` : 'No previous report of this network size to compare with.'}`,
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
    `| · MongoDB | ${r.load.mongo.seconds.toFixed(1)} s | ${int(r.load.mongo.documents)} documents by insertMany (users, follows; tweets; the timeline's authors, follow_graph, tweets) — FerretDB bound, about ${int(r.load.mongo.documents / r.load.mongo.seconds)} documents/s |`,
    `| · Redis | ${r.load.redis.seconds.toFixed(1)} s | ${int(r.load.redis.homes)} home timelines (${int(r.load.redis.homeEntries)} ids; ${int(r.load.redis.fullHomes)} full at ${p.maxLength}), cards and authors for every tweet and user, every author's recent list |`,
    `| stack start | ${r.phases.stackStartSeconds} s | includes the repositories' index builds on the loaded collections |`,
    '',
    `Page check: ${r.pageCheck.identical} of ${r.pageCheck.checked} sampled viewers got the same page from the gateway and from the bare handler (mean ${r.pageCheck.meanEdges} edges).`,
    '',
    '## Read path',
    '',
    '- **card-only query** (the page the bare handler serves too): `' + CARD_QUERY + '`',
    '- **Home query** (the README\'s, likes included; page 1 with no `after`, page 5 with the endCursor of page 4): `' + HOME_QUERY + '`',
    '',
    '![latency](latency.svg) ![throughput](throughput.svg)',
    '',
    '| Read | Load | Requests | Errors | p50 | p95 | p99 | max | Stalls meanwhile |',
    '|---|---|---|---|---|---|---|---|---|',
    latencyRow('card-only query', r.reads.closed.gateway, closedLoad('card', r.reads.closed.gateway), 'read.card.p99'),
    latencyRow('bare handler', r.reads.closed.bare, closedLoad('bare', r.reads.closed.bare), 'read.bare.p99'),
    ...(r.reads.home ? [latencyRow('Home query, page 1', r.reads.home.closed, closedLoad('home', r.reads.home.closed), 'read.home.p99')] : []),
    ...(r.reads.home?.page5 ? [latencyRow('Home query, page 5', r.reads.home.page5, closedLoad('page5', r.reads.home.page5), 'read.page5.p99')] : []),
    ...r.reads.open.map((/** @type {any} */ o) => latencyRow(o.query === 'home' ? 'Home query, page 1' : 'card-only query', o.gateway,
      `open loop ${o.rate} pages/s (${o.share === null ? 'fixed' : `${Math.round(o.share * 100)}% of its throughput`}; achieved ${o.gateway.achievedRate})`, `open.${openKey(o)}.p99`)),
    '',
    `Gateway throughput / bare handler throughput (card-only query): **${beside(r, 'read.ratio', r.reads.closed.throughputRatio * 100, (v) => `${v.toFixed(1)}%`)}**. ${cpuSentence(r)} Open-loop latency counts from when each request was due, so queueing is included (no coordinated omission). The bare handler reads \`LRANGE home 0 19\`, \`MGET\` the cards and \`MGET\` the authors, with no GraphQL, no federation and no token check; it does not merge celebrities' recent tweets (the loaded timelines already hold them, so the pages match).`,
    '',
    ...cpuPerPageSection(r),
    ...idleSection(r),
    ...profileSection(r),
    ...limitsSection(r),
    ...coldSection(r),
    ...uploadsSection(r),
    '## Fan-out',
    '',
    '![inserts](inserts.svg)',
    '',
    ...insertsSection(r),
    '### Post-to-visible lag',
    '',
    'Each post goes through the gateway (`postTweet`: tweets subgraph → MongoDB → outbox → Kafka), the timeline\'s fan-out consumer pushes the id onto the followers\' cached timelines, and the bench polls sampled followers\' home lists in Redis (every 2 ms, up to 100 followers per post) until the id shows. Lag is from sending the mutation.',
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
    ...r.readsDuringPosts.runs.map((/** @type {any} */ run) => `| ${run.label} | ${run.posts} | ${ms(run.reads.latency.p50)} | ${ms(run.reads.latency.p95)} | ${ms(run.reads.latency.p99)} | ${run.p99Ratio}× | ${stalls(run.reads, true, postingPath)} |`),
    '',
    `Open loop at ${r.readsDuringPosts.rate} req/s (half the gateway's closed-loop throughput), fan-out over indexed lookups. "postTweet through the gateway" is a real post: the tweets subgraph writes to FerretDB and marks the outbox; "tweet event straight to Kafka" publishes the event the tweets subgraph would, so only the timeline's work remains.`,
    '',
    ...liveSection(r),
    ...lambdaSection(r),
    ...scaleSection(r),
    ...webSection(r, beside),
    ...previousSection(r),
    '## What limits these figures',
    '',
    ...limits(r).map((line) => `- ${line}`),
    '',
    '## Redis memory',
    '',
    memorySentence(r),
    '',
  ];
  return lines.join('\n');
}

/** The cached timelines' size, as Redis counts it. @param {Result} r */
function memorySentence(r) {
  if (!(r.memory.sampled > 0)) return `No home timeline of this network holds ${r.memory.entries} entries (too few follows at this size), so none was measured; Redis held ${int(r.memory.redisUsedMemoryBytes / 2 ** 20)} MiB in ${int(r.memory.redisKeys)} keys after the load.`;
  return `\`MEMORY USAGE … SAMPLES 0\` over ${r.memory.sampled} full (${r.memory.entries}-entry) home timelines: mean **${int(r.memory.meanBytes)} bytes** (min ${int(r.memory.minBytes)}, max ${int(r.memory.maxBytes)}), ${r.memory.bytesPerEntry} bytes per entry (19-digit ids are stored as 64-bit integers in listpacks; \`list-max-listpack-size\` ${r.memory.listMaxListpackSize}). No \`:gen\` key exists after the load (one is written by a follow or unfollow); one costs ${r.memory.genKeyBytes} bytes, so ${int(r.memory.withGenKeyBytes)} bytes with it. A follower's \`:celebs\` set: ${r.memory.celebsSetBytes ?? 'n/a'} bytes. Redis held ${int(r.memory.redisUsedMemoryBytes / 2 ** 20)} MiB in ${int(r.memory.redisKeys)} keys after the load.`;
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
  // A step run alone (--only) has none of the targets' figures, nor the charts'.
  const partial = Boolean(result.parameters?.only);
  const withTargets = { ...result, targets: partial ? [] : judgeTargets(result) };
  const files = { 'latest.json': `${JSON.stringify(withTargets, null, 2)}\n`, 'latest.md': markdown(result), ...(partial ? {} : charts(result)) };
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

// The read path's, the idle stack's, the Lambda, scale and web steps' figures of a
// result, flat and named, so that a report can show each beside the
// previous report's: the run stores the previous result's figures
// (`previous.figures`), computed by this same code from that result's JSON. Results written before a figure
// existed simply lack it (older ones had no Home query, page 5, Redis CPU or
// idle measurement; their CPU came from each process's own cpuUsage).

import { round } from './stats.js';

/** @typedef {Record<string, any>} Result */
/** @typedef {{ key: string, label: string, unit: string, value: number }} Figure */

/** The closed-loop read runs, by name. @param {Result} r */
export function readRuns(r) {
  return {
    card: r.reads?.closed?.gateway,
    bare: r.reads?.closed?.bare,
    home: r.reads?.home?.closed,
    page5: r.reads?.home?.page5 ?? undefined,
  };
}

/** What each closed-loop run reads, for labels. */
export const RUN_TITLES = {
  card: 'card-only query, page 1',
  bare: 'bare handler (the card page)',
  home: 'Home query, page 1',
  page5: 'Home query, page 5',
};

/**
 * CPU ms per page of each process in a run: the stack's processes (from
 * /proc, each with any children it forks; from their own cpuUsage in older
 * results), the bare handler in its run, Redis (when measured); `stack` sums
 * the stack's processes, `total` adds Redis (only when Redis was measured).
 *
 * @param {any} run
 * @param {boolean} bare  the bare handler's run: its process, not the stack's
 * @returns {{ byProcess: Record<string, number>, stack: number, redis?: number, total?: number, otherServers?: number } | null}
 *   otherServers: Kafka, FerretDB and PostgreSQL together, when measured (off the path but for the users subgraph's
 *   session lookups)
 */
export function cpuPerPage(run, bare = false) {
  const rt = run?.runtime;
  if (!rt || !(run.requests > 0)) return null;
  const perPage = (/** @type {number} */ cpuMs) => cpuMs / run.requests;
  /** @type {Record<string, number>} */
  const byProcess = {};
  if (bare) {
    if (Number.isFinite(rt.bare?.cpuMs)) byProcess['bare handler'] = perPage(rt.bare.cpuMs);
  } else {
    // The gateway first, then the subgraphs in the order the stack started them.
    const names = Object.keys(rt.processes ?? {}).sort((x, y) => Number(y === 'gateway') - Number(x === 'gateway'));
    for (const name of names) {
      const p = rt.processes[name];
      const fromProc = rt.cpu?.stack?.[name];
      const cpuMs = typeof fromProc === 'number' ? fromProc : /** @type {any} */ (p)?.cpuMs;
      if (Number.isFinite(cpuMs)) byProcess[name] = perPage(cpuMs);
    }
  }
  const stack = Object.values(byProcess).reduce((sum, v) => sum + v, 0);
  const redisMs = rt.cpu?.servers?.redis;
  if (typeof redisMs !== 'number') return { byProcess, stack };
  const redis = perPage(redisMs);
  const others = Object.entries(rt.cpu.servers).filter(([name, v]) => name !== 'redis' && typeof v === 'number');
  const otherServers = others.length ? perPage(others.reduce((sum, [, v]) => sum + /** @type {number} */ (v), 0)) : undefined;
  return { byProcess, stack, redis, total: stack + redis, otherServers };
}

/**
 * Requests each subgraph received per gateway request during a run: the
 * query plan's hops, as served. @param {any} run
 */
export function hopsOf(run) {
  const processes = run?.runtime?.processes;
  if (!processes?.gateway || !(processes.gateway.requests > 0)) return null;
  return Object.fromEntries(Object.entries(processes).filter(([name]) => name !== 'gateway')
    .map(([name, p]) => [name, Math.round((100 * (/** @type {any} */ (p).requests ?? 0)) / processes.gateway.requests) / 100]));
}

/** An open-loop run's key: `home@300/s`, `home@60%`; older results ran the card-only query only. @param {any} o */
export const openKey = (o) => `${o.query ?? 'card'}@${o.share === null || o.share === undefined ? `${o.rate}/s` : `${Math.round(o.share * 100)}%`}`;

/** An open-loop run's title. @param {any} o */
export const openTitle = (o) => `${o.query === 'home' ? 'Home query' : 'card-only query'} at ${o.share === null || o.share === undefined ? `a fixed ${o.rate} pages/s` : `${Math.round(o.share * 100)}% of its throughput (${o.rate} pages/s)`}`;

/** Page 5's CPU per page against page 1's (stack and Redis; the stack alone without Redis figures). @param {Result} r */
export function page5Ratio(r) {
  const one = cpuPerPage(r.reads?.home?.closed);
  const five = cpuPerPage(r.reads?.home?.page5);
  if (!one || !five) return undefined;
  return five.total !== undefined && one.total ? five.total / one.total : five.stack / one.stack;
}

/**
 * Every figure of the read path (cold first pages included), the idle stack and the Lambda step, in the report's order.
 *
 * @param {Result} r
 * @returns {Figure[]}
 */
export function figureList(r) {
  /** @type {Figure[]} */
  const list = [];
  const add = (/** @type {string} */ key, /** @type {string} */ label, /** @type {string} */ unit, /** @type {number | undefined} */ value, digits = 3) => {
    if (typeof value === 'number' && Number.isFinite(value)) list.push({ key, label, unit, value: round(value, digits) });
  };
  add('workers', 'workers per service (WORKERS)', '', r.stack?.workers ?? (r.stack ? 1 : undefined), 0);
  for (const [name, run] of Object.entries(readRuns(r))) {
    if (!run) continue;
    const title = RUN_TITLES[/** @type {keyof typeof RUN_TITLES} */ (name)];
    add(`read.${name}.throughput`, `${title}: closed-loop throughput`, 'pages/s', run.throughput, 1);
    add(`read.${name}.p99`, `${title}: closed-loop p99`, 'ms', run.latency?.p99, 2);
    const cpu = cpuPerPage(run, name === 'bare');
    for (const [process, v] of Object.entries(cpu?.byProcess ?? {})) add(`read.${name}.cpu.${process}`, `${title}: CPU per page, ${process}`, 'ms', v);
    add(`read.${name}.cpu.redis`, `${title}: CPU per page, Redis`, 'ms', cpu?.redis);
    if (name !== 'bare') add(`read.${name}.cpu.stack`, `${title}: CPU per page, the stack's processes`, 'ms', cpu?.stack);
    add(`read.${name}.cpu.total`, `${title}: CPU per page, ${name === 'bare' ? 'bare handler' : 'stack'} + Redis`, 'ms', cpu?.total);
    add(`read.${name}.cpu.otherServers`, `${title}: CPU per page, Kafka + FerretDB + PostgreSQL`, 'ms', cpu?.otherServers);
    for (const [subgraph, v] of Object.entries(hopsOf(run) ?? {})) add(`read.${name}.hops.${subgraph}`, `${title}: ${subgraph} requests per gateway request`, '', v, 2);
  }
  add('read.ratio', 'card-only query: gateway / bare handler throughput', '%', 100 * (r.reads?.closed?.throughputRatio ?? NaN), 1);
  add('read.page5.ratio', 'Home query: CPU per page, page 5 / page 1', '×', page5Ratio(r), 2);
  for (const o of r.reads?.open ?? []) {
    add(`open.${openKey(o)}.p50`, `${openTitle(o)}: p50`, 'ms', o.gateway?.latency?.p50, 2);
    add(`open.${openKey(o)}.p99`, `${openTitle(o)}: p99`, 'ms', o.gateway?.latency?.p99, 2);
  }
  const cold = r.cold;
  if (cold?.gateway?.coldMs?.count > 0) {
    const readers = `${cold.concurrency} readers`;
    for (const p of ['p50', 'p95', 'p99', 'max']) add(`cold.gateway.${p}`, `cold first page (Home query, ${readers}): ${p}`, 'ms', cold.gateway.coldMs[p], 2);
    add('cold.gateway.warm.p99', `the same viewers' second read (warm again, ${readers}): p99`, 'ms', cold.gateway.warmMs?.p99, 2);
    add('cold.gateway.complete', 'cold first pages equal to the warm page before', '%', 100 * cold.gateway.complete.coldSameAsBefore / cold.gateway.complete.checked, 1);
  }
  if (cold?.indexed?.coldMs?.count > 0) {
    add('cold.indexed.p99', 'cold first page over indexed lookups (HomeTimelineService.page, no gateway): p99', 'ms', cold.indexed.coldMs.p99, 2);
    add('cold.indexed.warm.p99', 'warm page over indexed lookups (HomeTimelineService.page, no gateway): p99', 'ms', cold.indexed.warmMs.p99, 2);
  }
  const lambda = r.lambda;
  for (const z of lambda?.zips ?? []) add(`lambda.zip.${z.service}`, `Lambda zip, ${z.service}: zipped`, 'MB', z.zipBytes / 1_048_576, 2);
  for (const f of lambda?.coldStarts?.functions ?? []) {
    if (f.runs > 0) add(`lambda.cold.${f.name}`, `Lambda cold start (spawn → first answer), ${f.name}: median`, 'ms', f.totalMs.p50, 1);
  }
  for (const [key, title] of [['subgraph', 'the timeline subgraph alone'], ['endToEnd', 'end to end']]) {
    const c = lambda?.latency?.[key];
    if (!c) continue;
    for (const path of ['lambda', 'container']) {
      for (const p of ['p50', 'p99']) add(`lambda.${key}.${path}.${p}`, `home page one at a time, ${title}, ${path} path: ${p}`, 'ms', c[path]?.[p], 2);
    }
    add(`lambda.${key}.ratio.p50`, `home page one at a time, ${title}: Lambda / container p50`, '×', c.ratio.p50, 2);
  }
  add('lambda.ipc.p50', 'Lambda stand-in: IPC hop to the runtime, in place (timeline invocations, round trip less handler): p50', 'ms', lambda?.latency?.subgraph?.functions?.timeline?.ipc?.p50, 2);
  const scale = r.scale;
  if (scale?.reads) {
    add('scale.reads.one.throughput', 'scale: card-only pages/s, one gateway and one timeline', 'pages/s', scale.reads.one.throughput, 1);
    add('scale.reads.two.throughput', 'scale: card-only pages/s, two gateways and two timelines', 'pages/s', scale.reads.two.throughput, 1);
    add('scale.reads.ratio', 'scale: reads, two / one', '×', scale.reads.ratio, 2);
    add('scale.reads.one.cpu', 'scale: CPU per page, stack + Redis, one copy', 'ms', scale.reads.one.cpuMsPerPage.stackTotal + (scale.reads.one.cpuMsPerPage.servers.redis ?? 0));
  }
  if (scale?.fanout) {
    add('scale.fanout.one.insertsPerSecond', 'scale: fan-out inserts/s, one consumer', 'inserts/s', scale.fanout.one.insertsPerSecond, 0);
    add('scale.fanout.two.insertsPerSecond', 'scale: fan-out inserts/s, two consumers', 'inserts/s', scale.fanout.two.insertsPerSecond, 0);
    add('scale.fanout.ratio', 'scale: fan-out, two / one', '×', scale.fanout.ratio, 2);
    add('scale.fanout.one.perCore', 'scale: fan-out inserts per core-second (timeline + Redis), one consumer', 'inserts', scale.fanout.one.insertsPerCoreSecond, 0);
  }
  add('scale.posts.cpu', 'scale: CPU per post, every process', 'ms', scale?.posts?.cpuMsPerPost?.total);
  webFigures(r, add);
  for (const [when, idle] of Object.entries(r.idle ?? {})) {
    const title = when === 'atEnd' ? 'at rest, at the end' : 'at rest, after the load';
    for (const [name, v] of Object.entries({ ...idle.stack, ...idle.servers })) add(`idle.${when}.${name}`, `${title}: ${name}`, 'cores', /** @type {number} */ (v), 4);
    add(`idle.${when}.total`, `${title}: everything`, 'cores', idle.totalCores, 4);
  }
  return list;
}

/**
 * The web step's figures: the bundle's gzipped sizes, and the loads' medians and p90s.
 * @param {Result} r @param {(key: string, label: string, unit: string, value: number | undefined, digits?: number) => void} add
 */
function webFigures(r, add) {
  const totals = r.web?.bundle?.totals;
  add('web.bundle.initial.gzip', 'web client: first load, gzipped', 'kB', totals ? totals.initial.gzipBytes / 1024 : undefined, 1);
  add('web.bundle.lazy.gzip', 'web client: chunks loaded on demand, gzipped', 'kB', totals ? totals.lazy.gzipBytes / 1024 : undefined, 1);
  add('web.bundle.js.gzip', 'web client: all JavaScript, gzipped', 'kB', totals ? totals.js.gzipBytes / 1024 : undefined, 1);
  const loads = [['desktop', 'cold', 'desktop, cold'], ['desktop', 'warm', 'desktop, warm'], ['phone', 'cold', 'phone, cold']];
  for (const [device, kind, title] of loads) {
    const f = r.web?.navigation?.[device]?.[kind]?.figures;
    add(`web.${device}.${kind}.painted.p50`, `web client, ${title}: timeline painted, median`, 'ms', f?.paintedMs?.p50, 1);
    add(`web.${device}.${kind}.painted.p90`, `web client, ${title}: timeline painted, p90`, 'ms', f?.paintedMs?.p90, 1);
    add(`web.${device}.${kind}.fcp.p50`, `web client, ${title}: first contentful paint, median`, 'ms', f?.firstContentfulPaintMs?.p50, 1);
  }
}

/** The figures by key, as stored with the next run (`previous.figures`). @param {Result} r */
export const figures = (r) => Object.fromEntries(figureList(r).map((f) => [f.key, f.value]));

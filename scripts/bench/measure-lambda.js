// The Lambda step: the zips `npm run package:lambda` makes, run on this box
// as AWS runs them (@chirp/testing's stand-in: each handler in a process of
// its own, scripts/package/lambda-runtime.js, behind a local HTTP API that
// turns requests into payload 2.0 events), on the very servers, data,
// secret and prefixes the bench's stack uses.
//
//   1. Packages every zip (scripts/package/lambda.js's packageLambda, into
//      a temporary folder) and records its sizes.
//   2. Cold starts: for each function (zip and handler), `coldStarts` fresh
//      runtimes one after another: spawn to module loaded (the runtime's
//      own import time of index.js beside it), the first invocation (the
//      handlers make their configuration, connections, app and Apollo
//      Server on it) and a second, warm one; with real events (a
//      seeded viewer's read for the HTTP handlers, an MSK batch of one
//      harmless event for the consumers, a schedule's tick for the
//      sweepers). And for the subgraphs' HTTP handlers, what their first
//      invocation makes, step by step (lambda-probe.js, fresh processes too):
//      the configuration, MongoDB's and Redis's connections, the app,
//      Apollo Server; and Kafka's connection, which a read never makes.
//   3. Latency, Lambda path against container path, one request at a time
//      (an execution environment serves one at a time), interleaved so a
//      busy moment of the shared box hits both: the card-only home page
//      (CARD_QUERY, `homeTimeline(first: 20)`) (a) on the timeline subgraph
//      alone: local HTTP API → timeline zip against the timeline's process;
//      (b) end to end: local HTTP API → gateway zip → local HTTP API →
//      subgraph zips, against the stack's gateway. And what the stand-in's
//      own hops cost: a trivial handler answering the same bytes, invoked
//      over IPC and through the local HTTP API, against a plain HTTP server
//      answering them.

import { fork } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EventTypes, Topics, newId } from '@chirp/platform';
import { httpApiEvent, mskEvent, scheduledEvent, startLambdaFunction, startLocalHttpApi, unpackZip } from '@chirp/testing';
import { FANOUT_GROUP } from '@chirp/timeline';
import { NOTIFICATIONS_GROUP } from '@chirp/notifications';
import { LAMBDA_PACKAGES, packageLambda } from '../package/lambda.js';
import { CARD_QUERY } from './requests.js';
import { percentile, round } from './stats.js';

/** @typedef {{ id: string, token: string }} Viewer */
/** @typedef {import('@chirp/testing').LambdaFunction} LambdaFunction */

const SUBGRAPHS = ['users', 'tweets', 'timeline', 'notifications'];
const PROBE = fileURLToPath(new URL('./lambda-probe.js', import.meta.url));
/** The steps of a subgraph function's first invocation the probe times, in order. */
export const FIRST_INVOCATION_STEPS = ['config', 'mongodb', 'redis', 'app', 'apollo', 'kafka'];
/** Viewers the latency runs cycle through (each read once per path in the warm-up, so every session check is cached). */
const LATENCY_VIEWERS = 50;
/** Rounds (one request per path) before the timed ones: the functions' first invocations, the JIT, the session checks. */
const WARMUP_ROUNDS = 100;
/**
 * No new run of a function's cold start once its runs have taken this long: the sweepers' sweeps read whole
 * collections on FerretDB (a range on the outbox's pendingSince), longer the larger the network.
 */
const COLD_START_BUDGET_MS = 30_000;
const ME_QUERY = '{ me { id handle displayName } }';
const TWEET_QUERY = 'query Tweet($id: ID!) { tweet(id: $id) { id text createdAt } }';
const NOTIFICATIONS_QUERY = '{ notifications(first: 10) { edges { node { id kind createdAt } } } }';

/** count, mean and percentiles of samples in ms. @param {number[]} samples */
export function latencySummary(samples) {
  const sorted = Float64Array.from(samples).sort();
  const at = (/** @type {number} */ p) => (sorted.length ? round(percentile(sorted, p)) : NaN);
  return {
    count: sorted.length,
    mean: sorted.length ? round(sorted.reduce((sum, v) => sum + v, 0) / sorted.length) : NaN,
    p50: at(50),
    p90: at(90),
    p99: at(99),
    max: sorted.length ? round(sorted[sorted.length - 1]) : NaN,
  };
}

/** The median and the worst of a few runs. @param {number[]} samples */
const medianMax = (samples) => {
  const s = latencySummary(samples);
  return { p50: s.p50, max: s.max };
};

/** Lambda over container, figure by figure. @param {ReturnType<typeof latencySummary>} lambda @param {ReturnType<typeof latencySummary>} container */
export function ratios(lambda, container) {
  /** @type {Record<string, number>} */
  const out = {};
  for (const key of /** @type {const} */ (['p50', 'p90', 'p99', 'mean'])) out[key] = container[key] > 0 ? round(lambda[key] / container[key], 2) : NaN;
  return out;
}

/** What the functions read: the stack's environment, less what only the bench's processes use. @param {NodeJS.ProcessEnv} env */
function functionEnv(env) {
  const { BENCH_NETWORK: _n, WORKERS: _w, PORT: _p, HOST: _h, ...rest } = env;
  // One bundled dependency uses Node's deprecated punycode: its warning, once per runtime, would litter the bench's output.
  return { ...rest, NODE_OPTIONS: '--no-deprecation' };
}

/** The gateway stores nothing: its subgraphs' URLs and Redis (live events, revocations), as the stack's gateway. @param {NodeJS.ProcessEnv} env @param {Record<string, string>} urls */
function gatewayEnv(env, urls) {
  const { MONGODB_URL: _m, KAFKA_BROKERS: _k, ...rest } = functionEnv(env);
  return { ...rest, ...Object.fromEntries(SUBGRAPHS.map((name) => [`${name.toUpperCase()}_URL`, urls[name]])) };
}

/** An HTTP handler's answer, checked: 200 and data without errors. @param {any} result @param {string} what */
function checkHttp(result, what) {
  const body = typeof result?.body === 'string' ? result.body : '';
  if (result?.statusCode !== 200 || !body.includes('"data"') || body.includes('"errors"')) {
    throw new Error(`${what} answered ${result?.statusCode}: ${body.slice(0, 300)}`);
  }
}

/** A tweet posted by an author nobody follows (a fresh id): the fan-out writes its projection, card and recent list, and has no follower to push to. */
function lonelyTweet() {
  const authorId = newId();
  const tweetId = newId();
  const createdAt = new Date().toISOString();
  return {
    id: `tweet:${tweetId}:v1`, type: EventTypes.tweetPosted, occurredAt: createdAt, key: authorId,
    payload: { tweetId, authorId, version: 1, text: 'a Lambda cold start', createdAt, editedAt: null, deleted: false },
  };
}

/** A follow between two fresh user ids: a FOLLOW notification for a user nobody reads. */
function strangersFollow() {
  const followerId = newId();
  const followeeId = newId();
  const changedAt = new Date().toISOString();
  return {
    id: `follow:${followerId}:${followeeId}:1`, type: EventTypes.userFollowed, occurredAt: changedAt, key: followerId,
    payload: { followerId, followeeId, active: true, seq: 1, changedAt },
  };
}

/**
 * The functions whose cold starts are measured, each with the event it is given (made afresh for each
 * invocation) and the check of its answer.
 *
 * @param {{ topicPrefix: string, tweetId: string }} fixtures
 */
function coldStartFunctions({ topicPrefix, tweetId }) {
  const http = (/** @type {string} */ path, /** @type {string} */ query, /** @type {object} */ variables = {}) =>
    (/** @type {Viewer} */ viewer) => httpApiEvent({ body: { query, variables }, token: viewer.token, path });
  const subgraph = (/** @type {string} */ name) => `/subgraphs/${name}/graphql`;
  return [
    { service: 'gateway', handler: 'handler', event: http('/graphql', CARD_QUERY), kind: 'http',
      what: 'the card-only home page (`homeTimeline(first: 20)`) with a seeded viewer\'s token; its subgraphs the stack\'s own processes (warm): a session check on users, the page on the timeline' },
    { service: 'users', handler: 'handler', event: http(subgraph('users'), ME_QUERY), kind: 'http', what: '`me` with a seeded viewer\'s token' },
    { service: 'tweets', handler: 'handler', event: http(subgraph('tweets'), TWEET_QUERY, { id: tweetId }), kind: 'http', what: '`tweet(id)` of a seeded tweet' },
    { service: 'timeline', handler: 'handler', event: http(subgraph('timeline'), CARD_QUERY), kind: 'http', what: 'the card-only home page with a seeded viewer\'s token' },
    { service: 'notifications', handler: 'handler', event: http(subgraph('notifications'), NOTIFICATIONS_QUERY), kind: 'http', what: '`notifications(first: 10)` with a seeded viewer\'s token' },
    { service: 'timeline', handler: 'consumer', group: FANOUT_GROUP, kind: 'consumer',
      event: () => mskEvent(Topics.tweets, [lonelyTweet()], { topicPrefix }),
      what: `an MSK batch of one tweet posted by a fresh author nobody follows (group ${FANOUT_GROUP}: projection, card, recent list, follower count; no follower to push to)` },
    { service: 'notifications', handler: 'consumer', group: NOTIFICATIONS_GROUP, kind: 'consumer',
      event: () => mskEvent(Topics.userFollows, [strangersFollow()], { topicPrefix }),
      what: `an MSK batch of one follow between two fresh user ids (group ${NOTIFICATIONS_GROUP}: a notification nobody reads)` },
    { service: 'users', handler: 'sweeper', event: () => scheduledEvent('chirp-users-sweep'), kind: 'sweeper', what: 'a scheduled event: the outbox sweep and the media sweep' },
    { service: 'tweets', handler: 'sweeper', event: () => scheduledEvent('chirp-tweets-sweep'), kind: 'sweeper', what: 'a scheduled event: the outbox sweep' },
  ];
}

/** Checks one invocation's answer. @param {string} kind @param {any} result @param {string} name */
function checkAnswer(kind, result, name) {
  if (kind === 'http') checkHttp(result, name);
  else if (kind === 'sweeper' && typeof result?.settled !== 'number') throw new Error(`${name} answered ${JSON.stringify(result)}`);
}

/**
 * Each function's cold starts, `runs` fresh runtimes one after another.
 *
 * @param {{ dirs: Record<string, string>, env: NodeJS.ProcessEnv, subgraphUrls: Record<string, string>, viewers: Viewer[],
 *   fixtures: { topicPrefix: string, tweetId: string }, runs: number, log: (line: string) => void }} options
 */
async function measureColdStarts({ dirs, env, subgraphUrls, viewers, fixtures, runs, log }) {
  const results = [];
  for (const spec of coldStartFunctions(fixtures)) {
    const name = `${spec.service}.${spec.handler}`;
    const fnEnv = spec.service === 'gateway' ? gatewayEnv(env, subgraphUrls)
      : { ...functionEnv(env), ...(spec.group ? { KAFKA_CONSUMER_GROUP: spec.group } : {}) };
    /** @type {Record<string, number[]>} */
    const samples = { readyMs: [], loadMs: [], nodeMs: [], firstMs: [], firstRoundTripMs: [], totalMs: [], secondMs: [], secondRoundTripMs: [] };
    /** @type {string[]} */
    const errors = [];
    const began = performance.now();
    for (let run = 0; run < runs && (run === 0 || performance.now() - began < COLD_START_BUDGET_MS); run += 1) {
      const viewer = viewers[run % viewers.length];
      /** @type {LambdaFunction | undefined} */
      let fn;
      try {
        const spawned = performance.now();
        fn = await startLambdaFunction(dirs[spec.service], spec.handler, fnEnv);
        const readyMs = performance.now() - spawned;
        const first = await fn.invoke(spec.event(viewer));
        const firstRoundTripMs = performance.now() - spawned - readyMs;
        checkAnswer(spec.kind, first.result, name);
        const again = performance.now();
        const second = await fn.invoke(spec.event(viewer));
        const secondRoundTripMs = performance.now() - again;
        checkAnswer(spec.kind, second.result, name);
        samples.readyMs.push(readyMs);
        samples.loadMs.push(fn.loadMs);
        samples.nodeMs.push(readyMs - fn.loadMs);
        samples.firstMs.push(first.ms);
        samples.firstRoundTripMs.push(firstRoundTripMs);
        samples.totalMs.push(readyMs + firstRoundTripMs);
        samples.secondMs.push(second.ms);
        samples.secondRoundTripMs.push(secondRoundTripMs);
      } catch (error) {
        errors.push(error instanceof Error ? error.message : String(error));
      } finally {
        await fn?.stop();
      }
    }
    const entry = {
      name, service: spec.service, handler: spec.handler, group: spec.group ?? null, event: spec.what, runs: samples.readyMs.length, errors,
      budgetSeconds: COLD_START_BUDGET_MS / 1000,
      ...Object.fromEntries(Object.entries(samples).map(([key, values]) => [key, medianMax(values)])),
    };
    results.push(entry);
    log(`  ${name.padEnd(22)} cold start p50 ${entry.totalMs.p50} ms (max ${entry.totalMs.max}): spawn to loaded ${entry.readyMs.p50} (module ${entry.loadMs.p50}), first invocation ${entry.firstRoundTripMs.p50} (handler ${entry.firstMs.p50}); warm ${entry.secondRoundTripMs.p50} ms${errors.length ? `; ${errors.length} failed: ${errors[0]}` : ''}`);
  }
  return results;
}

/**
 * A subgraph function's first invocation step by step (lambda-probe.js): `runs` fresh processes per subgraph.
 * @param {{ env: NodeJS.ProcessEnv, runs: number }} options
 * @returns {Promise<Record<string, { runs: number, errors: string[], steps: Record<string, { p50: number, max: number }> }>>}
 */
async function probeFirstInvocations({ env, runs }) {
  /** @type {Record<string, any>} */
  const out = {};
  for (const service of SUBGRAPHS) {
    /** @type {Record<string, number[]>} */
    const samples = Object.fromEntries(FIRST_INVOCATION_STEPS.map((step) => [step, []]));
    /** @type {string[]} */
    const errors = [];
    for (let run = 0; run < runs; run += 1) {
      try {
        const { times } = await new Promise((resolve, reject) => {
          const child = fork(PROBE, [service], { env: functionEnv(env), stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
          const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
          let answer;
          child.on('message', (message) => { answer = message; });
          child.on('exit', (code, signal) => {
            clearTimeout(timer);
            if (answer) resolve(answer);
            else reject(new Error(`the probe of ${service} exited (${code ?? signal}) without an answer`));
          });
        });
        for (const step of FIRST_INVOCATION_STEPS) samples[step].push(times[step]);
      } catch (error) {
        errors.push(error instanceof Error ? error.message : String(error));
      }
    }
    out[service] = { runs: samples.config.length, errors, steps: Object.fromEntries(Object.entries(samples).map(([step, values]) => [step, medianMax(values)])) };
  }
  return out;
}

/** A function whose invocations are timed: the handler's own ms (the runtime's figure) and the IPC round trip. @param {LambdaFunction} fn */
function recorded(fn) {
  /** @type {{ ms: number[], roundTripMs: number[], ipcMs: number[] }} */
  const calls = { ms: [], roundTripMs: [], ipcMs: [] };
  /** @type {LambdaFunction} */
  const wrapped = {
    loadMs: fn.loadMs,
    stop: () => fn.stop(),
    invoke: async (event) => {
      const started = performance.now();
      const answer = await fn.invoke(event);
      const roundTripMs = performance.now() - started;
      calls.roundTripMs.push(roundTripMs);
      calls.ms.push(answer.ms);
      calls.ipcMs.push(roundTripMs - answer.ms);
      return /** @type {any} */ (answer);
    },
  };
  return {
    fn: wrapped,
    reset: () => {
      calls.ms.length = 0;
      calls.roundTripMs.length = 0;
      calls.ipcMs.length = 0;
    },
    /** handler: the runtime's own time; roundTrip: the invocation as its caller sees it; ipc: the difference, call by call. */
    summary: () => ({ handler: latencySummary(calls.ms), roundTrip: latencySummary(calls.roundTripMs), ipc: latencySummary(calls.ipcMs) }),
  };
}

/** One POST of a GraphQL body, timed from sending to the whole answer read; throws unless it is a page. @param {string} url @param {string} body @param {string} token */
async function post(url, body, token) {
  const started = performance.now();
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body });
  const text = await response.text();
  const ms = performance.now() - started;
  if (response.status !== 200 || !text.includes('"edges"') || text.includes('"errors"')) throw new Error(`${response.status} ${text.slice(0, 300)}`);
  return ms;
}

/**
 * The same read on two paths, one request at a time, the order alternating each round: `warmup` rounds, then
 * `requests` timed ones. `measuring` runs once the warm-up is over.
 *
 * @param {{ urls: { lambda: string, container: string }, viewers: Viewer[], warmup: number, requests: number, measuring: () => void }} options
 */
async function interleaved({ urls, viewers, warmup, requests, measuring }) {
  const body = JSON.stringify({ query: CARD_QUERY });
  /** @type {{ lambda: number[], container: number[] }} */
  const samples = { lambda: [], container: [] };
  const errors = { lambda: 0, container: 0 };
  /** @type {string[]} */
  const messages = [];
  for (let i = 0; i < warmup + requests; i += 1) {
    if (i === warmup) measuring();
    const viewer = viewers[i % viewers.length];
    for (const path of /** @type {const} */ (i % 2 ? ['lambda', 'container'] : ['container', 'lambda'])) {
      try {
        const ms = await post(urls[path], body, viewer.token);
        if (i >= warmup) samples[path].push(ms);
      } catch (error) {
        errors[path] += 1;
        if (messages.length < 3) messages.push(`${path}: ${error instanceof Error ? error.message : error}`);
      }
    }
  }
  const lambda = latencySummary(samples.lambda);
  const container = latencySummary(samples.container);
  return { lambda, container, ratio: ratios(lambda, container), errors, errorMessages: messages };
}

/**
 * The stand-in's own cost: a handler that answers a fixed page (the timeline's answer, the same bytes) at once,
 * invoked over IPC and through the local HTTP API; and the same bytes from a plain HTTP server.
 *
 * @param {{ dir: string, page: string, routes: Record<string, LambdaFunction>, apiUrl: string, token: string, requests: number }} options
 */
async function measureStandIn({ dir, page, routes, apiUrl, token, requests }) {
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'package.json'), '{ "type": "module", "private": true }\n');
  await writeFile(join(dir, 'page.json'), page);
  await writeFile(join(dir, 'index.js'), [
    "import { readFileSync } from 'node:fs';",
    "const body = readFileSync(new URL('./page.json', import.meta.url), 'utf8');",
    "export const handler = async () => ({ statusCode: 200, headers: { 'content-type': 'application/json' }, body });",
    '',
  ].join('\n'));
  const trivial = recorded(await startLambdaFunction(dir, 'handler', { PATH: process.env.PATH }));
  routes['/trivial'] = trivial.fn;
  /** @type {http.Server | undefined} */
  let plain;
  try {
    const event = httpApiEvent({ body: { query: CARD_QUERY }, token, path: '/trivial' });
    for (let i = 0; i < WARMUP_ROUNDS; i += 1) await trivial.fn.invoke(event);
    trivial.reset();
    for (let i = 0; i < requests; i += 1) await trivial.fn.invoke(event);
    const ipc = trivial.summary();
    const body = JSON.stringify({ query: CARD_QUERY });
    for (let i = 0; i < WARMUP_ROUNDS; i += 1) await post(`${apiUrl}/trivial`, body, token);
    /** @type {number[]} */
    const viaApi = [];
    for (let i = 0; i < requests; i += 1) viaApi.push(await post(`${apiUrl}/trivial`, body, token));
    // The same bytes from a plain HTTP server, in the bench's process as the local HTTP API is: a hop with no event, IPC or runtime.
    plain = http.createServer((request, response) => {
      request.resume();
      request.on('end', () => response.writeHead(200, { 'content-type': 'application/json' }).end(page));
    });
    await new Promise((resolve) => plain?.listen(0, '127.0.0.1', () => resolve(undefined)));
    const plainUrl = `http://127.0.0.1:${/** @type {import('node:net').AddressInfo} */ (plain.address()).port}/graphql`;
    for (let i = 0; i < WARMUP_ROUNDS; i += 1) await post(plainUrl, body, token);
    /** @type {number[]} */
    const direct = [];
    for (let i = 0; i < requests; i += 1) direct.push(await post(plainUrl, body, token));
    return { bodyBytes: Buffer.byteLength(page), ipcRoundTrip: ipc.roundTrip, handler: ipc.handler, ipc: ipc.ipc, viaHttpApi: latencySummary(viaApi), plainHttp: latencySummary(direct) };
  } finally {
    delete routes['/trivial'];
    await trivial.fn.stop();
    plain?.closeAllConnections();
    await new Promise((resolve) => (plain ? plain.close(() => resolve(undefined)) : resolve(undefined)));
  }
}

/**
 * Lambda against container, same servers, same read, same viewers.
 *
 * @param {{ dirs: Record<string, string>, work: string, env: NodeJS.ProcessEnv, gatewayUrl: string, subgraphUrls: Record<string, string>,
 *   viewers: Viewer[], requests: number, page: string, log: (line: string) => void }} options
 */
async function compareLatency({ dirs, work, env, gatewayUrl, subgraphUrls, viewers, requests, page, log }) {
  /** @type {ReturnType<typeof recorded>[]} */
  const started = [];
  /** @type {Record<string, LambdaFunction>} */
  const routes = {};
  /** @type {Record<string, ReturnType<typeof recorded>>} */
  const functions = {};
  /** @type {import('@chirp/testing').LocalHttpApi | undefined} */
  let api;
  try {
    for (const name of SUBGRAPHS) {
      functions[name] = recorded(await startLambdaFunction(dirs[name], 'handler', functionEnv(env)));
      started.push(functions[name]);
      routes[`/subgraphs/${name}/graphql`] = functions[name].fn;
    }
    api = await startLocalHttpApi(routes);
    const apiUrl = api.url;
    functions.gateway = recorded(await startLambdaFunction(dirs.gateway, 'handler',
      gatewayEnv(env, Object.fromEntries(SUBGRAPHS.map((name) => [name, `${apiUrl}/subgraphs/${name}/graphql`])))));
    started.push(functions.gateway);
    routes['/graphql'] = functions.gateway.fn;
    const resetAll = () => started.forEach((fn) => fn.reset());

    log(`  (a) the timeline subgraph: local HTTP API → timeline zip against the timeline's process, ${requests} requests each after ${WARMUP_ROUNDS} rounds...`);
    const subgraph = await interleaved({
      urls: { lambda: `${apiUrl}/subgraphs/timeline/graphql`, container: subgraphUrls.timeline }, viewers, warmup: WARMUP_ROUNDS, requests, measuring: resetAll,
    });
    const subgraphTimeline = functions.timeline.summary();
    log(`      p50 ${subgraph.lambda.p50} against ${subgraph.container.p50} ms (${subgraph.ratio.p50}×), p99 ${subgraph.lambda.p99} against ${subgraph.container.p99} ms (${subgraph.ratio.p99}×); the timeline handler's own p50 ${subgraphTimeline.handler.p50} ms, its IPC round trip ${subgraphTimeline.roundTrip.p50} ms (${subgraphTimeline.ipc.p50} ms more than the handler)${subgraph.errors.lambda + subgraph.errors.container ? `; errors ${JSON.stringify(subgraph.errors)}: ${subgraph.errorMessages[0]}` : ''}`);

    log(`  (b) end to end: local HTTP API → gateway zip → local HTTP API → timeline zip against the stack's gateway, ${requests} requests each...`);
    const endToEnd = await interleaved({ urls: { lambda: `${apiUrl}/graphql`, container: gatewayUrl }, viewers, warmup: WARMUP_ROUNDS, requests, measuring: resetAll });
    const e2eFunctions = Object.fromEntries(Object.entries(functions).map(([name, fn]) => [name, fn.summary()]).filter(([, s]) => s.handler.count > 0));
    log(`      p50 ${endToEnd.lambda.p50} against ${endToEnd.container.p50} ms (${endToEnd.ratio.p50}×), p99 ${endToEnd.lambda.p99} against ${endToEnd.container.p99} ms (${endToEnd.ratio.p99}×); gateway handler p50 ${e2eFunctions.gateway?.handler.p50} ms, timeline handler p50 ${e2eFunctions.timeline?.handler.p50} ms${endToEnd.errors.lambda + endToEnd.errors.container ? `; errors ${JSON.stringify(endToEnd.errors)}: ${endToEnd.errorMessages[0]}` : ''}`);

    log(`  the stand-in's own hops: a trivial handler answering the same ${Buffer.byteLength(page)} bytes, over IPC and through the local HTTP API...`);
    const standIn = await measureStandIn({ dir: join(work, 'trivial'), page, routes, apiUrl, token: viewers[0].token, requests });
    log(`      IPC round trip p50 ${standIn.ipcRoundTrip.p50} ms (p99 ${standIn.ipcRoundTrip.p99}); through the local HTTP API p50 ${standIn.viaHttpApi.p50} ms (p99 ${standIn.viaHttpApi.p99}); a plain HTTP server p50 ${standIn.plainHttp.p50} ms (p99 ${standIn.plainHttp.p99})`);
    return {
      query: CARD_QUERY, requests, warmupRounds: WARMUP_ROUNDS, viewers: viewers.length,
      subgraph: { ...subgraph, functions: { timeline: subgraphTimeline } },
      endToEnd: { ...endToEnd, functions: e2eFunctions },
      standIn,
    };
  } finally {
    for (const fn of started) await fn.fn.stop().catch(() => {});
    await api?.close();
  }
}

/**
 * @param {{ env: NodeJS.ProcessEnv, gatewayUrl: string, subgraphUrls: Record<string, string>, viewers: Viewer[],
 *   requests: number, coldStarts: number, log: (line: string) => void }} options
 *   env: the stack's environment (the same JWT secret, servers, database, Redis and topic prefixes)
 *   gatewayUrl, subgraphUrls: the stack's own processes, the container path
 */
export async function measureLambda({ env, gatewayUrl, subgraphUrls, viewers, requests, coldStarts, log }) {
  const work = await mkdtemp(join(tmpdir(), 'chirp-bench-lambda-'));
  try {
    log('  packaging the zips (scripts/package/lambda.js)...');
    const zips = [];
    /** @type {Record<string, string>} */
    const dirs = {};
    for (const service of Object.keys(LAMBDA_PACKAGES)) {
      const started = performance.now();
      const { zip: _zip, ...sizes } = await packageLambda(service, join(work, 'zips'));
      zips.push({ ...sizes, packSeconds: round((performance.now() - started) / 1000, 1) });
      dirs[service] = unpackZip(join(work, 'zips', `${service}.zip`), join(work, service));
    }
    const mb = (/** @type {number} */ bytes) => `${(bytes / 1_048_576).toFixed(2)} MB`;
    log(`    ${zips.map((z) => `${z.service} ${mb(z.zipBytes)} (${mb(z.unpackedBytes)} unpacked)`).join(', ')}`);

    const readers = viewers.slice(0, Math.min(LATENCY_VIEWERS, viewers.length));
    // A seeded tweet for the tweets handler, and the timeline's answer (its bytes, for the trivial handler), from the stack.
    const firstPage = await fetch(subgraphUrls.timeline, {
      method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${readers[0].token}` },
      body: JSON.stringify({ query: CARD_QUERY }),
    }).then((response) => response.text());
    if (!firstPage.includes('"edges"') || firstPage.includes('"errors"')) throw new Error(`the timeline's process did not answer a page: ${firstPage.slice(0, 300)}`);
    const tweetAnswer = /** @type {any} */ (await fetch(gatewayUrl, {
      method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${readers[0].token}` },
      body: JSON.stringify({ query: '{ homeTimeline(first: 1) { edges { node { id } } } }' }),
    }).then((response) => response.json()));
    const tweetId = tweetAnswer.data?.homeTimeline?.edges?.[0]?.node?.id;
    if (!tweetId) throw new Error(`no seeded tweet to read: ${JSON.stringify(tweetAnswer).slice(0, 300)}`);

    let cold = [];
    if (coldStarts > 0) {
      log(`  cold starts: ${coldStarts} fresh runtimes per function, one after another...`);
      cold = await measureColdStarts({
        dirs, env, subgraphUrls, viewers: readers, fixtures: { topicPrefix: String(env.KAFKA_TOPIC_PREFIX ?? ''), tweetId }, runs: coldStarts, log,
      });
      log('  a subgraph function\'s first invocation step by step (lambda-probe.js, fresh processes)...');
      const probes = await probeFirstInvocations({ env, runs: coldStarts });
      for (const [service, probe] of Object.entries(probes)) {
        const entry = cold.find((f) => f.name === `${service}.handler`);
        if (entry) entry.firstInvocationSteps = probe;
        log(`    ${service.padEnd(13)} ${FIRST_INVOCATION_STEPS.map((step) => `${step} ${probe.steps[step].p50}`).join(', ')} ms${probe.errors.length ? `; ${probe.errors.length} failed: ${probe.errors[0]}` : ''}`);
      }
    }
    log('  latency, one request at a time, Lambda and container interleaved:');
    const latency = await compareLatency({ dirs, work, env, gatewayUrl, subgraphUrls, viewers: readers, requests, page: firstPage, log });
    return { zips, coldStarts: { runs: coldStarts, functions: cold }, latency };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

// npm run bench: builds a synthetic network, loads it into the real stores,
// runs the Chirp stack on real servers and measures the home timeline's read
// path, fan-out, post-to-visible lag and Redis memory, and the Lambda zips
// (cold starts, latency against the stack's processes), and the web client
// (its bundle, and loads of its home page in Chromium on the embedded
// default); writes benchmarks/results/latest.{json,md} and SVG charts.
//
//   npm run bench                      # 100K users
//   npm run bench -- --users 20000     # quick mode (or BENCH_USERS=20000)
//   npm run bench -- --only lambda     # the Lambda step alone (benchmarks/results/only-lambda/)
//   npm run bench -- --only scale      # the scale step alone (benchmarks/results/only-scale/)
//   npm run bench -- --only inserts    # the fan-out's inserts alone (benchmarks/results/only-inserts/)
//   npm run bench -- --only web        # the web step alone, no servers (benchmarks/results/only-web/)
//
// Servers: MONGODB_URL, REDIS_URL and KAFKA_BROKERS when all are set (the
// bench then works under a namespace of its own and drops it at the end),
// otherwise Redis, Kafka and FerretDB started on loopback and stopped again.
// A benchmark, not a test: a missed target is reported, never an exit code;
// the exit code is non-zero only when the bench could not run.

import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { KafkaEventBus, TokenService, createLogger } from '@chirp/platform';
import { loadTimelineSettings } from '@chirp/timeline';
import { startServers } from '../servers/index.js';
import { startChild } from './children.js';
import { startBenchStack } from './stack.js';
import { dropMongo, loadMongo } from './loader-mongo.js';
import { dropRedisPrefix, loadRedis } from './loader-redis.js';
import { describeMachine } from './machine.js';
import { freshId, measureInserts, measureLag } from './measure-fanout.js';
import { measureLivePushes } from './measure-live.js';
import { measureIdle } from './measure-idle.js';
import { measureLambda } from './measure-lambda.js';
import { measureLimits } from './measure-limits.js';
import { measureUploads } from './measure-uploads.js';
import { measureColdReads } from './measure-cold.js';
import { measureMemory } from './measure-memory.js';
import { measureReads, measureReadsDuringPosts, samePages } from './measure-reads.js';
import { measureScale } from './measure-scale.js';
import { measureNavigation } from './measure-web.js';
import { AUTHOR_CLASSES, generateNetwork, handleOf } from './network.js';
import { celebrityThreshold, parseOptions } from './options.js';
import { Progress } from './progress.js';
import { createCpuMeter, findServerPids } from './proc-cpu.js';
import { createRandom, randomInt, sampleDistinct } from './random.js';
import { createRuntimeProbe } from './runtime-stats.js';
import { postTweet, publishTweetEvent } from './requests.js';
import { summarizeProfile } from './profile.js';
import { figures } from './figures.js';
import { writeReport } from './report.js';
import { round, summarize } from './stats.js';
import { measureBundle } from './web-bundle.js';

const root = resolve(fileURLToPath(import.meta.url), '../../..');
const here = resolve(root, 'scripts/bench');
/** The web client's build (Vite's output), as the gateway serves it. */
const WEB_DIST = 'web/dist';
/** @param {string} line */
const log = (line) => console.log(`[bench] ${line}`);

/** Seconds since `start` (ms), to one decimal. @param {number} start */
const since = (start) => round((Date.now() - start) / 1000, 1);

/**
 * The servers given in the environment, or ones started for this run.
 *
 * @param {'postgresql' | 'sqlite'} ferretdbBackend
 */
async function serversFor(ferretdbBackend) {
  const { MONGODB_URL, REDIS_URL, KAFKA_BROKERS } = process.env;
  if (MONGODB_URL && REDIS_URL && KAFKA_BROKERS) {
    return { env: { MONGODB_URL, REDIS_URL, KAFKA_BROKERS }, stop: async () => {}, given: true };
  }
  log(`starting Redis, Kafka and FerretDB (on ${ferretdbBackend}) on loopback...`);
  const servers = await startServers({ only: ['mongodb', 'redis', 'kafka'], ferretdbBackend, log: (line) => log(`  ${line}`) });
  return { ...servers, given: false };
}

/**
 * The environment the stack runs with: production mode (real servers only,
 * no development key), quiet logs, the bench's namespace and thresholds,
 * and no sign-up or write limits.
 * The outbox sweepers are slowed to once an hour: on FerretDB/SQLite each
 * sweep reads whole collections (no index is used), a million follow edges
 * every 2 s, which would occupy a core for the whole run. On MongoDB the
 * sweep is an index probe. Nothing is left pending by the load anyway.
 */
function stackEnv(servers, namespace, secret, network, workers, mediaDir) {
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    NODE_ENV: 'production',
    LOG_LEVEL: 'warn',
    // Metrics are still recorded (served at /metrics); their minutely EMF lines would only fill the bench's output.
    METRICS_EMF: 'off',
    HOST: '127.0.0.1',
    PORT: '0',
    JWT_SECRET: secret,
    ...servers.env,
    MONGODB_DB_PREFIX: namespace,
    REDIS_KEY_PREFIX: `${namespace}:`,
    KAFKA_TOPIC_PREFIX: `${namespace}.`,
    OUTBOX_SWEEP_INTERVAL_MS: String(3600_000),
    // The bench's authors post far more than any person may (the log-in limits stay on).
    RATE_LIMITS: 'off',
    TIMELINE_CELEBRITY_FOLLOWERS: String(network.options.celebrityFollowers),
    TIMELINE_MAX_LENGTH: String(network.options.maxLength),
    BENCH_NETWORK: JSON.stringify(network.options),
    // Worker processes per service (node:cluster), for the one-and-two-workers comparison (service-process.js relays to them).
    WORKERS: String(workers),
    // Media on disk, one directory for the users process (which writes it) and the gateway (which takes the uploads).
    MEDIA_DIR: mediaDir,
  };
}

/**
 * The figures of the report this run replaces, to show beside its own: the
 * same network size's copy when the latest report was of another size.
 *
 * @param {string} dir  the results folder
 * @param {number} users
 * @param {string} only  the step run alone, if any (--only)
 */
async function readPrevious(dir, users, only) {
  for (const file of [resolve(dir, 'latest.json'), resolve(dir, `users-${users}`, 'latest.json')]) {
    try {
      const previous = JSON.parse(await readFile(file, 'utf8'));
      // The web step alone has no network: its reports compare whatever --users said.
      if (only !== 'web' && previous.parameters?.users !== users) continue;
      // A full run compares with full runs only: a step run alone (--only) lacks the other figures.
      if (!only && previous.parameters?.only) continue;
      return { file: relative(root, file), startedAt: previous.startedAt, command: previous.command, figures: figures(previous) };
    } catch {
      // none yet, or unreadable: nothing to compare with
    }
  }
  return null;
}

/**
 * @param {import('./network.js').Network} network
 */
function describeNetwork(network) {
  const byCount = (/** @type {number} */ i) => ({ id: network.userIds[i], handle: handleOf(i), followers: network.followerCount[i] });
  const largestNonCelebrity = nonCelebrityMax(network);
  return {
    users: network.users,
    followEdges: network.edges,
    tweets: network.tweets,
    meanFollowing: round(network.edges / network.users, 2),
    celebrities: network.celebrities.map(byCount),
    largestNonCelebrity: byCount(largestNonCelebrity),
    authorClasses: Object.fromEntries(Object.entries(network.probes).map(([size, authors]) => [size, authors.map(byCount)])),
    top10FollowerCounts: Array.from(network.followerCount.slice(0, 10)),
  };
}

/** @param {import('./network.js').Network} network */
function nonCelebrityMax(network) {
  let best = -1;
  for (let i = 0; i < network.users; i += 1) {
    if (network.followerCount[i] <= network.options.celebrityFollowers && (best < 0 || network.followerCount[i] > network.followerCount[best])) best = i;
  }
  return best;
}

/**
 * The web step (measure-web.js): the bundle (measured already) and loads of the client's home page in Chromium on
 * an embedded stack of its own. Alone (--only web) a failure fails the run; in a full run it is recorded in the
 * report instead, so the other steps' figures are kept.
 *
 * @param {Record<string, any>} result
 * @param {Awaited<ReturnType<typeof measureBundle>>} bundle
 * @param {{ webRuns: number }} options
 * @param {boolean} alone
 */
async function runWebStep(result, bundle, options, alone) {
  const phase = Date.now();
  const kB = (/** @type {number} */ bytes) => `${(bytes / 1024).toFixed(1)} kB`;
  log(`web: the client's bundle (first load ${kB(bundle.totals.initial.gzipBytes)} gzipped, ${kB(bundle.totals.lazy.gzipBytes)} on demand), then ${options.webRuns} loads of its home page in Chromium on the embedded default...`);
  result.web = { bundle };
  try {
    result.web.navigation = await measureNavigation({ here, root, distDir: resolve(root, WEB_DIST), runs: options.webRuns, log });
    const painted = result.web.navigation.desktop.cold.figures.paintedMs;
    log(`  timeline painted ${painted?.p50} ms after navigation (median, cold, desktop; p90 ${painted?.p90} ms)`);
  } catch (error) {
    if (alone) throw error;
    result.web.navigation = { error: error instanceof Error ? error.message : String(error) };
    log(`  web step: no loads measured: ${result.web.navigation.error}`);
  }
  result.phases.webSeconds = since(phase);
}

/**
 * Stamps the end of the run and writes its report.
 * @param {Record<string, any>} result
 * @param {{ out: string }} options
 * @param {Date} startedAt
 */
async function finish(result, options, startedAt) {
  result.loadAverage.atEnd = loadavg().map((v) => round(v, 2));
  result.finishedAt = new Date().toISOString();
  result.durationSeconds = since(startedAt.getTime());
  const written = await writeReport(result, resolve(root, options.out));
  log(`done in ${result.durationSeconds}s; results: ${written.join(', ')}`);
}

/**
 * @param {Array<{ mode: string, ms: number }>} timings
 * @param {string} mode
 */
const handlerSummary = (timings, mode) => summarize(timings.filter((t) => t.mode === mode).map((t) => t.ms));

async function main() {
  const options = parseOptions(process.argv.slice(2), process.env);
  const startedAt = new Date();
  // Before anything is written: this run's report replaces it.
  const previous = await readPrevious(resolve(root, options.out), options.users, options.only);
  const result = /** @type {Record<string, any>} */ ({
    startedAt: startedAt.toISOString(),
    command: `npm run bench -- ${process.argv.slice(2).join(' ')}`.trim(),
    machine: describeMachine(),
    parameters: { ...options, celebrityThreshold: celebrityThreshold(options.users) },
    phases: {},
    // The box may be shared (another engineer's tests): the load average before and after tells.
    loadAverage: { atStart: loadavg().map((v) => round(v, 2)) },
    previous,
  });
  const settings = loadTimelineSettings({ TIMELINE_CELEBRITY_FOLLOWERS: String(result.parameters.celebrityThreshold) });
  result.parameters.maxLength = settings.maxLength;
  result.parameters.fanoutChunk = settings.fanoutChunk;
  // The client's bundle first: a missing build fails the run now, not after the other steps.
  const webBundle = options.webRuns > 0 && (!options.only || options.only === 'web') ? await measureBundle(resolve(root, WEB_DIST), WEB_DIST) : undefined;
  if (options.only === 'web' && webBundle) {
    // No servers, no network, no load: the web step runs on an embedded stack of its own.
    await runWebStep(result, webBundle, options, true);
    await finish(result, options, startedAt);
    return;
  }
  /** @type {Array<{ stop: () => Promise<void> }>} */
  const stoppables = [];
  /** @type {Awaited<ReturnType<typeof serversFor>> | undefined} */
  let servers;
  let namespace = 'bench';
  // BENCH_PROFILE=DIR: a V8 CPU profile of each stack process, to see where a request's time goes.
  const profileDir = process.env.BENCH_PROFILE ? resolve(process.env.BENCH_PROFILE, `run-${Date.now()}`) : undefined;
  try {
    servers = await serversFor(options.ferretdbBackend);
    if (servers.given) namespace = `bench_${Date.now().toString(36)}`;
    result.servers = { given: servers.given, namespace, ...(servers.given ? {} : { mongodb: `FerretDB 1.24 on ${options.ferretdbBackend === 'postgresql' ? 'PostgreSQL' : 'SQLite'}`, kafka: 'Apache Kafka 3.9.1 (KRaft)' }) };

    let phase = Date.now();
    log(`generating ${options.users.toLocaleString('en')} users (seed ${options.seed})...`);
    const network = generateNetwork({
      users: options.users, seed: options.seed, avgFollowing: options.following,
      celebrityFollowers: result.parameters.celebrityThreshold, maxLength: settings.maxLength, now: Date.now(),
    });
    result.network = describeNetwork(network);
    result.phases.generateSeconds = since(phase);
    log(`  ${network.edges.toLocaleString('en')} follow edges, ${network.tweets.toLocaleString('en')} tweets in ${result.phases.generateSeconds}s`);

    phase = Date.now();
    const prefix = `${namespace}:timeline:`;
    const progress = new Progress('[bench] loading');
    const [mongo, redis] = await Promise.all([
      loadMongo(network, { url: servers.env.MONGODB_URL, dbPrefix: namespace, progress }),
      loadRedis(network, { url: servers.env.REDIS_URL, prefix, activeWindowSeconds: settings.activeWindowSeconds, progress }),
    ]);
    progress.finish();
    result.load = { seconds: since(phase), mongo, redis };
    log(`  loaded in ${result.load.seconds}s (MongoDB ${mongo.seconds.toFixed(1)}s, Redis ${redis.seconds.toFixed(1)}s)`);

    phase = Date.now();
    const secret = randomBytes(32).toString('hex');
    log(options.layout === 'one'
      ? 'starting the stack (gateway + 4 subgraphs, one process) and the bare handler...'
      : 'starting the stack (each subgraph, then the gateway, in its own process) and the bare handler...');
    // BENCH_NODE_FLAGS: extra Node flags for every stack process (e.g. GC settings to try).
    const nodeFlags = (process.env.BENCH_NODE_FLAGS ?? '').split(/\s+/).filter(Boolean);
    const mediaDir = await mkdtemp(resolve(tmpdir(), 'chirp-bench-media-'));
    stoppables.push({ stop: () => rm(mediaDir, { recursive: true, force: true }) });
    const environment = stackEnv(servers, namespace, secret, network, options.workers, mediaDir);
    const stack = await startBenchStack({ layout: options.layout, env: environment, here, root, profileDir, nodeFlags });
    stoppables.push(stack);
    const bare = await startChild(resolve(here, 'bare-handler.js'), {
      name: 'bare handler', cwd: root, env: { PATH: process.env.PATH, REDIS_URL: servers.env.REDIS_URL, BENCH_TIMELINE_PREFIX: prefix },
    });
    stoppables.push(bare);
    result.phases.stackStartSeconds = since(phase);
    result.stack = { layout: stack.layout, processes: stack.names, readPath: stack.readPath, nodeFlags, workers: options.workers };
    const gatewayUrl = stack.gatewayUrl;
    log(`  gateway at ${gatewayUrl}, bare handler at ${bare.ready.url} (${result.phases.stackStartSeconds}s)`);

    const raw = new Redis(servers.env.REDIS_URL);
    stoppables.push({ stop: async () => raw.disconnect() });
    if (!options.only || options.only === 'scale') {
      log('measuring Redis memory per cached timeline...');
      result.memory = await measureMemory({ redis: raw, prefix, network, sample: 200, seed: options.seed });
      log(`  ${result.memory.meanBytes} bytes per ${result.memory.entries}-entry timeline (${result.memory.bytesPerEntry} per entry)`);
    }

    // The servers' PIDs (children of this process), for their CPU per page and at rest.
    const serverPids = servers.given ? {} : findServerPids([...Object.values(stack.pids), bare.pid]);
    result.servers.processes = Object.keys(serverPids);
    const cpuMeter = () => createCpuMeter({ stack: stack.pids, servers: serverPids, redis: raw });
    result.idle = {};
    if (options.idleSeconds > 0 && !options.only) {
      log(`the stack at rest for ${options.idleSeconds}s, servers included...`);
      result.idle.afterLoad = await measureIdle({ meter: await cpuMeter(), stack, seconds: options.idleSeconds, log });
    }

    const tokens = new TokenService({ secret, issuer: 'chirp', ttlSeconds: 3 * 3600 });
    const tokenOf = (/** @type {number} */ i) => tokens.issue({ id: network.userIds[i], handle: handleOf(i) });
    const random = createRandom(options.seed ^ 0x5eed);
    const viewerIndices = Array.from(sampleDistinct(random, network.users + 1, Math.min(options.viewers, network.users), network.users));
    const viewers = await Promise.all(viewerIndices.map(async (i) => ({ id: network.userIds[i], token: await tokenOf(i) })));

    // The scale step (measure-scale.js): one and two gateway + timeline processes, one and two fan-out consumers.
    const runScale = async () => {
      const scalePhase = Date.now();
      log(`scale: reads with one and with two gateway and timeline processes, fan-out with one and two consumer instances (${options.scaleSeconds}s runs)...`);
      result.scale = await measureScale({
        stack, network, viewers, tokenOf, env: servers.env, namespace, prefix, serverPids, redis: raw, connections: options.connections,
        seconds: options.scaleSeconds, rounds: options.scaleRounds, inserts: options.scaleInserts, seed: options.seed, log,
      });
      result.phases.scaleSeconds = since(scalePhase);
    };
    const scaling = options.scaleSeconds > 0 && stack.layout === 'processes';
    if (options.scaleSeconds > 0 && !scaling) log('scale step left out: it needs --layout processes');

    if (options.lambdaRequests > 0 && (!options.only || options.only === 'lambda')) {
      phase = Date.now();
      log(`Lambda: the zips packaged, their cold starts, and their latency against the stack's processes on the same servers${options.lambdaColdStarts > 0 ? '' : ' (no cold starts)'}...`);
      result.lambda = await measureLambda({
        env: environment, gatewayUrl, subgraphUrls: stack.subgraphUrls, viewers, requests: options.lambdaRequests, coldStarts: options.lambdaColdStarts, log,
      });
      result.phases.lambdaSeconds = since(phase);
    }

    if (options.only === 'scale') await runScale();

    // The fan-out's inserts (measure-fanout.js): in the full run below, or alone.
    const measureFanoutInserts = async () => {
      const insertsPhase = Date.now();
      log(`fan-out: pushing tweet ids onto all ${network.users.toLocaleString('en')} cached timelines through RedisTimelineStore.addToHomes...`);
      result.inserts = await measureInserts({ redisUrl: servers.env.REDIS_URL, prefix, settings, network, tweets: 3, inFlight: [1, 4], log });
      result.phases.insertsSeconds = since(insertsPhase);
    };
    if (options.only === 'inserts') await measureFanoutInserts();

    // `--only <step>`: that step alone (above), the rest left out.
    if (!options.only) {
      phase = Date.now();
      result.pageCheck = await samePages(gatewayUrl, bare.ready.url, viewers.slice(0, 10));
      log(`  page check: ${result.pageCheck.identical}/${result.pageCheck.checked} viewers see the same page on both paths`);
      const generator = createRuntimeProbe({ box: true });
      const meter = await cpuMeter();
      /**
       * Each stack process's runtime figures since the last probe, by name, the bare handler's and the load
       * generator's; and `cpu`, the CPU ms of each stack process (with any children) and each server (Redis's for
       * the CPU per page) from /proc.
       */
      const probe = async () => {
        const usage = await stack.usage();
        const bareUsage = await bare.ask({ type: 'usage' });
        return { processes: Object.fromEntries(Object.entries(usage).map(([name, answer]) => [name, answer.runtime])), bare: bareUsage.runtime,
          loadGenerator: generator.take(), cpu: await meter.take() };
      };
      const cpuBefore = await stack.usage();
      result.reads = await measureReads({
        gatewayUrl, bareUrl: bare.ready.url, viewers, connections: options.connections, seconds: options.seconds,
        openRate: options.openRate, rateShare: 0.6, probe, log,
      });
      const cpuAfter = await stack.usage();
      const cpuSeconds = (/** @type {string} */ name) =>
        round((cpuAfter[name].cpu.user + cpuAfter[name].cpu.system - cpuBefore[name].cpu.user - cpuBefore[name].cpu.system) / 1e6, 1);
      result.reads.cpuSecondsByProcess = Object.fromEntries(stack.names.map((name) => [name, cpuSeconds(name)]));
      result.reads.stackCpuSeconds = round(Object.values(result.reads.cpuSecondsByProcess).reduce((sum, v) => sum + v, 0), 1);
      result.phases.readsSeconds = since(phase);
      log('measuring what the operation limits cost a read...');
      result.operationLimits = measureLimits();
      log(`  cost estimate ${result.operationLimits.pagedQuery.costEstimateMicroseconds} µs per paged read; shape rules +${round(result.operationLimits.pagedQuery.validationWithShapeRulesMicroseconds - result.operationLimits.pagedQuery.validationMicroseconds, 1)} µs per new document`);

      if (options.coldViewers > 0) {
        // Cold first reads: viewers (none of the warm reads') whose cached timelines are dropped, read through the gateway.
        phase = Date.now();
        const coldRandom = createRandom(options.seed ^ 0xc01d);
        const taken = new Set(viewerIndices);
        const coldIndices = [];
        const wanted = Math.min(options.coldViewers, network.users - taken.size);
        while (coldIndices.length < wanted) {
          const i = randomInt(coldRandom, network.users);
          if (!taken.has(i)) {
            taken.add(i);
            coldIndices.push(i);
          }
        }
        const coldViewers = await Promise.all(coldIndices.map(async (i) => ({ index: i, id: network.userIds[i], token: await tokenOf(i) })));
        log(`cold first reads: ${coldViewers.length} viewers' cached home timelines dropped, then read through the gateway, ${options.coldReaders} at a time...`);
        result.cold = await measureColdReads({
          gatewayUrl, redisUrl: servers.env.REDIS_URL, prefix, mongoUrl: servers.env.MONGODB_URL, timelineDb: `${namespace}_timeline`, network,
          viewers: coldViewers, concurrency: options.coldReaders, budgetSeconds: options.coldBudget, settings, log,
        });
        result.phases.coldSeconds = since(phase);
      }

      if (options.uploadSeconds > 0) {
        phase = Date.now();
        log('uploads: processing a 12 MP JPEG and a small PNG, then reads of the users process while banners are uploaded...');
        result.uploads = await measureUploads({ gatewayUrl, readers: viewers.slice(0, 500), uploaders: viewers.slice(-2), rate: 200, seconds: options.uploadSeconds, probe, log });
        result.phases.uploadsSeconds = since(phase);
      }

      await measureFanoutInserts();

      phase = Date.now();
      const classes = AUTHOR_CLASSES.filter((size) => network.probes[size]);
      log('post-to-visible lag, fan-out over indexed lookups (MongoDB off the path)...');
      await stack.askTimeline({ type: 'fanout', mode: 'indexed' });
      result.lag = { indexed: await measureLag({ gatewayUrl, redis: raw, prefix, network, tokenOf, classes, postsPerClass: options.posts,
        timeoutMs: 60_000, budgetMs: 900_000, seed: options.seed, log }) };

      const rate = Math.max(1, Math.round(result.reads.closed.gateway.throughput * 0.5));
      const biggest = network.celebrities[0] ?? 0;
      const largest = nonCelebrityMax(network);
      const biggestToken = await tokenOf(biggest);
      const bus = new KafkaEventBus({ brokers: servers.env.KAFKA_BROKERS.split(','), clientId: 'chirp-bench', topicPrefix: `${namespace}.` },
        createLogger('bench', 'warn'));
      stoppables.push({ stop: () => bus.close() });
      let eventSequence = 100;
      const asEvent = (/** @type {number} */ author) => (/** @type {number} */ n) =>
        publishTweetEvent(bus, network.userIds[author], freshId(eventSequence++), `bench event post ${n}`);
      const followersOfLabel = (/** @type {number} */ i) => `${network.followerCount[i].toLocaleString('en')} followers`;
      log(`read latency at ${rate} req/s while big accounts post once a second...`);
      result.readsDuringPosts = {
        rate,
        runs: await measureReadsDuringPosts({
          gatewayUrl, viewers, rate, seconds: options.seconds, probe, log,
          posters: [
            { label: `biggest account (celebrity, ${followersOfLabel(biggest)}): postTweet through the gateway`, short: 'biggest, postTweet',
              post: (n) => postTweet(gatewayUrl, biggestToken, `biggest account post ${n}`) },
            { label: `biggest account (celebrity, ${followersOfLabel(biggest)}): tweet event straight to Kafka`, short: 'biggest, event', post: asEvent(biggest) },
            { label: `largest non-celebrity (${followersOfLabel(largest)}, fanned out): tweet event straight to Kafka`, short: 'largest fan-out, event',
              post: asEvent(largest) },
          ],
        }),
      };

      // Live pushes, still with the fan-out over indexed lookups (the FerretDB-wired consumer comes last, below).
      if (options.liveCounts.length > 0) {
        const livePhase = Date.now();
        log('live pushes: homeTimelineTweetAdded subscriptions on the gateway, fan-out over indexed lookups...');
        result.live = await measureLivePushes({
          stack, gatewayUrl, redisUrl: servers.env.REDIS_URL, redisPrefix: `${namespace}:`, kafkaBrokers: servers.env.KAFKA_BROKERS.split(','),
          topicPrefix: `${namespace}.`, network, tokenOf, counts: options.liveCounts, posts: options.livePosts, seed: options.seed, here, root, log,
        });
        result.phases.liveSeconds = since(livePhase);
      }

      // The fan-out handler times so far; the scale step's own bursts are left out of them (it clears them as it goes).
      const beforeScale = scaling ? await stack.askTimeline({ type: 'timings' }) : { timings: [], redelivered: [] };
      if (scaling) {
        await runScale();
        await stack.askTimeline({ type: 'timings' });
      }

      if (options.ferretdbLagBudget > 0) {
        log(`post-to-visible lag through the product's fan-out consumer on FerretDB (budget ${options.ferretdbLagBudget}s)...`);
        await stack.askTimeline({ type: 'fanout', mode: 'ferretdb' });
        result.lag.ferretdb = await measureLag({ gatewayUrl, redis: raw, prefix, network, tokenOf, classes, postsPerClass: 1,
          timeoutMs: options.ferretdbLagBudget * 1000, budgetMs: options.ferretdbLagBudget * 1000, seed: options.seed + 1, log });
      }
      const after = await stack.askTimeline({ type: 'timings' });
      const timings = [...beforeScale.timings, ...after.timings];
      const redelivered = [...beforeScale.redelivered, ...after.redelivered];
      result.fanoutHandlerMs = { indexed: handlerSummary(timings, 'indexed'), ferretdb: handlerSummary(timings, 'ferretdb'), redelivered };
      // The live step ran in the middle of it.
      result.phases.lagSeconds = round(since(phase) - (result.phases.liveSeconds ?? 0), 1);

      if (options.idleSeconds > 0) {
        // After everything: what the stack settles back to (a consumer still busy with a redelivered event shows here).
        log(`the stack at rest again, at the end, for ${options.idleSeconds}s...`);
        result.idle.atEnd = await measureIdle({ meter: await cpuMeter(), stack, seconds: options.idleSeconds, log });
      }
    }
  } catch (error) {
    // Keep what was measured before the failure, for the next attempt's diagnosis.
    result.error = error instanceof Error ? error.stack : String(error);
    const dir = resolve(root, options.out);
    await mkdir(dir, { recursive: true });
    await writeFile(resolve(dir, `failed-users-${options.users}.json`), `${JSON.stringify(result, null, 2)}\n`);
    throw error;
  } finally {
    for (const child of stoppables.reverse()) await child.stop().catch((error) => log(`stopping: ${error.message}`));
    if (servers?.given) {
      await dropMongo(servers.env.MONGODB_URL, namespace).catch(() => {});
      await dropRedisPrefix(servers.env.REDIS_URL, `${namespace}:`).catch(() => {});
    }
    await servers?.stop();
  }
  // After the servers and the stack are gone: the web step starts an embedded stack of its own, on a quieter box.
  if (webBundle) await runWebStep(result, webBundle, options, false);
  if (profileDir && result.stack) {
    // The processes a read goes through; each one's busiest window is the gateway's closed-loop run.
    result.profiles = {};
    for (const name of result.stack.readPath) {
      result.profiles[name] = await summarizeProfile(resolve(profileDir, name), result.parameters.seconds).catch(() => null);
    }
  }
  await finish(result, options, startedAt);
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(`[bench] could not run: ${error instanceof Error ? error.stack : error}`);
    process.exit(1);
  },
);

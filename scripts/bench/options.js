// The bench's parameters, from flags or BENCH_* variables (flags win).
//   --users N           BENCH_USERS          users in the network (100000; 20000 is the quick mode; up to 1000000)
//   --seed N            BENCH_SEED           generator seed (42)
//   --following N       BENCH_FOLLOWING      mean follows per user (12)
//   --seconds N         BENCH_SECONDS        length of each read run (15)
//   --connections N     BENCH_CONNECTIONS    concurrency of the closed-loop runs (10)
//   --open-rate N       BENCH_OPEN_RATE      the fixed arrival rate of the Home query's first open loop, pages/s (300)
//   --idle-seconds N    BENCH_IDLE_SECONDS   how long the stack is measured at rest, after the load and at the end (30; 0 skips)
//   --workers N         BENCH_WORKERS        node:cluster workers per stack process: passed to each as WORKERS=N, and
//                                            reported (1; `--layout processes` only)
//   --viewers N         BENCH_VIEWERS        distinct viewers whose tokens the reads cycle through (2000)
//   --cold-viewers N    BENCH_COLD_VIEWERS   viewers whose cached home timeline is dropped and read cold, after the read
//                                            runs (200; none of the warm reads' viewers; 0 skips the step)
//   --cold-readers N    BENCH_COLD_READERS   concurrent readers of the cold step (8)
//   --cold-budget S     BENCH_COLD_BUDGET    seconds for the cold first pages; viewers not started by then are left out (20)
//   --upload-seconds S  BENCH_UPLOAD_SECONDS length of each read run of the uploads step, alone and while banners are
//                                            uploaded (10; 0 skips the step)
//   --posts N           BENCH_POSTS          posts per author class for the lag (5)
//   --ferretdb-lag-budget S  BENCH_FERRETDB_LAG_BUDGET  seconds for the lag through the FerretDB-backed consumer (120; 0 skips)
//   --live-counts N,N   BENCH_LIVE_COUNTS    open subscriptions per level of the live push step (1000,10000; capped at
//                                            the followers of the author who posts; 0 skips the step)
//   --live-posts N      BENCH_LIVE_POSTS     timed posts per level of the live push step (5)
//   --ferretdb-backend B  BENCH_FERRETDB_BACKEND  what the started FerretDB stores in: `postgresql` (the default:
//                                            it pushes filters down to indexes, as MongoDB answers them) or `sqlite`
//                                            (the tests' backend: only `{ _id }` filters avoid a full scan)
//   --layout L          BENCH_LAYOUT         how the stack runs: `processes` (each subgraph and the gateway in its
//                                            own process, as in production; the default) or `one` (startStack:
//                                            everything in one process, as `npm start`)
//   --lambda-requests N BENCH_LAMBDA_REQUESTS  the Lambda step (measure-lambda.js): sequential requests per path of each
//                                            Lambda-against-container comparison, after a warm-up (300; 0 skips the step)
//   --lambda-cold-starts N  BENCH_LAMBDA_COLD_STARTS  fresh runtimes per function (zip and handler) for its cold start
//                                            (5; 0 leaves the cold starts out of the Lambda step)
//   --scale-seconds S   BENCH_SCALE_SECONDS  the scale step (measure-scale.js): length of each read run with one and
//                                            with two gateway and timeline processes (10; 0 skips the step; left out
//                                            with --layout one)
//   --scale-rounds N    BENCH_SCALE_ROUNDS   read runs of each kind, one and two alternating (3)
//   --scale-inserts N   BENCH_SCALE_INSERTS  timeline inserts per fan-out burst of the scale step, with one and with
//                                            two fan-out consumer instances (300000)
//   --web-runs N        BENCH_WEB_RUNS       the web step (measure-web.js): the client's bundle (web/dist) and N cold
//                                            loads of its home page in Chromium, desktop (each followed by a warm
//                                            one) and phone-sized, on the embedded default (15; 0 skips the step)
//   --only STEP         BENCH_ONLY           run one step alone on the loaded stack: `lambda`, `scale` or `inserts` (the servers,
//                                            the load and the stack as usual, then only that step; the report has
//                                            only its section), or `web` (no servers, no load: the embedded stack
//                                            of its own). Without --out it writes to <results>/only-<STEP>, so
//                                            the full report and its `previous` are left alone
//   --out DIR           BENCH_OUT            results folder (benchmarks/results)

const DEFAULTS = {
  users: 100_000,
  seed: 42,
  following: 12,
  seconds: 15,
  connections: 10,
  openRate: 300,
  idleSeconds: 30,
  workers: 1,
  viewers: 2000,
  coldViewers: 200,
  coldReaders: 8,
  coldBudget: 20,
  uploadSeconds: 10,
  posts: 5,
  ferretdbLagBudget: 120,
  liveCounts: [1000, 10_000],
  livePosts: 5,
  ferretdbBackend: 'postgresql',
  layout: 'processes',
  lambdaRequests: 300,
  lambdaColdStarts: 5,
  scaleSeconds: 10,
  scaleRounds: 3,
  scaleInserts: 300_000,
  webRuns: 15,
  only: '',
  out: 'benchmarks/results',
};

/** The options that are words, not numbers. */
const WORDS = new Set(['out', 'layout', 'ferretdbBackend', 'only']);
/** The options that are lists of numbers (comma-separated). */
const LISTS = new Set(['liveCounts']);
export const LAYOUTS = ['processes', 'one'];
export const FERRETDB_BACKENDS = ['postgresql', 'sqlite'];
/** The steps `--only` can run alone. */
export const ONLY_STEPS = ['lambda', 'scale', 'inserts', 'web'];

/** @typedef {typeof DEFAULTS} BenchOptions */

const ENV = {
  users: 'BENCH_USERS', seed: 'BENCH_SEED', following: 'BENCH_FOLLOWING', seconds: 'BENCH_SECONDS',
  connections: 'BENCH_CONNECTIONS', openRate: 'BENCH_OPEN_RATE', idleSeconds: 'BENCH_IDLE_SECONDS', workers: 'BENCH_WORKERS', viewers: 'BENCH_VIEWERS', uploadSeconds: 'BENCH_UPLOAD_SECONDS',
  coldViewers: 'BENCH_COLD_VIEWERS', coldReaders: 'BENCH_COLD_READERS', coldBudget: 'BENCH_COLD_BUDGET', posts: 'BENCH_POSTS',
  ferretdbLagBudget: 'BENCH_FERRETDB_LAG_BUDGET', liveCounts: 'BENCH_LIVE_COUNTS', livePosts: 'BENCH_LIVE_POSTS', ferretdbBackend: 'BENCH_FERRETDB_BACKEND', layout: 'BENCH_LAYOUT',
  lambdaRequests: 'BENCH_LAMBDA_REQUESTS', lambdaColdStarts: 'BENCH_LAMBDA_COLD_STARTS',
  scaleSeconds: 'BENCH_SCALE_SECONDS', scaleRounds: 'BENCH_SCALE_ROUNDS', scaleInserts: 'BENCH_SCALE_INSERTS', webRuns: 'BENCH_WEB_RUNS',
  only: 'BENCH_ONLY', out: 'BENCH_OUT',
};

/** --ferretdb-lag-budget → ferretdbLagBudget @param {string} flag */
const camel = (flag) => flag.replace(/-([a-z])/g, (_, c) => c.toUpperCase());

/**
 * @param {string[]} argv
 * @param {NodeJS.ProcessEnv} env
 * @returns {BenchOptions}
 */
export function parseOptions(argv, env) {
  /** @type {Record<string, string | number | number[]>} */
  const options = { ...DEFAULTS };
  const given = new Set();
  for (const [key, name] of Object.entries(ENV)) {
    if (env[name]) {
      options[key] = env[name];
      given.add(key);
    }
  }
  for (let i = 0; i < argv.length; i += 1) {
    const match = /^--([a-z-]+)(?:=(.*))?$/.exec(argv[i]);
    const key = match && camel(match[1]);
    if (!match || !key || !(key in DEFAULTS)) throw new Error(`unknown argument ${argv[i]}; see scripts/bench/options.js`);
    options[key] = match[2] ?? argv[++i];
    given.add(key);
  }
  for (const key of Object.keys(DEFAULTS)) {
    if (LISTS.has(key)) {
      const list = Array.isArray(options[key]) ? options[key] : String(options[key]).split(',').map((v) => Number(v.trim()));
      if (list.some((v) => !Number.isInteger(v) || v < 0)) throw new Error(`--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)} must be whole numbers, comma-separated`);
      options[key] = [...new Set(list.filter((v) => v > 0))].sort((a, b) => a - b);
    } else if (!WORDS.has(key)) {
      options[key] = Number(options[key]);
      if (!Number.isFinite(options[key]) || Number(options[key]) < 0) throw new Error(`--${key} must be a number`);
    }
  }
  if (!FERRETDB_BACKENDS.includes(String(options.ferretdbBackend))) throw new Error(`--ferretdb-backend must be one of ${FERRETDB_BACKENDS.join(', ')}`);
  if (!LAYOUTS.includes(String(options.layout))) throw new Error(`--layout must be one of ${LAYOUTS.join(', ')}`);
  if (!Number.isInteger(options.coldReaders) || Number(options.coldReaders) < 1) throw new Error('--cold-readers must be a whole number, 1 or more');
  if (!Number.isInteger(options.workers) || Number(options.workers) < 1) throw new Error('--workers must be a whole number, 1 or more');
  if (Number(options.workers) > 1 && options.layout !== 'processes') throw new Error('--workers above 1 needs --layout processes (the one-process stack keeps its data in memory)');
  if (Number(options.users) < 1000 || Number(options.users) > 1_000_000) throw new Error('--users must be between 1000 and 1000000');
  if (options.only && !ONLY_STEPS.includes(String(options.only))) throw new Error(`--only must be one of ${ONLY_STEPS.join(', ')}`);
  if (options.only === 'lambda' && Number(options.lambdaRequests) === 0) throw new Error('--only lambda needs --lambda-requests above 0');
  if (!Number.isInteger(options.lambdaRequests) || !Number.isInteger(options.lambdaColdStarts)) throw new Error('--lambda-requests and --lambda-cold-starts must be whole numbers');
  if (options.only === 'scale' && Number(options.scaleSeconds) === 0) throw new Error('--only scale needs --scale-seconds above 0');
  if (!Number.isInteger(options.scaleRounds) || Number(options.scaleRounds) < 1) throw new Error('--scale-rounds must be a whole number, 1 or more');
  if (!Number.isInteger(options.webRuns)) throw new Error('--web-runs must be a whole number');
  if (options.only === 'web' && Number(options.webRuns) === 0) throw new Error('--only web needs --web-runs above 0');
  // With --layout one the full bench leaves the scale step out (it starts more gateway and timeline processes).
  if (options.only === 'scale' && options.layout !== 'processes') throw new Error('--only scale needs --layout processes');
  // A step run alone makes a partial report: kept apart from the full one unless told where.
  if (options.only && !given.has('out')) options.out = `${DEFAULTS.out}/only-${options.only}`;
  return /** @type {BenchOptions} */ (/** @type {unknown} */ (options));
}

/**
 * The celebrity threshold the timeline runs with: the product's default
 * (50,000) from 100K users up; below that, 60% of the users, so that the
 * biggest account is still a celebrity in a small network.
 *
 * @param {number} users
 */
export function celebrityThreshold(users) {
  return users >= 100_000 ? 50_000 : Math.round(users * 0.6);
}

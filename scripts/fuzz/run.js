// npm run fuzz: schema-driven fuzzing of the whole GraphQL API with
// Schemathesis (PyPI), in GraphQL mode, against the embedded stack.
//
//   npm run fuzz                          # ~7,400 operations with a token, then ~800 more and 60 probes
//   npm run fuzz -- --examples 50         # quicker: fewer cases per root field
//   npm run fuzz -- --seed 1234           # replays a run (the seed is printed and recorded)
//   npm run fuzz -- --real-servers        # on MongoDB (FerretDB), Redis and Kafka instead of in memory
//
// What it does, in order:
//   1. creates the Python venv .cache/fuzz-venv from scripts/fuzz/requirements.txt
//      when it is missing or its requirements changed;
//   2. runs `npm run build` (turbo: cached when nothing changed; --no-build skips it);
//   3. starts the embedded stack (node packages/stack/dist/main.js) on a free
//      loopback port, in memory (--real-servers: on MONGODB_URL, REDIS_URL and
//      KAFKA_BROKERS when all are set, else on servers started on loopback as
//      `npm test` does), with introspection on, and waits for /healthz and /readyz;
//   4. signs up three users through the API and seeds tweets, follows, likes
//      and notifications, so the fuzz dictionaries hold real ids, handles and
//      cursors (and crafted ones) and the operations reach their core logic;
//   5. runs Schemathesis against http://127.0.0.1:PORT/graphql with
//      `Authorization: Bearer <token>` (every Query and Mutation root field,
//      --examples cases each, then its stateful phase; hooks.py sends about
//      half of them with their arguments as typed variables, as clients do),
//      then a smaller pass without a token; a mutation that ends sessions (logOut…) is left out of
//      the first pass, which would otherwise lose its token half-way, and is
//      fuzzed on its own with a throwaway user's token;
//   6. sends the protocol probes (probes.js): fixed requests around the
//      operation that Schemathesis never sends (several operations, operation
//      names, persisted queries, batches, GET, odd bodies, limits, tokens);
//   7. stops the stack by its PID, whatever happened, and writes
//      scripts/fuzz/results/latest.{md,json}.
//
// A failure is an HTTP status of 500 or more, a body that is not a JSON
// object, a GraphQL error coded INTERNAL_SERVER_ERROR (or not coded with one
// of the codes API.md promises), a request that hangs past --request-timeout,
// an error the stack logs, or the stack exiting: see hooks.py. The exit code
// is non-zero on any failure, on fewer than --min-operations operations with
// the token, or when the run passes --max-minutes. Ends with `N passed, N failed`
// (operations and probes). Flags: --examples, --anonymous-examples, --seed,
// --workers, --request-timeout (s), --max-minutes, --min-operations,
// --real-servers, --no-build, --no-probes, --no-results (keeps latest.* as is).

import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import { resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { PROBES, runProbes } from './probes.js';

const root = resolve(fileURLToPath(import.meta.url), '../../..');
const here = resolve(root, 'scripts/fuzz');
const work = resolve(root, '.cache/fuzz');
const venv = resolve(root, '.cache/fuzz-venv');
const resultsDir = resolve(here, 'results');
const requirementsFile = resolve(here, 'requirements.txt');
const hooksFile = resolve(here, 'hooks.py');

/** @param {string} line */
const log = (line) => console.log(`[fuzz] ${line}`);

// ---------------------------------------------------------------- options

const { values: options } = parseArgs({
  options: {
    examples: { type: 'string', default: process.env.FUZZ_EXAMPLES ?? '300' },
    'anonymous-examples': { type: 'string', default: process.env.FUZZ_ANONYMOUS_EXAMPLES ?? '30' },
    'min-operations': { type: 'string', default: '5000' },
    seed: { type: 'string', default: process.env.FUZZ_SEED },
    workers: { type: 'string', default: '2' },
    'request-timeout': { type: 'string', default: '10' },
    'max-minutes': { type: 'string', default: '30' },
    'real-servers': { type: 'boolean', default: false },
    'no-build': { type: 'boolean', default: false },
    'no-results': { type: 'boolean', default: false },
    'no-probes': { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
  strict: true,
});

if (options.help) {
  console.log(readFileSync(fileURLToPath(import.meta.url), 'utf8').split('\n\nimport ')[0].replace(/^\/\/ ?/gm, ''));
  process.exit(0);
}

/** @param {string | undefined} raw @param {string} name @param {number} min */
function wholeNumber(raw, name, min) {
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min) throw new Error(`--${name} must be a whole number >= ${min} (got "${raw}")`);
  return value;
}
const settings = {
  examples: wholeNumber(options.examples, 'examples', 1),
  anonymousExamples: wholeNumber(options['anonymous-examples'], 'anonymous-examples', 0),
  minOperations: wholeNumber(options['min-operations'], 'min-operations', 0),
  seed: options.seed === undefined ? undefined : /^\d+$/.test(options.seed) ? options.seed : wholeNumber(options.seed, 'seed', 0),
  workers: wholeNumber(options.workers, 'workers', 1),
  requestTimeout: wholeNumber(options['request-timeout'], 'request-timeout', 1),
  maxMinutes: wholeNumber(options['max-minutes'], 'max-minutes', 1),
};

// ---------------------------------------------------------------- helpers

/** Runs a command to completion with inherited output; throws on a non-zero exit. */
function run(command, args, spawnOptions = {}) {
  const result = spawnSync(command, args, { stdio: 'inherit', cwd: root, ...spawnOptions });
  if (result.error) throw result.error;
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} exited with ${result.status ?? result.signal}`);
}

/** A free TCP port on loopback (released again at once; the stack binds it right after). */
function freePort() {
  return new Promise((resolvePort, reject) => {
    const server = net.createServer();
    server.unref();
    server.once('error', reject);
    server.listen({ port: 0, host: '127.0.0.1' }, () => {
      const { port } = /** @type {net.AddressInfo} */ (server.address());
      server.close(() => resolvePort(port));
    });
  });
}

/** Whether util-linux's setpriv is on PATH, to give the stack a parent-death signal. */
function hasSetpriv() {
  if (process.platform !== 'linux') return false;
  return spawnSync('setpriv', ['--version'], { stdio: 'ignore' }).status === 0;
}

// ---------------------------------------------------------------- 1. the venv

function ensureVenv() {
  const requirements = readFileSync(requirementsFile, 'utf8');
  const stampFile = resolve(venv, '.chirp-requirements');
  const st = resolve(venv, 'bin/st');
  if (existsSync(st) && existsSync(stampFile) && readFileSync(stampFile, 'utf8') === requirements) return st;
  const python = process.env.FUZZ_PYTHON ?? 'python3';
  log(`creating the Python venv ${venv} (${python}) and installing ${requirementsFile.slice(root.length + 1)}...`);
  if (!existsSync(resolve(venv, 'bin/python'))) run(python, ['-m', 'venv', venv]);
  run(resolve(venv, 'bin/python'), ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', '-r', requirementsFile]);
  writeFileSync(stampFile, requirements);
  return st;
}

// ---------------------------------------------------------------- 3. the stack

/**
 * @typedef {{ pid: number, url: string, port: number, logFile: string, exited: Promise<void>,
 *   exitReason: () => string | undefined, stop: () => Promise<void> }} Stack
 */

/** @returns {Promise<Stack>} */
async function startStack(serverEnv) {
  const port = await freePort();
  const logFile = resolve(work, 'stack.log');
  await rm(logFile, { force: true });
  const env = {
    ...process.env,
    PORT: String(port),
    HOST: '127.0.0.1',
    // development: in-memory adapters are allowed, and INTERNAL_SERVER_ERROR
    // answers keep their message and stack trace, which the report quotes.
    NODE_ENV: 'development',
    LOG_LEVEL: process.env.FUZZ_LOG_LEVEL ?? 'warn',
    // Introspection must stay on for Schemathesis to read the schema, and
    // write and sign-up limits would turn most mutations into RATE_LIMITED.
    GRAPHQL_INTROSPECTION: 'true',
    RATE_LIMITS: 'off',
  };
  // In memory, whatever the caller's shell points at, unless --real-servers.
  for (const name of ['MONGODB_URL', 'REDIS_URL', 'KAFKA_BROKERS']) delete env[name];
  Object.assign(env, serverEnv);
  const main = resolve(root, 'packages/stack/dist/main.js');
  const [command, args] = hasSetpriv()
    ? ['setpriv', ['--pdeathsig', 'KILL', '--', process.execPath, main]]
    : [process.execPath, [main]];
  const out = createWriteStream(logFile);
  const child = spawn(command, args, { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout.pipe(out, { end: false });
  child.stderr.pipe(out, { end: false });
  /** @type {string | undefined} */
  let exitReason;
  const exited = new Promise((resolveExit) => {
    child.once('exit', (code, signal) => {
      exitReason = signal ? `killed by ${signal}` : `exited with code ${code}`;
      resolveExit(undefined);
    });
    child.once('error', (error) => {
      exitReason = `could not start: ${error.message}`;
      resolveExit(undefined);
    });
  });
  const pid = /** @type {number} */ (child.pid);
  let stopping;
  const stop = () =>
    (stopping ??= (async () => {
      const signal = (name) => {
        try {
          process.kill(pid, name);
        } catch {
          // gone already
        }
      };
      if (exitReason === undefined) {
        signal('SIGTERM');
        const stopped = await Promise.race([exited.then(() => true), sleep(10_000).then(() => false)]);
        if (!stopped && exitReason === undefined) {
          signal('SIGKILL');
          await exited;
        }
      }
      out.end();
    })());
  // Whatever happens to this script, the stack goes with it.
  process.once('exit', () => {
    if (exitReason === undefined) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  });
  const url = `http://127.0.0.1:${port}/graphql`;
  const deadline = Date.now() + 60_000;
  for (const probe of ['/healthz', '/readyz']) {
    for (;;) {
      if (exitReason !== undefined) throw new Error(`the stack ${exitReason} before it was ready; see ${logFile}`);
      if (Date.now() > deadline) throw new Error(`the stack did not answer ${probe} within 60 s; see ${logFile}`);
      const ok = await fetch(`http://127.0.0.1:${port}${probe}`, { signal: AbortSignal.timeout(2000) })
        .then((response) => response.ok)
        .catch(() => false);
      if (ok) break;
      await sleep(200);
    }
  }
  return { pid, url, port, logFile, exited, exitReason: () => exitReason, stop };
}

// ---------------------------------------------------------------- 4. seed data

/**
 * One GraphQL request; throws on any error in the answer.
 * @param {string} url @param {string} query @param {Record<string, unknown>} [variables] @param {string} [token]
 */
async function graphql(url, query, variables = {}, token) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
    signal: AbortSignal.timeout(10_000),
  });
  const body = await response.json();
  if (!response.ok || body.errors?.length) {
    throw new Error(`seeding failed (HTTP ${response.status}): ${JSON.stringify(body.errors ?? body)}\n${query}`);
  }
  return body.data;
}

async function signUp(url, prefix) {
  const handle = `${prefix}${randomBytes(4).toString('hex')}`; // at most 15 characters
  const input = { handle, email: `${handle}@example.com`, password: `pw-${randomBytes(8).toString('hex')}`, firstName: 'Fuzz', lastName: prefix };
  const data = await graphql(url, 'mutation($input: SignUpInput!) { signUp(input: $input) { token user { id handle } } }', { input });
  return { ...input, id: data.signUp.user.id, token: data.signUp.token };
}

/**
 * Users, tweets, follows, likes and notifications to fuzz against; returns
 * the real ids, handles and cursors found, for the dictionaries.
 */
async function seed(url) {
  const viewer = await signUp(url, 'fzv');
  const other = await signUp(url, 'fzo');
  const third = await signUp(url, 'fzt');
  const post = async (user, text) => (await graphql(url, 'mutation($t: String!) { postTweet(text: $t) { id } }', { t: text }, user.token)).postTweet.id;
  const tweetIds = [];
  for (let i = 0; i < 3; i++) tweetIds.push(await post(viewer, `viewer tweet ${i} #fuzz @${other.handle} https://example.com/${i}`));
  for (let i = 0; i < 3; i++) tweetIds.push(await post(other, `other tweet ${i} 🐦 ${'é'.repeat(i * 20)}`));
  const thirdTweet = await post(third, 'third tweet');
  const deleted = await post(third, 'deleted tweet');
  await graphql(url, 'mutation($id: ID!) { deleteTweet(id: $id) }', { id: deleted }, third.token);
  const follow = (user, target) => graphql(url, 'mutation($id: ID!) { follow(userId: $id) { id } }', { id: target.id }, user.token);
  await follow(viewer, other);
  await follow(viewer, third);
  await follow(other, viewer);
  await follow(third, viewer);
  await follow(other, third);
  const like = (user, id) => graphql(url, 'mutation($id: ID!) { likeTweet(id: $id) { id } }', { id }, user.token);
  await like(other, tweetIds[0]);
  await like(third, tweetIds[0]);
  await like(third, tweetIds[1]);
  await like(viewer, tweetIds[3]);
  await like(viewer, thirdTweet);
  // Let the in-process events reach the timeline and notifications subgraphs.
  await sleep(500);
  const cursors = new Set();
  const timeline = await graphql(url, '{ homeTimeline(first: 2) { pageInfo { endCursor } } }', {}, viewer.token);
  const notifications = await graphql(url, '{ notifications(first: 2) { edges { node { id } } pageInfo { endCursor } } }', {}, viewer.token);
  const profile = await graphql(
    url,
    `query($h: String!) { user(handle: $h) {
       tweets(first: 1) { pageInfo { endCursor } }
       followers(first: 1) { pageInfo { endCursor } }
       following(first: 1) { pageInfo { endCursor } } } }`,
    { h: viewer.handle },
    viewer.token,
  );
  for (const cursor of [
    timeline.homeTimeline.pageInfo.endCursor,
    notifications.notifications.pageInfo.endCursor,
    profile.user.tweets.pageInfo.endCursor,
    profile.user.followers.pageInfo.endCursor,
    profile.user.following.pageInfo.endCursor,
  ]) {
    if (cursor) cursors.add(cursor);
  }
  return {
    viewer,
    users: [viewer, other, third],
    tweetIds: [...tweetIds, thirdTweet],
    deletedTweetId: deleted,
    notificationIds: notifications.notifications.edges.map((edge) => edge.node.id),
    cursors: [...cursors],
  };
}

// ---------------------------------------------------------------- the dictionaries

const cursorOf = (value) => Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');

/** Ids that are not real but look like ids, or almost. */
const EDGE_IDS = ['0', '1', '-1', '01', '9223372036854775807', '9223372036854775808', '18446744073709551616', '99999999999999999999', '999999999999999999999', '1e21', '1.5', ' 1', '1 ', '', 'null', '0x10', '２'];

/** The fuzz dictionaries and their bindings, from the seeded data (libFuzzer-style: real values mixed in). */
function dictionaries(seeded) {
  const { users, viewer } = seeded;
  const ids = (values) => [...new Set(values.map(String))];
  const dicts = {
    tweetIds: ids([...seeded.tweetIds, seeded.deletedTweetId, ...EDGE_IDS]),
    userIds: ids([...users.map((user) => user.id), ...EDGE_IDS]),
    notificationIds: ids([...seeded.notificationIds, ...seeded.tweetIds.slice(0, 1), ...EDGE_IDS]),
    handles: ids([
      ...users.map((user) => user.handle),
      viewer.handle.toUpperCase(),
      ` ${viewer.handle}`,
      `@${viewer.handle}`,
      'a'.repeat(15),
      'a'.repeat(16),
      'a'.repeat(10_000),
      '_',
      'ß',
      'İ',
      '%',
      '.*',
      '$where',
      '{"$gt":""}',
    ]),
    emails: ids([...users.map((user) => user.email), viewer.email.toUpperCase(), ` ${viewer.email} `, 'a@b', '@', 'x'.repeat(300) + '@example.com']),
    passwords: ids([...users.map((user) => user.password), 'short', 'p'.repeat(128), 'p'.repeat(129), 'p'.repeat(100_000)]),
    cursors: ids([
      ...seeded.cursors,
      cursorOf([]),
      cursorOf(['1']),
      cursorOf(['0']),
      cursorOf([seeded.tweetIds[0]]),
      cursorOf(['99999999999999999999']),
      cursorOf(['999999999999999999999']),
      cursorOf([1]),
      cursorOf([1, '1']),
      cursorOf([0, users[1].id]),
      cursorOf([-1, users[1].id]),
      cursorOf([1.5, users[1].id]),
      cursorOf([1e300, users[1].id]),
      cursorOf([-1e300, users[1].id]),
      cursorOf([8.64e15 + 1, users[1].id]),
      cursorOf([Date.now(), '']),
      cursorOf([Date.now(), users[1].id, 'extra']),
      cursorOf(['1', 1]),
      cursorOf({ 0: '1' }),
      cursorOf('1'),
      cursorOf(null),
      Buffer.from('[').toString('base64url'),
      '=',
      '',
    ]),
    texts: ids(['x', ' ', '\u200b', 'a'.repeat(280), 'a'.repeat(281), '🐦'.repeat(140), '🐦'.repeat(141), 'é'.repeat(280), `@${viewer.handle} #tag https://example.com`, 'x'.repeat(100_000)]),
    pageSizes: [0, 1, 2, 100, 101, -1, 2147483647, -2147483648],
    dates: ['2000-02-29', '1900-02-29', '0000-01-01', '9999-12-31', '1970-01-01', `${new Date().getUTCFullYear() + 1}-01-01`],
  };
  const p = 0.5;
  const bind = (dictionary, probability = p) => ({ dictionary, probability });
  const parameters = {
    'Query.tweet.id': bind('tweetIds'),
    'Mutation.editTweet.id': bind('tweetIds'),
    'Mutation.editTweet.text': bind('texts', 0.3),
    'Mutation.postTweet.text': bind('texts', 0.3),
    'Mutation.deleteTweet.id': bind('tweetIds'),
    'Mutation.likeTweet.id': bind('tweetIds'),
    'Mutation.unlikeTweet.id': bind('tweetIds'),
    'Mutation.follow.userId': bind('userIds'),
    'Mutation.unfollow.userId': bind('userIds'),
    'Query.notification.id': bind('notificationIds'),
    'Query.user.handle': bind('handles'),
    'Mutation.signUp.input.handle': bind('handles', 0.3),
    'Mutation.signUp.input.email': bind('emails', 0.3),
    'Mutation.signUp.input.password': bind('passwords', 0.3),
    'Mutation.signUp.input.birthDate': bind('dates', 0.3),
    'Mutation.updateProfile.input.birthDate': bind('dates', 0.3),
    'Mutation.logIn.input.email': bind('emails'),
    'Mutation.logIn.input.password': bind('passwords'),
    '*.*.after': bind('cursors'),
    '*.*.first': bind('pageSizes', 0.3),
  };
  return { dicts, parameters };
}

/** A TOML string: JSON's escapes are TOML's, for the strings used here. @param {string} value */
const tomlString = (value) => JSON.stringify(value);
/** @param {string | number} value */
const tomlValue = (value) => (typeof value === 'number' ? String(value) : tomlString(value));

function schemathesisToml({ dicts, parameters }) {
  const lines = ['# Written by scripts/fuzz/run.js for one run; not committed.', ''];
  for (const [name, values] of Object.entries(dicts)) {
    lines.push(`[dictionaries.${name}]`, `values = [${values.map(tomlValue).join(', ')}]`, '');
  }
  lines.push('[parameters]');
  for (const [key, binding] of Object.entries(parameters)) {
    lines.push(`${tomlString(key)} = { dictionary = ${tomlString(binding.dictionary)}, probability = ${binding.probability} }`);
  }
  return `${lines.join('\n')}\n`;
}

// ---------------------------------------------------------------- 5. schemathesis

/**
 * One Schemathesis run; resolves with its exit code, output and the JSON
 * lines hooks.py wrote, one per request.
 */
async function schemathesis({ st, url, token, examples, name, configFile, deadline, stack, filters = [] }) {
  const callsFile = resolve(work, `${name}.calls.jsonl`);
  const outputFile = resolve(work, `${name}.schemathesis.log`);
  await rm(callsFile, { force: true });
  const args = [
    '--config-file', configFile,
    'run', url,
    ...(token ? ['-H', `Authorization: Bearer ${token}`] : []),
    ...filters,
    '--max-examples', String(examples),
    '--checks', 'no_internal_error,response_schema_conformance',
    '--continue-on-failure',
    '--workers', String(settings.workers),
    '--request-timeout', String(settings.requestTimeout),
    '--generation-database', 'none',
    '--no-color',
    ...(settings.seed ? ['--seed', settings.seed] : []),
  ];
  log(`${name}: st ${args.map((arg) => (arg.startsWith('Authorization') ? 'Authorization: Bearer <token>' : arg)).join(' ')}`);
  const started = Date.now();
  // In .cache/fuzz, so Schemathesis's and Hypothesis's own folders stay out of the tree.
  const child = spawn(st, args, {
    cwd: work,
    env: { ...process.env, SCHEMATHESIS_HOOKS: hooksFile, FUZZ_LOG: callsFile, PYTHONUNBUFFERED: '1', PYTHONDONTWRITEBYTECODE: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const out = createWriteStream(outputFile);
  let output = '';
  const take = (chunk) => {
    output += chunk;
    out.write(chunk);
    process.stdout.write(chunk);
  };
  child.stdout.setEncoding('utf8').on('data', take);
  child.stderr.setEncoding('utf8').on('data', take);
  let timedOut = false;
  let crashed = false;
  const exit = new Promise((resolveExit) => child.once('exit', (code, signal) => resolveExit(code ?? (signal ? 128 : 1))));
  const timer = setTimeout(() => {
    timedOut = true;
    child.kill('SIGTERM');
    setTimeout(() => child.kill('SIGKILL'), 5000).unref();
  }, Math.max(1000, deadline - Date.now()));
  // A stack that dies mid-run is a failure in itself; there is no point going on.
  stack.exited.then(() => {
    if (child.exitCode === null) {
      crashed = true;
      child.kill('SIGTERM');
    }
  });
  const code = await exit;
  clearTimeout(timer);
  out.end();
  const calls = existsSync(callsFile)
    ? (await readFile(callsFile, 'utf8')).split('\n').filter(Boolean).map((line) => JSON.parse(line))
    : [];
  return {
    name,
    authenticated: Boolean(token),
    examples,
    code,
    timedOut,
    crashed,
    seconds: (Date.now() - started) / 1000,
    output,
    calls,
    generated: Number(/(\d+) generated/.exec(output)?.[1] ?? NaN),
    seed: /Seed: (\d+)/.exec(output)?.[1] ?? settings.seed,
  };
}

/** Mutations that end the caller's sessions: a pass that called one would lose its own token. */
async function sessionEndingMutations(url) {
  const data = await graphql(url, '{ __schema { mutationType { fields { name } } } }');
  return (data.__schema.mutationType?.fields ?? []).map((field) => field.name).filter((name) => /^(logOut|signOut|revoke|deleteAccount)/i.test(name));
}

// ---------------------------------------------------------------- 6. the report

/**
 * What a failure says once its values are taken out, so that one cause
 * shows once however many operations and values hit it.
 */
function failureKey(call) {
  if (call.network_error) return `no answer within ${settings.requestTimeout} s`;
  const error = call.errors?.[0];
  if (!error) return call.status >= 500 ? `HTTP ${call.status}, no GraphQL errors` : 'the answer is not a JSON object';
  let message = String(error.message ?? '');
  // `Variable "$v0" got invalid value <any value>; <why>`: the value may hold anything, "; " included.
  if (/^Variable "\$\w+" got invalid value /.test(message) && message.includes('; ')) {
    message = `Variable "…" got invalid value …; ${message.slice(message.lastIndexOf('; ') + 2)}`;
  }
  message = message
    .replace(/(value:?) [^;]*$/, '$1 …')
    .replace(/"[^"]*"/g, '"…"')
    .replace(/-?\d+(?:\.\d+)?(?:e[+-]?\d+)?/gi, 'N')
    .slice(0, 160);
  return `HTTP ${call.status} ${error.extensions?.code ?? 'no code'}: ${message}`;
}

function summarize(pass) {
  const byOperation = {};
  const statuses = {};
  const codes = {};
  const failures = new Map();
  for (const call of pass.calls) {
    const entry = (byOperation[call.operation] ??= { operations: 0, failed: 0 });
    entry.operations++;
    statuses[call.status ?? 'no answer'] = (statuses[call.status ?? 'no answer'] ?? 0) + 1;
    for (const code of call.codes ?? []) codes[code] = (codes[code] ?? 0) + 1;
    if (!call.failed) continue;
    entry.failed++;
    const key = failureKey(call);
    const failure = failures.get(key) ?? { key, count: 0, operations: {}, smallest: undefined };
    failure.count++;
    failure.operations[call.operation] = (failure.operations[call.operation] ?? 0) + 1;
    const size = JSON.stringify(call.request ?? '').length;
    if (!failure.smallest || size < failure.smallestSize) {
      failure.smallest = { operation: call.operation, status: call.status, request: call.request, errors: call.errors, body: call.body };
      failure.smallestSize = size;
    }
    failures.set(key, failure);
  }
  const failed = pass.calls.filter((call) => call.failed).length;
  return {
    name: pass.name,
    authenticated: pass.authenticated,
    examplesPerOperation: pass.examples,
    operations: pass.calls.length,
    schemathesisTestCases: Number.isNaN(pass.generated) ? null : pass.generated,
    passed: pass.calls.length - failed,
    failed,
    serverErrors5xx: pass.calls.filter((call) => call.status >= 500).length,
    internalErrors: pass.calls.filter((call) => call.errors?.length).length,
    networkErrors: pass.calls.filter((call) => call.network_error).length,
    schemathesisExitCode: pass.code,
    timedOut: pass.timedOut,
    stackDied: pass.crashed,
    seconds: Math.round(pass.seconds * 10) / 10,
    seed: pass.seed ?? null,
    byOperation,
    statuses,
    codes,
    failures: [...failures.values()].sort((a, b) => b.count - a.count).map(({ smallestSize: _size, ...rest }) => rest),
  };
}

/** Errors the stack logged (pino level 50 and up) while the fuzz ran, counted by message. */
async function stackErrors(logFile) {
  const text = existsSync(logFile) ? await readFile(logFile, 'utf8') : '';
  const counted = new Map();
  for (const line of text.split('\n')) {
    let entry;
    try {
      entry = JSON.parse(line);
    } catch {
      continue; // not a log line
    }
    if (!(entry.level >= 50)) continue;
    const err = String(entry.err?.message ?? entry.err?.type ?? '')
      .replace(/"[^"]*"/g, '"…"')
      .replace(/-?\d+(?:\.\d+)?/g, 'N')
      .slice(0, 160);
    const key = `${entry.service ?? '?'}: ${entry.msg}${err ? ` (${err})` : ''}`;
    counted.set(key, (counted.get(key) ?? 0) + 1);
  }
  return [...counted].map(([message, count]) => ({ message, count })).sort((a, b) => b.count - a.count);
}

function gitState() {
  const git = (...args) => spawnSync('git', args, { cwd: root, encoding: 'utf8' }).stdout?.trim() ?? '';
  const dirty = git('status', '--porcelain', '--untracked-files=no', '--', '.', ':!scripts/fuzz').split('\n').filter(Boolean);
  return { commit: git('rev-parse', '--short', 'HEAD') || 'unknown', dirtyFiles: dirty.length };
}

/** The first frames of a development stack trace, to say where an internal error came from. */
function stackTop(error) {
  const frames = error.extensions?.stacktrace;
  if (!Array.isArray(frames) || frames.length === 0) return '';
  const lines = frames.slice(0, 6).map((frame) => `  ${String(frame).replaceAll('file://', '').replaceAll(`${root}/`, '')}`);
  return `, from:\n\n  \`\`\`\n${lines.join('\n')}\n  \`\`\``;
}

const PASS_TITLES = {
  authenticated: 'With the token',
  'session-ending': 'Session-ending mutations, with a throwaway token',
  anonymous: 'Without a token',
};

function markdown(report) {
  const [token] = report.passes;
  const lines = [
    '# Fuzzing: latest result',
    '',
    `Written by \`npm run fuzz\` (scripts/fuzz/run.js) on ${report.finishedAt}; ${report.ok ? '**passed**' : '**FAILED**'}.`,
    '',
    '| | |',
    '| --- | --- |',
    `| schemathesis | ${report.schemathesisVersion} (GraphQL mode, checks \`no_internal_error\` and \`response_schema_conformance\`) |`,
    `| code | commit ${report.git.commit}${report.git.dirtyFiles ? ` plus ${report.git.dirtyFiles} uncommitted file(s)` : ''} |`,
    `| stack | embedded (gateway and 4 subgraphs), ${report.servers}, NODE_ENV=development, introspection on |`,
    `| operations | ${report.operations}: ${report.passes.map((pass) => `${pass.operations} ${pass.name}`).join(', ')} (at least ${report.minOperations} with the token) |`,
    `| failed operations | ${report.failed} |`,
    `| HTTP 5xx | ${report.serverErrors5xx} |`,
    `| internal errors (INTERNAL_SERVER_ERROR or no code) | ${report.internalErrors} |`,
    `| no answer within ${settings.requestTimeout} s | ${report.networkErrors} |`,
    `| errors the stack logged | ${report.stackLoggedErrors.reduce((total, entry) => total + entry.count, 0)} |`,
    `| protocol probes | ${report.probes ? `${report.probes.results.length - report.probes.failed} passed, ${report.probes.failed} failed` : 'not run'} |`,
    `| duration | ${report.seconds} s in all (build, venv check, start and seed included); ${token.seconds} s for the ${token.operations} operations with the token |`,
    `| seeds | ${report.passes.map((pass) => `${pass.name} ${pass.seed ?? '-'}`).join(', ')} |`,
    '',
  ];
  if (report.problems.length) lines.push('Problems:', '', ...report.problems.map((problem) => `- ${problem}`), '');
  for (const pass of report.passes) {
    lines.push(`## ${PASS_TITLES[pass.name] ?? pass.name}`, '');
    lines.push(`${pass.operations} operations (${pass.examplesPerOperation} examples per root field, then the stateful phase), ${pass.failed} failed, ${pass.seconds} s.`, '');
    lines.push('| root field | operations | failed |', '| --- | ---: | ---: |');
    for (const [operation, entry] of Object.entries(pass.byOperation).sort()) lines.push(`| ${operation} | ${entry.operations} | ${entry.failed} |`);
    lines.push('', `HTTP statuses: ${Object.entries(pass.statuses).map(([status, n]) => `${status} × ${n}`).join(', ')}.`);
    lines.push(`Error codes: ${Object.entries(pass.codes).map(([code, n]) => `${code} × ${n}`).join(', ') || 'none'}.`, '');
    if (pass.failures.length) {
      lines.push('### Distinct failures', '');
      for (const failure of pass.failures) {
        const error = failure.smallest.errors?.[0];
        const where = Object.entries(failure.operations).map(([operation, n]) => `${operation} × ${n}`).join(', ');
        lines.push(`- **${failure.key}**: ${failure.count} operations (${where}). Smallest, ${failure.smallest.operation}, HTTP ${failure.smallest.status}:`, '');
        lines.push('  ```json', `  ${JSON.stringify(failure.smallest.request)}`, '  ```', '');
        if (error) lines.push(`  Answer: ${JSON.stringify(error.message)}${stackTop(error)}`, '');
      }
    }
  }
  if (report.probes) {
    const failedProbes = report.probes.results.filter((probe) => probe.failed);
    lines.push('## Protocol probes', '');
    lines.push(
      `${report.probes.results.length} fixed requests around the operation (scripts/fuzz/probes.js: several operations, operation names, persisted queries, batches, GET, odd bodies, limits, tokens), ${failedProbes.length} failed.`,
      '',
    );
    lines.push('| probe | HTTP | result |', '| --- | ---: | --- |');
    for (const probe of report.probes.results) lines.push(`| ${probe.name} | ${probe.status} | ${probe.failed ? `**${probe.failure.replace(/\|/g, '\\|').slice(0, 200)}**` : 'ok'} |`);
    lines.push('');
    for (const probe of failedProbes) {
      lines.push(`- **${probe.name}**: ${probe.failure.slice(0, 300)}`, '', '  ```json', `  ${JSON.stringify(probe.request)}`, '  ```', '');
    }
  }
  if (report.stackLoggedErrors.length) {
    lines.push('## Errors the stack logged', '');
    for (const { message, count } of report.stackLoggedErrors) lines.push(`- ${message} × ${count}`);
    lines.push('');
  }
  return `${lines.join('\n')}\n`;
}

// ---------------------------------------------------------------- main

const startedAt = Date.now();
const deadline = startedAt + settings.maxMinutes * 60_000;
/** @type {Stack | undefined} */
let stack;
/** @type {{ stop: () => Promise<void> } | undefined} */
let servers;
/** @type {Record<string, string>} */
let serverEnv = {};
let exitCode = 1;
let closing = '0 passed, 1 failed';
/** @type {Promise<void> | undefined} */
let stopped;
const stopStack = () => {
  if (!stack) return Promise.resolve();
  if (!stopped) log(`stopping the stack (PID ${stack.pid})`);
  return (stopped ??= stack.stop());
};
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    stopStack()
      .then(() => servers?.stop())
      .finally(() => process.exit(130));
  });
}

try {
  await mkdir(work, { recursive: true });
  const st = ensureVenv();
  const version = spawnSync(st, ['--version'], { encoding: 'utf8' }).stdout.trim().replace(/^st, version /, '');
  if (!options['no-build']) {
    log('npm run build');
    run('npm', ['run', 'build']);
  }
  if (!existsSync(resolve(root, 'packages/stack/dist/main.js'))) throw new Error('packages/stack/dist/main.js is missing: run `npm run build`');

  if (options['real-servers']) {
    const { MONGODB_URL, REDIS_URL, KAFKA_BROKERS } = process.env;
    if (MONGODB_URL && REDIS_URL && KAFKA_BROKERS) {
      serverEnv = { MONGODB_URL, REDIS_URL, KAFKA_BROKERS };
    } else {
      log('starting Redis, Kafka and FerretDB on loopback (--real-servers)...');
      const { startServers } = await import('../servers/index.js');
      servers = await startServers({ log: (message) => log(`  ${message}`) });
      serverEnv = servers.env;
    }
  }
  stack = await startStack(serverEnv);
  log(`stack up at ${stack.url} (PID ${stack.pid}, ${serverEnv.MONGODB_URL ? 'on real servers' : 'in memory'}, log ${stack.logFile.slice(root.length + 1)})`);
  const seeded = await seed(stack.url);
  log(`seeded 3 users (viewer @${seeded.viewer.handle}), ${seeded.tweetIds.length} tweets, ${seeded.notificationIds.length} notifications, ${seeded.cursors.length} cursors`);
  const configFile = resolve(work, 'schemathesis.toml');
  await writeFile(configFile, schemathesisToml(dictionaries(seeded)));
  const sessionEnding = await sessionEndingMutations(stack.url);
  if (sessionEnding.length) log(`session-ending mutations, fuzzed apart with a throwaway token: ${sessionEnding.join(', ')}`);

  const common = { st, url: stack.url, configFile, deadline, stack };
  const more = () => stack?.exitReason() === undefined && Date.now() < deadline;
  const passes = [];
  passes.push(
    await schemathesis({
      ...common,
      name: 'authenticated',
      token: seeded.viewer.token,
      examples: settings.examples,
      filters: sessionEnding.flatMap((name) => ['--exclude-name', `Mutation.${name}`]),
    }),
  );
  // Had the token stopped working half-way, the pass would have fuzzed little but UNAUTHENTICATED.
  const tokenStillWorks = await graphql(stack.url, '{ me { id } }', {}, seeded.viewer.token)
    .then((data) => data.me?.id === seeded.viewer.id)
    .catch(() => false);
  if (sessionEnding.length && more()) {
    const throwaway = await signUp(stack.url, 'fzx');
    passes.push(
      await schemathesis({
        ...common,
        name: 'session-ending',
        token: throwaway.token,
        examples: Math.min(settings.examples, 50),
        filters: sessionEnding.flatMap((name) => ['--include-name', `Mutation.${name}`]),
      }),
    );
  }
  if (settings.anonymousExamples > 0 && more()) {
    passes.push(await schemathesis({ ...common, name: 'anonymous', token: undefined, examples: settings.anonymousExamples }));
  }
  let probes;
  if (!options['no-probes'] && stack.exitReason() === undefined) {
    log(`protocol probes: ${PROBES.length} fixed requests (scripts/fuzz/probes.js)`);
    const results = await runProbes(stack.url, seeded.viewer.token);
    probes = { results, failed: results.filter((probe) => probe.failed).length };
    for (const probe of results.filter((result) => result.failed)) log(`probe failed: ${probe.name}: ${probe.failure.slice(0, 200)}`);
  }
  const stackDied = stack.exitReason();
  await stopStack();
  const loggedErrors = await stackErrors(stack.logFile);

  const all = passes.map(summarize);
  const [authenticated] = all;
  const sum = (field) => all.reduce((total, pass) => total + pass[field], 0);
  const problems = [];
  if (authenticated.operations < settings.minOperations) problems.push(`only ${authenticated.operations} operations with the token (at least ${settings.minOperations} wanted)`);
  if (!tokenStillWorks) problems.push('the token no longer signed the viewer in after the token pass');
  for (const pass of all) {
    if (pass.timedOut) problems.push(`the ${pass.name} pass was stopped at --max-minutes ${settings.maxMinutes}`);
    if (pass.schemathesisExitCode !== 0) problems.push(`schemathesis exited with ${pass.schemathesisExitCode} in the ${pass.name} pass`);
  }
  if (stackDied) problems.push(`the stack ${stackDied} during the fuzz (see .cache/fuzz/stack.log)`);
  const loggedCount = loggedErrors.reduce((total, entry) => total + entry.count, 0);
  if (loggedCount) problems.push(`the stack logged ${loggedCount} error(s)`);
  const failed = sum('failed');
  const probesFailed = probes?.failed ?? 0;
  const report = {
    ok: failed === 0 && probesFailed === 0 && problems.length === 0,
    finishedAt: new Date().toISOString(),
    schemathesisVersion: version,
    git: gitState(),
    minOperations: settings.minOperations,
    operations: sum('operations'),
    passed: sum('passed'),
    failed,
    serverErrors5xx: sum('serverErrors5xx'),
    internalErrors: sum('internalErrors'),
    networkErrors: sum('networkErrors'),
    seconds: Math.round((Date.now() - startedAt) / 100) / 10,
    problems,
    stackLoggedErrors: loggedErrors,
    servers: serverEnv.MONGODB_URL ? 'real (MongoDB protocol, Redis, Kafka)' : 'in memory',
    authenticatedOperations: authenticated.operations,
    passes: all,
    probes,
  };
  if (!options['no-results']) {
    await mkdir(resultsDir, { recursive: true });
    await writeFile(resolve(resultsDir, 'latest.json'), `${JSON.stringify(report, null, 2)}\n`);
    await writeFile(resolve(resultsDir, 'latest.md'), markdown(report));
    log(`wrote ${resultsDir.slice(root.length + 1)}/latest.{md,json}`);
  }
  log(
    `${report.operations} operations (${authenticated.operations} with the token) in ${report.seconds} s: ` +
      `${report.failed} failed, ${report.serverErrors5xx} HTTP 5xx, ${report.internalErrors} internal errors, ${report.networkErrors} without an answer; ` +
      `protocol probes: ${probesFailed} of ${probes?.results.length ?? 0} failed`,
  );
  for (const problem of problems) log(`problem: ${problem}`);
  for (const pass of all) for (const failure of pass.failures) log(`failure (${pass.name}): ${failure.key} (${failure.count} ×)`);
  // A shortfall or a dead stack fails the run even when no single operation failed.
  const probesPassed = (probes?.results.length ?? 0) - probesFailed;
  const allFailed = report.failed + probesFailed;
  closing = `${report.passed + probesPassed} passed, ${allFailed + (allFailed === 0 && problems.length ? 1 : 0)} failed`;
  exitCode = report.ok ? 0 : 1;
} catch (error) {
  console.error(`[fuzz] ${error instanceof Error ? error.stack ?? error.message : error}`);
  exitCode = 1;
} finally {
  await stopStack().catch((error) => console.error(`[fuzz] stopping the stack failed: ${error}`));
  await servers?.stop().catch((error) => console.error(`[fuzz] stopping the servers failed: ${error}`));
}
console.log(closing);
process.exit(exitCode);

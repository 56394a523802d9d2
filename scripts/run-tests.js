// npm test: runs every test against real servers.
//   - Each of MONGODB_URL, REDIS_URL, KAFKA_BROKERS, S3_ENDPOINT and
//     REDIS_CLUSTER_URL (a Redis Cluster's nodes, comma-separated) that is
//     set is used as given (a compose stack, Atlas, a CI service...).
//   - The servers for the others (FerretDB, Redis, Kafka, moto for S3, a
//     3-master Redis Cluster) it starts itself on free loopback ports
//     (scripts/servers), and stops exactly those, whatever happens.
//   - Chromium for the browser suites (scripts/browser): CHROMIUM_PATH, or
//     /usr/bin/chromium, or installed with apt-get; its path goes to jest as
//     CHROMIUM_PATH. Without it jest still runs: the browser suites then fail
//     saying why, rather than being skipped.
// Ends with one line `N passed, N failed` for CI. Extra arguments go to jest.
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromiumVersion, ensureChromium } from './browser/chromium.js';
import { startServers } from './servers/index.js';

const root = resolve(fileURLToPath(import.meta.url), '../..');
const resultsFile = resolve(root, 'test-results/jest.json');

/** The env var that gives each server scripts/servers can start. */
const SERVER_ENV = { mongodb: 'MONGODB_URL', redis: 'REDIS_URL', kafka: 'KAFKA_BROKERS', s3: 'S3_ENDPOINT', 'redis-cluster': 'REDIS_CLUSTER_URL' };

/** The servers whose env var is not set, so that a given one is never replaced. */
function serversToStart() {
  return Object.keys(SERVER_ENV).filter((name) => !process.env[SERVER_ENV[name]]);
}

function runJest(env) {
  mkdirSync(resolve(root, 'test-results'), { recursive: true });
  const args = [
    '--experimental-vm-modules',
    '--no-warnings=ExperimentalWarning',
    resolve(root, 'node_modules/jest/bin/jest.js'),
    '--json',
    `--outputFile=${resultsFile}`,
    ...process.argv.slice(2),
  ];
  return new Promise((resolveExit) => {
    const child = spawn(process.execPath, args, { cwd: root, env, stdio: 'inherit' });
    child.on('exit', (code, signal) => resolveExit(code ?? (signal ? 1 : 0)));
  });
}

/** Finds (or installs) Chromium and gives its path to jest; says why when it cannot. */
async function provideChromium(env) {
  try {
    const executable = await ensureChromium({ log: (message) => console.log(`  ${message}`) });
    env.CHROMIUM_PATH = executable;
    console.log(`Chromium: ${executable} (${await chromiumVersion(executable)})`);
  } catch (error) {
    console.error(`Chromium: none, so the browser suites will fail: ${error instanceof Error ? error.message : error}`);
  }
}

function summary() {
  try {
    const results = JSON.parse(readFileSync(resultsFile, 'utf8'));
    // A suite that fails to load has no test results but must count as a failure.
    const brokenSuites = results.numRuntimeErrorTestSuites ?? 0;
    const skipped = results.numPendingTests + results.numTodoTests;
    return `${results.numPassedTests} passed, ${results.numFailedTests + brokenSuites} failed, ${skipped} skipped`;
  } catch {
    return '0 passed, 1 failed';
  }
}

let servers;
let exitCode = 1;
try {
  const env = { ...process.env, NODE_ENV: 'test' };
  const only = serversToStart();
  if (only.length) {
    console.log(`Starting ${only.join(', ')} on loopback for the tests...`);
    servers = await startServers({ only, log: (message) => console.log(`  ${message}`) });
    Object.assign(env, servers.env);
  }
  console.log(`Servers: ${Object.values(SERVER_ENV).map((name) => `${name}=${env[name]}`).join(' ')}`);
  await provideChromium(env);
  exitCode = await runJest(env);
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
} finally {
  await servers?.stop();
}
console.log(summary());
process.exit(exitCode);

// npm test: runs every test against real servers.
//   - With MONGODB_URL, REDIS_URL and KAFKA_BROKERS set, it uses those (a
//     compose stack, Atlas, a CI service...).
//   - Otherwise it starts Redis, Kafka and FerretDB itself on free loopback
//     ports (scripts/servers), and stops exactly those, whatever happens.
// Ends with one line `N passed, N failed` for CI. Extra arguments go to jest.
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServers } from './servers/index.js';

const root = resolve(fileURLToPath(import.meta.url), '../..');
const resultsFile = resolve(root, 'test-results/jest.json');

function serversGiven() {
  return Boolean(process.env.MONGODB_URL && process.env.REDIS_URL && process.env.KAFKA_BROKERS);
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
  if (!serversGiven()) {
    console.log('Starting Redis, Kafka and FerretDB (MongoDB wire protocol) on loopback for the tests...');
    servers = await startServers({ log: (message) => console.log(`  ${message}`) });
    Object.assign(env, servers.env);
  }
  console.log(`Servers: MONGODB_URL=${env.MONGODB_URL} REDIS_URL=${env.REDIS_URL} KAFKA_BROKERS=${env.KAFKA_BROKERS}`);
  exitCode = await runJest(env);
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
} finally {
  await servers?.stop();
}
console.log(summary());
process.exit(exitCode);

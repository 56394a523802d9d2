#!/usr/bin/env node
// node scripts/servers/cli.js up      start all four and a 3-master Redis Cluster
//                                     (REDIS_CLUSTER_URL), print their env, stay up
//                                     until Ctrl+C / SIGTERM, then stop them
// node scripts/servers/cli.js ensure  only build/fetch into the cache (CI warm-up),
//                                     cfn-lint included (the AWS template's test runs it),
//                                     and helm and kubernetes-validate (the Helm chart's test)
//
// Progress goes to stderr; `up` prints only the export lines on stdout.

import { cacheDir, ensureCfnLint, ensureHelm, ensureKubernetesValidate, ensureServers, startServers } from './index.js';

const USAGE = 'usage: node scripts/servers/cli.js up|ensure';

async function up() {
  const { env, stop } = await startServers({ only: ['mongodb', 'redis', 'kafka', 's3', 'redis-cluster'] });
  for (const [name, value] of Object.entries(env)) {
    process.stdout.write(`export ${name}=${value}\n`);
  }
  process.stderr.write('[servers] up; press Ctrl+C to stop\n');

  // The running children keep the event loop alive; wait for a signal. The
  // listeners stay (`on`, not `once`) so that a signal during the stop below
  // does not kill us half-way.
  await new Promise((resolve) => {
    process.on('SIGINT', resolve);
    process.on('SIGTERM', resolve);
  });
  process.stderr.write('[servers] stopping...\n');
  await stop();
}

async function ensure() {
  const started = Date.now();
  const log = (/** @type {string} */ msg) => process.stderr.write(`[servers] ${msg}\n`);
  await Promise.all([ensureServers(), ensureCfnLint(log), ensureHelm(log), ensureKubernetesValidate(log)]);
  process.stderr.write(`[servers] cache ready in ${((Date.now() - started) / 1000).toFixed(1)}s at ${cacheDir()}\n`);
}

const commands = { up, ensure };
const command = process.argv[2] ?? '';
if (!Object.hasOwn(commands, command) || process.argv.length > 3) {
  process.stderr.write(`${USAGE}\n`);
  process.exit(2);
}

try {
  await commands[/** @type {keyof typeof commands} */ (command)]();
} catch (err) {
  process.stderr.write(`[servers] ${err instanceof Error ? err.message : err}\n`);
  process.exitCode = 1;
}

// The Chromium that the browser tests (@chirp/testing's launchChromium) and
// the bench's web step drive through playwright-core. Playwright's own browser
// download is never used: this machine reaches package registries only, so the
// browser comes from Debian's `chromium` package.
//
//   node scripts/browser/chromium.js     # prints the path and `chromium --version`
//
// Found in this order: CHROMIUM_PATH (must exist), /usr/bin/chromium, else
// installed with apt-get when running as root (a fresh CI machine), else a
// clear error saying how to install it.

import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { which } from '../servers/processes.js';

/** Where Debian's package puts its launcher. */
export const DEBIAN_CHROMIUM = '/usr/bin/chromium';

// fonts-liberation is only recommended by the package, and without a font pages render as boxes.
const INSTALL_COMMAND = 'apt-get install -y --no-install-recommends chromium fonts-liberation';
const HOW_TO_INSTALL = `Install Chromium (\`sudo ${INSTALL_COMMAND}\` on Debian), or set CHROMIUM_PATH to a Chromium or Chrome executable.`;

/** @typedef {(line: string) => void} Log */

/**
 * The Chromium executable to launch, installed first when it is missing and
 * this process may install it.
 *
 * @param {{ log?: Log }} [options]
 * @returns {Promise<string>}
 */
export async function ensureChromium({ log = () => {} } = {}) {
  const given = process.env.CHROMIUM_PATH;
  if (given) {
    if (!existsSync(given)) throw new Error(`CHROMIUM_PATH is set to ${given}, which does not exist. ${HOW_TO_INSTALL}`);
    return given;
  }
  if (existsSync(DEBIAN_CHROMIUM)) return DEBIAN_CHROMIUM;
  if (process.getuid?.() !== 0 || !which('apt-get')) {
    throw new Error(`Chromium was not found at ${DEBIAN_CHROMIUM} and CHROMIUM_PATH is not set. ${HOW_TO_INSTALL}`);
  }
  await aptInstallChromium(log);
  if (!existsSync(DEBIAN_CHROMIUM)) throw new Error(`apt-get installed chromium but ${DEBIAN_CHROMIUM} is still missing. ${HOW_TO_INSTALL}`);
  return DEBIAN_CHROMIUM;
}

/**
 * `chromium --version`, e.g. "Chromium 156.0.8078.114 built on Debian GNU/Linux 12 (bookworm)".
 *
 * @param {string} executable
 */
export async function chromiumVersion(executable) {
  // Debian's launcher is a shell script that may print shell noise on stderr: only stdout is the version.
  const { stdout } = await promisify(execFile)(executable, ['--version'], { timeout: 30_000 });
  return stdout.trim();
}

/** @param {Log} log */
async function aptInstallChromium(log) {
  const started = Date.now();
  log('Chromium is missing: installing Debian\'s chromium with apt-get (first run only, a minute or two)...');
  const env = { DEBIAN_FRONTEND: 'noninteractive' };
  // Fresh machines have no package lists yet, so update first rather than on failure.
  await run('apt-get', ['update', '-q'], env);
  await run('apt-get', [...INSTALL_COMMAND.split(' ').slice(1), '-q'], env);
  log(`installed Chromium in ${((Date.now() - started) / 1000).toFixed(1)}s`);
}

/**
 * Runs a command to completion; on failure the error carries the end of its output.
 *
 * @param {string} command
 * @param {string[]} args
 * @param {NodeJS.ProcessEnv} env  added to this process's environment
 */
function run(command, args, env) {
  return new Promise((resolveRun, reject) => {
    const child = spawn(command, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    /** @type {Buffer[]} */
    const output = [];
    child.stdout.on('data', (chunk) => output.push(chunk));
    child.stderr.on('data', (chunk) => output.push(chunk));
    child.once('error', (error) => reject(new Error(`could not run ${command}: ${error.message}`)));
    child.once('close', (code, signal) => {
      if (code === 0) return resolveRun(undefined);
      const tail = Buffer.concat(output).toString('utf8').trimEnd().split('\n').slice(-20).join('\n');
      reject(new Error(`Chromium could not be installed: \`${command} ${args.join(' ')}\` ${signal ? `was killed by ${signal}` : `exited with code ${code}`}. ${HOW_TO_INSTALL}\n${tail}`));
    });
  });
}

// CLI: prints where Chromium is and its version (installing it if it can).
if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    const executable = await ensureChromium({ log: (line) => console.error(line) });
    console.log(executable);
    console.log(await chromiumVersion(executable));
  } catch (error) {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  }
}

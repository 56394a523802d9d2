// One-time "ensure" steps: get the server programs onto this machine and keep
// them in a cache between runs, since building FerretDB and fetching Kafka
// take minutes on a fresh machine and no Docker image can stand in for them.
//
// Cache layout, under ${CHIRP_SERVERS_CACHE:-$HOME/.cache/chirp/servers}:
//   ferretdb-<hash of infra/ferretdb/{main.go,go.mod,go.sum}>/ferretdb
//   kafka-<hash of infra/kafka/pom.xml>/jars/*.jar
//   kafka-<same hash>/cds-<hash of the JVM and jars>.jsa   (class-data archive)
//   moto-venv/   a Python venv with moto's server, stamped .chirp-requirements
//   cfn-lint-venv/  the same with cfn-lint (the SAM template's linter)
//   helm-<version>-<hash of its link flags>/helm   (the Helm chart's test)
//   kubernetes-validate-venv/  kubernetes-validate (the chart's manifests, offline)
// An entry appears whole or not at all (built aside, then renamed; a venv
// cannot be moved, so its stamp file is written last instead), and a lock
// dir next to it keeps concurrent runs from building it twice.

import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';

import { isAlive, makeTempDir, removeTempDir, which } from './processes.js';
import { exerciseKafka, startKafka } from './kafka.js';

/** The repository root (this file is scripts/servers/ensure.js). */
export const projectRoot = fileURLToPath(new URL('../../', import.meta.url));

/** @typedef {(msg: string) => void} Log */

/** Where built and downloaded server programs are kept between runs. */
export function cacheDir() {
  return process.env.CHIRP_SERVERS_CACHE || path.join(os.homedir(), '.cache', 'chirp', 'servers');
}

// ---------------------------------------------------------------- FerretDB

/**
 * Builds infra/ferretdb (FerretDB embedded in a small Go program) unless a
 * binary built from the same sources is cached.
 *
 * @param {Log} log
 * @returns {Promise<{ bin: string }>}
 */
export async function ensureFerretDB(log) {
  const srcDir = path.join(projectRoot, 'infra', 'ferretdb');
  const hash = await hashFiles(['main.go', 'go.mod', 'go.sum'].map((f) => path.join(srcDir, f)));
  const dir = path.join(cacheDir(), `ferretdb-${hash}`);
  const bin = path.join(dir, 'ferretdb');

  await onceInCache(bin, log, async () => {
    const go = requireTool('go', 'Install Go 1.24 or newer (https://go.dev/dl/, or `apt-get install golang` if recent enough).');
    log('building FerretDB from infra/ferretdb (first run only; a few minutes on a fresh machine)...');
    const started = Date.now();
    await fsp.mkdir(dir, { recursive: true });
    const tmp = `${bin}.tmp-${process.pid}`;
    // -mod=readonly: build exactly what go.sum pins, never edit go.mod.
    await run(go, ['build', '-mod=readonly', '-trimpath', '-buildvcs=false', '-ldflags=-s -w', '-o', tmp, '.'], { cwd: srcDir });
    await fsp.rename(tmp, bin);
    log(`built FerretDB in ${seconds(started)}`);
  });
  return { bin };
}

// ---------------------------------------------------------------- Kafka

/**
 * Gathers the Kafka broker's jars from Maven Central (per infra/kafka/pom.xml)
 * unless cached, then trains a class-data sharing archive for this JVM once.
 *
 * @param {Log} log
 * @returns {Promise<{ java: string, jarsDir: string, cdsArchive: string | null }>}
 */
export async function ensureKafka(log) {
  const java = javaBinary();
  const pom = path.join(projectRoot, 'infra', 'kafka', 'pom.xml');
  const dir = path.join(cacheDir(), `kafka-${await hashFiles([pom])}`);
  const jarsDir = path.join(dir, 'jars');

  await onceInCache(dir, log, async () => {
    const mvn = requireTool('mvn', 'Install Maven 3.6+ (`apt-get install maven`).');
    log('fetching the Kafka broker jars with Maven (first run only)...');
    const started = Date.now();
    const tmp = `${dir}.tmp-${process.pid}`;
    await fsp.rm(tmp, { recursive: true, force: true });
    await run(mvn, ['-B', '-q', '-f', pom, 'dependency:copy-dependencies',
      '-DincludeScope=runtime', `-DoutputDirectory=${path.join(tmp, 'jars')}`]);
    await fsp.rename(tmp, dir);
    log(`fetched the Kafka jars in ${seconds(started)}`);
  });

  const cdsArchive = await ensureKafkaCds({ java, jarsDir, dir, log });
  return { java, jarsDir, cdsArchive };
}

/**
 * Kafka spends most of its ~3.5 s start loading and verifying classes. A
 * dynamic class-data sharing archive (JDK 13+) of the classes a broker loads
 * roughly halves that. It is recorded once by running a throwaway broker with
 * -XX:ArchiveClassesAtExit. The archive is only an optimization: if it cannot
 * be made, Kafka starts without it, and if the JVM finds it stale (another
 * JDK, changed jars) it ignores it with a warning in the broker's log.
 *
 * @param {{ java: string, jarsDir: string, dir: string, log: Log }} opts
 * @returns {Promise<string | null>}
 */
async function ensureKafkaCds({ java, jarsDir, dir, log }) {
  const archive = path.join(dir, `cds-${await cdsKey(java, jarsDir)}.jsa`);
  const failed = `${archive}.failed`;
  if (fs.existsSync(failed)) return null;

  await onceInCache(archive, log, async () => {
    log('recording a class-data archive for faster Kafka starts (first run only)...');
    const started = Date.now();
    const tmp = `${archive}.tmp-${process.pid}`;
    const root = await makeTempDir();
    try {
      const kafka = await startKafka({
        java, jarsDir, root, log,
        jvmArgs: [`-XX:ArchiveClassesAtExit=${tmp}`],
        stopGraceMs: 120_000, // writing the archive at exit takes a few seconds
      });
      try {
        await exerciseKafka(kafka.env.KAFKA_BROKERS); // so that client-facing classes get in too
      } finally {
        await kafka.stop(); // the JVM writes the archive as it exits
      }
      if (!fs.existsSync(tmp)) throw new Error('the JVM wrote no archive');
      await fsp.rename(tmp, archive);
      await removeOtherArchives(dir, archive); // made for a JDK or jars now gone
      log(`recorded the class-data archive in ${seconds(started)}`);
    } catch (err) {
      // Do not try again on every start; delete the .failed file to retry.
      await fsp.writeFile(failed, String(err instanceof Error ? err.stack : err));
      log(`warning: no class-data archive for Kafka (starts will be slower): ${err instanceof Error ? err.message : err}`);
    } finally {
      await fsp.rm(tmp, { force: true });
      await removeTempDir(root);
    }
  });
  return fs.existsSync(archive) ? archive : null;
}

/**
 * @param {string} dir
 * @param {string} keep
 */
async function removeOtherArchives(dir, keep) {
  for (const file of await fsp.readdir(dir)) {
    const full = path.join(dir, file);
    if (full !== keep && /^cds-[0-9a-f]+\.jsa(\.failed)?$/.test(file)) await fsp.rm(full, { force: true });
  }
}

/** The java to run Kafka with: $JAVA_HOME/bin/java if set, else from PATH. */
function javaBinary() {
  const fromHome = process.env.JAVA_HOME && path.join(process.env.JAVA_HOME, 'bin', 'java');
  if (fromHome && fs.existsSync(fromHome)) return fromHome;
  return requireTool('java', 'Install a JRE 17 or newer (`apt-get install openjdk-17-jre-headless`).');
}

/**
 * Names what a class-data archive depends on, cheaply (no `java -version`
 * run): the JVM (its real path, size and time change when the JDK is
 * replaced) and the exact jars (path, size, time), as the JVM checks both.
 *
 * @param {string} java
 * @param {string} jarsDir
 */
async function cdsKey(java, jarsDir) {
  const real = await fsp.realpath(java);
  const libjvm = path.join(path.dirname(real), '..', 'lib', 'server', 'libjvm.so');
  const files = [fs.existsSync(libjvm) ? libjvm : real];
  for (const jar of (await fsp.readdir(jarsDir)).sort()) files.push(path.join(jarsDir, jar));
  const stats = await Promise.all(files.map(async (f) => {
    const st = await fsp.stat(f);
    return `${f} ${st.size} ${st.mtimeMs}`;
  }));
  return hashString(`${real}\n${stats.join('\n')}`);
}

// ---------------------------------------------------------------- Redis

/**
 * Finds redis-server on PATH; if it is missing and we are root, installs
 * Debian's package (which does not start a service on machines without an
 * init system; we start our own on a free port anyway).
 *
 * @param {Log} log
 * @returns {Promise<{ bin: string }>}
 */
export async function ensureRedis(log) {
  const find = () => which('redis-server');
  const bin = find() ?? (await aptInstall('redis-server', find, log, 'brew install redis` on macOS'));
  return { bin };
}

// ---------------------------------------------------------------- Python tools (moto, cfn-lint, kubernetes-validate)

/**
 * What the moto venv gets, exactly. moto[server] pins none of its
 * dependencies, so the ones `moto_server` runs on are pinned too: its web
 * server (Flask, flask-cors, Werkzeug) and boto3/botocore, which moto is
 * built on and which are released almost daily (the two must match).
 * Changing a line rebuilds the venv on the next run.
 */
const MOTO_REQUIREMENTS = [
  'moto[server]==5.2.5',
  'flask==3.1.3',
  'flask-cors==6.0.5',
  'werkzeug==3.1.9',
  'boto3==1.44.8',
  'botocore==1.44.8',
];

/**
 * What the cfn-lint venv gets, exactly. 1.53.3 is the last cfn-lint that
 * expands a SAM template with aws-sam-translator before linting it (1.54
 * validates the AWS::Serverless resources against schemas instead, and so
 * no longer sees the generated roles, permissions and APIs: it misses a
 * circular dependency between a function and its HttpApi, for one); it
 * knows nodejs24.x. Its results depend on the translator and on what the
 * translator runs on, so those are pinned too: pydantic and jsonschema
 * (its validation) and boto3/botocore (its regions and partitions, the
 * same pins as moto's).
 */
const CFN_LINT_REQUIREMENTS = [
  'cfn-lint==1.53.3',
  'aws-sam-translator==1.115.0',
  'pydantic==2.13.5',
  'jsonschema==4.26.0',
  'boto3==1.44.8',
  'botocore==1.44.8',
];

/**
 * What the kubernetes-validate venv gets, exactly: the validator, which
 * carries the Kubernetes JSON schemas of every version it knows (1.25 to
 * 1.37 in 1.37.0; the chart's test picks one), and everything it imports,
 * pinned, since its verdicts are jsonschema's (the same jsonschema as
 * cfn-lint's).
 */
const KUBERNETES_VALIDATE_REQUIREMENTS = [
  'kubernetes-validate==1.37.0',
  'jsonschema==4.26.0',
  'jsonschema-specifications==2025.9.1',
  'referencing==0.37.0',
  'rpds-py==2026.9.1',
  'attrs==26.1.0',
  'PyYAML==6.0.4',
  'packaging==26.4',
  'typing-extensions==4.16.0',
  'importlib-resources==7.1.0',
];

/** moto 5.2 and cfn-lint 1.53 need Python 3.10+; venv and ensurepip are split off on Debian. */
const PYTHON_CHECK = 'import sys, venv, ensurepip; sys.exit(sys.version_info < (3, 10))';

/**
 * A Python venv in the cache with moto's server (an S3-compatible API, among
 * others).
 *
 * @param {Log} log
 * @returns {Promise<{ bin: string }>}
 */
export function ensureMoto(log) {
  return ensureVenv({ name: 'moto', requirements: MOTO_REQUIREMENTS, command: 'moto_server', log });
}

/**
 * A Python venv in the cache with cfn-lint, which checks the AWS SAM
 * template (deploy/aws/template.yaml) offline.
 *
 * @param {Log} log
 * @returns {Promise<{ bin: string }>}
 */
export function ensureCfnLint(log) {
  return ensureVenv({ name: 'cfn-lint', requirements: CFN_LINT_REQUIREMENTS, command: 'cfn-lint', log });
}

/**
 * A Python venv in the cache with kubernetes-validate, which checks the Helm
 * chart's rendered manifests (deploy/helm/chirp) against the Kubernetes API
 * schemas offline.
 *
 * @param {Log} log
 * @returns {Promise<{ bin: string }>}
 */
export function ensureKubernetesValidate(log) {
  return ensureVenv({ name: 'kubernetes-validate', requirements: KUBERNETES_VALIDATE_REQUIREMENTS, command: 'kubernetes-validate', log });
}

/**
 * A Python venv `<name>-venv` in the cache with exactly `requirements`
 * installed by pip, unless its stamp says those very pins are installed;
 * resolves to the path of `command` in it.
 *
 * @param {{ name: string, requirements: readonly string[], command: string, log: Log }} opts
 * @returns {Promise<{ bin: string }>}
 */
async function ensureVenv({ name, requirements, command, log }) {
  const venv = path.join(cacheDir(), `${name}-venv`);
  const bin = path.join(venv, 'bin', command);
  const stampFile = path.join(venv, '.chirp-requirements');
  const wanted = `${requirements.join('\n')}\n`;
  const installed = () => fs.existsSync(bin) && readIfExists(stampFile) === wanted;
  if (installed()) return { bin };

  await withLock(venv, log, async () => {
    if (installed()) return; // another process installed it meanwhile
    const python = requireTool('python3', 'Install Python 3.10 or newer (`apt-get install python3 python3-venv`).');
    await run(python, ['-c', PYTHON_CHECK]).catch((err) => {
      throw new Error(`${python} cannot make the venv for ${name}: it needs Python 3.10+ with the venv and ensurepip modules. `
        + `Install them: \`sudo apt-get install -y python3-venv\` on Debian/Ubuntu.\n${err.message}`);
    });
    log(`installing ${name} into ${venv} with pip (first run only; about 20 s)...`);
    const started = Date.now();
    // --clear starts from an empty venv (the stamp goes too), so a venv left
    // half-made by a killed run, or packages dropped from the pins, cannot
    // linger. The stamp is written last: its presence means "complete".
    await run(python, ['-m', 'venv', '--clear', venv]);
    await run(path.join(venv, 'bin', 'python'), ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', ...requirements]);
    if (!fs.existsSync(bin)) throw new Error(`pip installed ${requirements[0]} but ${bin} is missing`);
    await fsp.writeFile(stampFile, wanted);
    log(`installed ${name} in ${seconds(started)}`);
  });
  return { bin };
}

/** @param {string} file */
function readIfExists(file) {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return null;
  }
}

// ---------------------------------------------------------------- Helm

/**
 * The Helm release the chart's test lints and renders deploy/helm/chirp
 * with. Helm's binaries are on get.helm.sh, which these machines cannot
 * reach; its Go module is on the module proxy, so it is built from source,
 * as FerretDB is.
 */
export const HELM_VERSION = 'v3.21.4';

/**
 * What helm's own Makefile gives the linker, so that this build behaves as
 * the released binary: its version (else `helm version` says v3.21), and
 * the Kubernetes version it assumes without a cluster, for
 * `.Capabilities.KubeVersion` and `helm lint`'s deprecation checks (else
 * 1.20, older than the chart's kubeVersion allows). The Makefile takes it
 * from the client-go helm is built with: v0.36.2 in helm v3.21.4's go.mod,
 * so 1.36. Changing a flag builds again, into a directory of its own.
 */
const HELM_LDFLAGS = [
  '-s',
  '-w',
  `-X helm.sh/helm/v3/internal/version.version=${HELM_VERSION}`,
  ...['pkg/chartutil', 'pkg/lint/rules'].flatMap((pkg) => [
    `-X helm.sh/helm/v3/${pkg}.k8sVersionMajor=1`,
    `-X helm.sh/helm/v3/${pkg}.k8sVersionMinor=36`,
  ]),
].join(' ');

/**
 * Builds helm with `go install` into the cache unless that very build is
 * there already.
 *
 * @param {Log} log
 * @returns {Promise<{ bin: string }>}
 */
export async function ensureHelm(log) {
  const dir = path.join(cacheDir(), `helm-${HELM_VERSION}-${hashString(HELM_LDFLAGS)}`);
  const bin = path.join(dir, 'helm');

  await onceInCache(dir, log, async () => {
    const go = requireTool('go', `Install Go 1.26 or newer, which helm ${HELM_VERSION} needs (https://go.dev/dl/), or a Go that may fetch that toolchain (GOTOOLCHAIN=auto).`);
    log(`building helm ${HELM_VERSION} from the Go module proxy (first run only; 2-3 minutes on a fresh machine, seconds with Go's build cache warm)...`);
    const started = Date.now();
    const tmp = `${dir}.tmp-${process.pid}`;
    await fsp.rm(tmp, { recursive: true, force: true });
    // `go install module@version` builds helm's module as published, by its
    // own go.mod and go.sum (checked against the checksum database), outside
    // any module of ours; GOBIN puts the binary aside, renamed into place.
    await run(go, ['install', '-trimpath', `-ldflags=${HELM_LDFLAGS}`, `helm.sh/helm/v3/cmd/helm@${HELM_VERSION}`], {
      cwd: os.tmpdir(),
      env: { GOBIN: tmp, CGO_ENABLED: '0' },
    });
    await fsp.rename(tmp, dir);
    log(`built helm in ${seconds(started)}`);
  });
  return { bin };
}

// ---------------------------------------------------------------- PostgreSQL

/**
 * PostgreSQL's server programs, for FerretDB's PostgreSQL backend (the
 * bench's: it pushes filters down to indexes, as MongoDB answers them).
 * Debian keeps them outside PATH, in /usr/lib/postgresql/<version>/bin.
 *
 * @param {Log} log
 * @returns {Promise<{ binDir: string }>}
 */
export async function ensurePostgres(log) {
  const binDir = postgresBinDir() ?? (await aptInstall('postgresql', postgresBinDir, log, 'brew install postgresql` on macOS'));
  return { binDir };
}

function postgresBinDir() {
  const debian = '/usr/lib/postgresql';
  const versions = fs.existsSync(debian) ? fs.readdirSync(debian).sort((a, b) => Number(b) - Number(a)) : [];
  const dirs = [...versions.map((version) => path.join(debian, version, 'bin')), ...[which('postgres')].flatMap((bin) => (bin ? [path.dirname(bin)] : []))];
  return dirs.find((dir) => fs.existsSync(path.join(dir, 'postgres')) && fs.existsSync(path.join(dir, 'initdb'))) ?? null;
}

/**
 * Installs a Debian package when this process may (root, apt-get present),
 * once across concurrent runs, and returns what `find` then finds.
 *
 * @param {string} pkg
 * @param {() => string | null} find
 * @param {Log} log
 * @param {string} elsewhere  how to install it on other systems, for the error
 * @returns {Promise<string>}
 */
async function aptInstall(pkg, find, log, elsewhere) {
  const howTo = `Install it: \`sudo apt-get install -y ${pkg}\` on Debian/Ubuntu, \`${elsewhere}.`;
  if (process.getuid?.() !== 0 || !which('apt-get')) {
    throw new Error(`${pkg} was not found. ${howTo}`);
  }
  await withLock(path.join(cacheDir(), 'apt'), log, async () => {
    if (find()) return;
    log(`installing ${pkg} with apt-get (first run only)...`);
    const started = Date.now();
    const env = { DEBIAN_FRONTEND: 'noninteractive' };
    const install = () => run('apt-get', ['install', '-y', '-q', pkg], { env });
    try {
      await install();
    } catch {
      // Usually stale package lists on a fresh machine.
      await run('apt-get', ['update', '-q'], { env });
      await install();
    }
    log(`installed ${pkg} in ${seconds(started)}`);
  });
  const found = find();
  if (!found) throw new Error(`apt-get installed ${pkg} but it was not found. ${howTo}`);
  return found;
}

// ---------------------------------------------------------------- cache

/**
 * Runs make() to create `target` unless it exists, under a lock so that only
 * one process does it. make() must create target atomically (build aside,
 * then rename), so that its existence means "complete".
 *
 * @param {string} target
 * @param {Log} log
 * @param {() => Promise<void>} make
 */
async function onceInCache(target, log, make) {
  if (fs.existsSync(target)) return;
  await fsp.mkdir(path.dirname(target), { recursive: true });
  await withLock(target, log, async () => {
    if (!fs.existsSync(target)) await make(); // another process may have made it meanwhile
  });
}

/**
 * A mkdir-based lock: mkdir is atomic, so whoever creates `${name}.lock`
 * holds it. The holder's PID is written inside, so that a lock left by a
 * process that died can be taken over.
 *
 * @template T
 * @param {string} name
 * @param {Log} log
 * @param {() => Promise<T>} fn
 * @returns {Promise<T>}
 */
async function withLock(name, log, fn) {
  const lockDir = `${name}.lock`;
  const pidFile = path.join(lockDir, 'pid');
  await fsp.mkdir(path.dirname(lockDir), { recursive: true });
  let told = false;
  for (;;) {
    try {
      await fsp.mkdir(lockDir);
      break;
    } catch (err) {
      if (/** @type {NodeJS.ErrnoException} */ (err).code !== 'EEXIST') throw err;
    }
    if (await lockIsStale(lockDir, pidFile)) {
      await fsp.rm(lockDir, { recursive: true, force: true });
      continue;
    }
    if (!told) {
      told = true;
      log(`waiting for another process to finish with ${lockDir}...`);
    }
    await sleep(500);
  }

  try {
    await fsp.writeFile(pidFile, String(process.pid));
    return await fn();
  } finally {
    await fsp.rm(lockDir, { recursive: true, force: true });
  }
}

/**
 * @param {string} lockDir
 * @param {string} pidFile
 */
async function lockIsStale(lockDir, pidFile) {
  const pid = Number(await fsp.readFile(pidFile, 'utf8').catch(() => ''));
  if (pid > 0) return !isAlive(pid);
  // No PID yet: the holder is between mkdir and writeFile, or died there.
  const st = await fsp.stat(lockDir).catch(() => null);
  return st !== null && Date.now() - st.mtimeMs > 10_000;
}

// ---------------------------------------------------------------- helpers

/**
 * Fails with a clear message when a tool is not on PATH.
 *
 * @param {string} command
 * @param {string} howToInstall
 */
function requireTool(command, howToInstall) {
  const file = which(command);
  if (!file) throw new Error(`\`${command}\` was not found on PATH. ${howToInstall}`);
  return file;
}

/**
 * Runs a command to completion; on failure the error carries its output.
 *
 * @param {string} command
 * @param {string[]} args
 * @param {{ cwd?: string, env?: NodeJS.ProcessEnv }} [opts]
 */
function run(command, args, { cwd, env } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    /** @type {Buffer[]} */
    const output = [];
    child.stdout.on('data', (b) => output.push(b));
    child.stderr.on('data', (b) => output.push(b));
    child.once('error', reject);
    child.once('close', (code, signal) => {
      if (code === 0) return resolve(undefined);
      const text = Buffer.concat(output).toString('utf8').trimEnd().split('\n').slice(-40).join('\n');
      reject(new Error(`\`${command} ${args.join(' ')}\` ${signal ? `was killed by ${signal}` : `exited with code ${code}`}\n${text}`));
    });
  });
}

/** @param {string[]} files */
async function hashFiles(files) {
  const hash = createHash('sha256');
  for (const file of files) {
    hash.update(`${path.basename(file)}\0`);
    hash.update(await fsp.readFile(file));
    hash.update('\0');
  }
  return hash.digest('hex').slice(0, 16);
}

/** @param {string} text */
function hashString(text) {
  return createHash('sha256').update(text).digest('hex').slice(0, 16);
}

/** @param {number} since */
function seconds(since) {
  return `${((Date.now() - since) / 1000).toFixed(1)}s`;
}

#!/usr/bin/env node
// Packages every AWS Lambda function as a zip: `npm run package:lambda`.
//
//   dist/lambda/<service>.zip   one per service, its handlers exported by index.js
//   dist/lambda/sizes.json      each zip's size, packed and unpacked
//
// Each zip holds one esbuild bundle of the service's lambda entry point
// (tree-shaken: only what it imports), laid out as the repository is so the
// files the code finds beside itself are where it looks (the subgraph's
// schema.graphql, the gateway's supergraph, the image worker), plus the
// packages that cannot be bundled (sharp's native binaries). The build
// (`npm run build`) must have run: the bundles are made from `dist/`, the
// very JavaScript the containers run.
//
// Usage: node scripts/package/lambda.js [--out dir] [service ...]

import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { build } from 'esbuild';
import { zipSync } from 'fflate';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/**
 * What each zip holds: the bundle of `entry` (its exports, which the
 * functions name as their handlers), the extra bundles its code spawns,
 * the data files it reads, and the packages left outside the bundle.
 */
export const LAMBDA_PACKAGES = {
  gateway: { entry: 'gateway/dist/lambda.js', handlers: ['handler'], files: ['schema/supergraph.graphql'] },
  users: {
    entry: 'subgraphs/users/dist/lambda.js',
    handlers: ['handler', 'sweeper'],
    files: ['subgraphs/users/schema.graphql'],
    // Spawned as a child process by WorkerImageProcessor, from beside the bundle.
    spawned: { 'subgraphs/users/dist/image-worker.js': 'subgraphs/users/dist/media/image-worker.js' },
    // Native: loads its libvips binaries by computed paths at run time.
    packages: ['sharp'],
  },
  tweets: { entry: 'subgraphs/tweets/dist/lambda.js', handlers: ['handler', 'sweeper'], files: ['subgraphs/tweets/schema.graphql'] },
  timeline: { entry: 'subgraphs/timeline/dist/lambda.js', handlers: ['handler', 'consumer'], files: ['subgraphs/timeline/schema.graphql'] },
  notifications: {
    entry: 'subgraphs/notifications/dist/lambda.js',
    handlers: ['handler', 'consumer'],
    files: ['subgraphs/notifications/schema.graphql'],
  },
};

/**
 * CommonJS packages in an ES module bundle still call `require` for Node's
 * built-ins and read `__dirname`: both are made for each bundle here.
 */
const COMMONJS_SHIMS = [
  "import { createRequire as __chirpCreateRequire } from 'node:module';",
  "import { fileURLToPath as __chirpFileURLToPath } from 'node:url';",
  'const require = __chirpCreateRequire(import.meta.url);',
  'const __filename = __chirpFileURLToPath(import.meta.url);',
  "const __dirname = __chirpFileURLToPath(new URL('.', import.meta.url));",
].join('\n');

/** A file's mode in the zip: readable by the runtime's user, whoever unpacks it. */
const READABLE = { os: 3, attrs: 0o100644 << 16 };

async function bundle(entryPoints, external) {
  const result = await build({
    entryPoints,
    outdir: '/',
    write: false,
    bundle: true,
    platform: 'node',
    target: 'node24',
    format: 'esm',
    // Smaller without renaming: stack traces in CloudWatch keep their function names.
    minifySyntax: true,
    minifyWhitespace: true,
    legalComments: 'none',
    banner: { js: COMMONJS_SHIMS },
    external,
    logLevel: 'error',
  });
  return result.outputFiles;
}

/** A package and the packages it needs at run time, as installed (its binaries for this platform among them). */
function packageClosure(name, seen = new Set()) {
  if (seen.has(name)) return seen;
  const dir = path.join(ROOT, 'node_modules', name);
  if (!existsSync(dir)) return seen;
  seen.add(name);
  const manifest = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8'));
  for (const dependency of Object.keys({ ...manifest.dependencies, ...manifest.optionalDependencies })) packageClosure(dependency, seen);
  return seen;
}

function addTree(files, dir, prefix) {
  for (const entry of readdirSync(dir)) {
    const full = path.join(dir, entry);
    if (statSync(full).isDirectory()) addTree(files, full, `${prefix}${entry}/`);
    else files[`${prefix}${entry}`] = [readFileSync(full), READABLE];
  }
}

/** Builds one service's zip; returns its path and sizes. */
export async function packageLambda(service, outDir) {
  const spec = LAMBDA_PACKAGES[service];
  if (!spec) throw new Error(`no Lambda package named ${service}; there are: ${Object.keys(LAMBDA_PACKAGES).join(', ')}`);
  const entries = { [spec.entry]: spec.entry, ...spec.spawned };
  const external = spec.packages ?? [];
  const files = {};
  for (const [target, source] of Object.entries(entries)) {
    const [output] = await bundle([path.join(ROOT, source)], external);
    files[target] = [output.contents, READABLE];
  }
  for (const file of spec.files) files[file] = [readFileSync(path.join(ROOT, file)), READABLE];
  for (const name of external.flatMap((pkg) => [...packageClosure(pkg)])) addTree(files, path.join(ROOT, 'node_modules', name), `node_modules/${name}/`);
  // The handlers at the root, where Lambda's `index.<handler>` looks; every .js is an ES module.
  files['index.js'] = [Buffer.from(`export { ${spec.handlers.join(', ')} } from './${spec.entry}';\n`), READABLE];
  files['package.json'] = [Buffer.from(`${JSON.stringify({ type: 'module', private: true }, null, 2)}\n`), READABLE];
  const zipped = zipSync(files, { level: 9, mtime: new Date('2026-01-01T00:00:00Z') });
  mkdirSync(outDir, { recursive: true });
  const zipPath = path.join(outDir, `${service}.zip`);
  writeFileSync(zipPath, zipped);
  const unpacked = Object.values(files).reduce((sum, [contents]) => sum + contents.length, 0);
  const bundled = Object.keys(entries).reduce((sum, target) => sum + files[target][0].length, 0);
  return { service, zip: path.relative(ROOT, zipPath), handlers: spec.handlers, zipBytes: zipped.length, unpackedBytes: unpacked, bundleBytes: bundled };
}

const megabytes = (bytes) => `${(bytes / 1_048_576).toFixed(2)} MB`;

async function main() {
  const { values, positionals } = parseArgs({ options: { out: { type: 'string', default: path.join(ROOT, 'dist/lambda') } }, allowPositionals: true });
  const services = positionals.length > 0 ? positionals : Object.keys(LAMBDA_PACKAGES);
  const results = [];
  for (const service of services) {
    const result = await packageLambda(service, values.out);
    results.push(result);
    console.log(
      `${result.zip.padEnd(32)} ${megabytes(result.zipBytes).padStart(9)} zipped, ${megabytes(result.unpackedBytes).padStart(9)} unpacked (bundle ${megabytes(result.bundleBytes)}); handlers: ${result.handlers.join(', ')}`,
    );
  }
  writeFileSync(path.join(values.out, 'sizes.json'), `${JSON.stringify(results, null, 2)}\n`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  main().catch((error) => {
    console.error(error);
    process.exit(1);
  });
}

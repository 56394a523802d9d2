// With BENCH_PROFILE=DIR the stack process runs under V8's sampling
// profiler (--cpu-prof). This reads the profile it leaves and tells where
// the CPU went during the busiest window of the run (the gateway's
// closed-loop read run): the share of samples per package, counting a
// package once per stack (inclusive) and at the top of the stack (self).

import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { round } from './stats.js';

/** A call frame's package: node_modules/<name>, the repo folder, or node's own code (its fetch apart). @param {any} frame */
function packageOf(frame) {
  const url = String(frame.url ?? '');
  if (url.includes('node_modules/')) {
    const parts = url.replace(/.*node_modules\//, '').split('/');
    return parts[0].startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0];
  }
  // Node's fetch (undici, on web streams) is bundled in node's own code; it is a client of its own, worth its own rows.
  if (url.startsWith('node:internal/deps/undici')) return 'node: undici (fetch)';
  if (url.startsWith('node:internal/webstreams')) return 'node: web streams';
  // On a request's path the only WebAssembly is undici's HTTP parser (llhttp); Node's http uses native llhttp.
  if (url.startsWith('wasm://') || /^(js-to-wasm|wasm-to-js)/.test(String(frame.functionName ?? ''))) return 'wasm (undici\'s llhttp)';
  if (url.startsWith('node:')) return 'node (core)';
  if (url.includes('/work/') || url.startsWith('file:')) return url.replace(/^.*?\/(packages|subgraphs|gateway|scripts)\//, '$1/').split('/').slice(0, 2).join('/');
  return frame.functionName || '(native)';
}

/**
 * @param {string} dir
 * @param {number} windowSeconds
 */
export async function summarizeProfile(dir, windowSeconds) {
  const files = (await readdir(dir)).filter((name) => name.endsWith('.cpuprofile')).sort();
  if (files.length === 0) return null;
  const profile = JSON.parse(await readFile(join(dir, /** @type {string} */ (files.at(-1))), 'utf8'));
  const nodes = new Map(profile.nodes.map((/** @type {any} */ node) => [node.id, node]));
  const parent = new Map();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const deltas = /** @type {number[]} */ (profile.timeDeltas);
  const idle = profile.samples.map((/** @type {number} */ id) => nodes.get(id).callFrame.functionName === '(idle)');
  const times = [];
  let clock = 0;
  for (const delta of deltas) times.push((clock += delta));
  // The busiest window: a sliding sum of non-idle time.
  const width = windowSeconds * 1e6;
  let busy = 0;
  let best = { busy: 0, start: 0 };
  for (let i = 0, j = 0; i < times.length; i += 1) {
    if (!idle[i]) busy += deltas[i];
    for (; times[i] - times[j] > width; j += 1) if (!idle[j]) busy -= deltas[j];
    if (busy > best.busy) best = { busy, start: j };
  }
  const self = new Map();
  const inclusive = new Map();
  let total = 0;
  for (let i = best.start; i < times.length && times[i] <= times[best.start] + width; i += 1) {
    total += deltas[i];
    const top = nodes.get(profile.samples[i]);
    self.set(packageOf(top.callFrame), (self.get(packageOf(top.callFrame)) ?? 0) + deltas[i]);
    const counted = new Set();
    for (let id = top.id; id !== undefined; id = parent.get(id)) {
      const name = packageOf(nodes.get(id).callFrame);
      if (!counted.has(name)) inclusive.set(name, (inclusive.get(name) ?? 0) + deltas[i]);
      counted.add(name);
    }
  }
  const top = (/** @type {Map<string, number>} */ map) => [...map].filter(([name]) => name !== '(root)').sort((a, b) => b[1] - a[1]).slice(0, 20)
    .map(([name, time]) => ({ name, percent: round((100 * time) / total, 1) }));
  return { file: files.at(-1), windowSeconds, busyPercent: round((100 * best.busy) / width, 1), inclusive: top(inclusive), self: top(self) };
}

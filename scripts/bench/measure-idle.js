// The stack at rest: the CPU each of its processes and each server uses
// while nobody sends anything, in cores. The bench sends nothing meanwhile,
// and the stack's processes stop their event-loop delay monitor (a 5 ms
// timer of the bench's, not the product's) for the duration.
//
// It starts once the box has settled: a freshly started stack is not at
// rest yet (each outbox sweeps once a few seconds after its start, which on
// FerretDB reads whole collections for seconds), nor is one that has just
// served a burst. The wait, and what was busy during it, is reported.

import { round, sleep } from './stats.js';

/** Below this many cores, summed over the stack and the servers, for two seconds running, the stack has settled. */
const SETTLED_CORES = 0.2;

/**
 * Waits, a second at a time, until the stack and the servers together use
 * less than SETTLED_CORES for two seconds running, or `maxSeconds` passed.
 *
 * @param {{ take: () => Promise<{ stack: Record<string, number | null>, servers: Record<string, number | null> }> }} meter
 * @param {number} maxSeconds
 * @returns {Promise<{ seconds: number, busiest: Record<string, number> }>}  busiest: each process's most cores in a second
 */
async function settle(meter, maxSeconds) {
  const started = performance.now();
  /** @type {Record<string, number>} */
  const busiest = {};
  let quiet = 0;
  await meter.take();
  while (quiet < 2 && performance.now() - started < maxSeconds * 1000) {
    const before = performance.now();
    await sleep(1000);
    const used = await meter.take();
    const window = performance.now() - before;
    let total = 0;
    for (const [name, ms] of Object.entries({ ...used.stack, ...used.servers })) {
      const coresUsed = (ms ?? 0) / window;
      total += coresUsed;
      busiest[name] = round(Math.max(busiest[name] ?? 0, coresUsed), 2);
    }
    quiet = total < SETTLED_CORES ? quiet + 1 : 0;
  }
  return { seconds: round((performance.now() - started) / 1000, 1), busiest };
}

/**
 * @param {{ meter: { take: () => Promise<{ stack: Record<string, number | null>, servers: Record<string, number | null> }> },
 *   stack: { askAll: (message: object) => Promise<void> }, seconds: number, maxSettleSeconds?: number, log: (line: string) => void }} options
 *   meter: a fresh CPU meter (proc-cpu.js createCpuMeter); maxSettleSeconds: the longest wait for the box to settle
 */
export async function measureIdle({ meter, stack, seconds, maxSettleSeconds = 60, log }) {
  await stack.askAll({ type: 'monitor', on: false });
  try {
    const settled = await settle(meter, maxSettleSeconds);
    const busy = Object.entries(settled.busiest).filter(([, v]) => v >= SETTLED_CORES / 2).map(([name, v]) => `${name} up to ${v}`).join(', ');
    log(`  settled after ${settled.seconds}s${busy ? ` (busy meanwhile: ${busy} cores)` : ''}`);
    await meter.take();
    const started = performance.now();
    await sleep(seconds * 1000);
    const used = await meter.take();
    const elapsedMs = performance.now() - started;
    const cores = (/** @type {Record<string, number | null>} */ byName) =>
      Object.fromEntries(Object.entries(byName).map(([name, ms]) => [name, ms === null ? null : round(ms / elapsedMs, 4)]));
    const sum = (/** @type {Record<string, number | null>} */ byName) => round(Object.values(byName).reduce((/** @type {number} */ total, v) => total + (v ?? 0), 0), 4);
    const stackCores = cores(used.stack);
    const serverCores = cores(used.servers);
    const result = {
      seconds: round(elapsedMs / 1000, 1),
      settled,
      stack: stackCores,
      servers: serverCores,
      stackCores: sum(stackCores),
      serverCores: sum(serverCores),
      totalCores: round(sum(stackCores) + sum(serverCores), 4),
    };
    log(`  at rest: ${result.totalCores} cores (stack ${result.stackCores}, servers ${result.serverCores}): ${
      Object.entries({ ...stackCores, ...serverCores }).map(([name, v]) => `${name} ${v ?? 'n/a'}`).join(', ')}`);
    return result;
  } finally {
    await stack.askAll({ type: 'monitor', on: true });
  }
}

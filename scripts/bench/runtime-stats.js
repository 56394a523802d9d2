// How a Node process fared during a run: its event-loop delay (a stall
// delays every request it holds), garbage-collection pauses, CPU time and
// the HTTP requests it served. Used in the stack's processes and in the
// load generator, whose own stalls would otherwise pass for server latency.

import diagnostics from 'node:diagnostics_channel';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { PerformanceObserver, monitorEventLoopDelay } from 'node:perf_hooks';
import { round } from './stats.js';

/** The box's busy and total CPU time so far (Linux /proc/stat, in clock ticks), or null elsewhere. */
function boxCpu() {
  try {
    const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
    const idle = (fields[3] ?? 0) + (fields[4] ?? 0); // idle + iowait
    const total = fields.slice(0, 8).reduce((sum, v) => sum + v, 0); // without guest time, counted in user already
    return { busy: total - idle, total };
  } catch {
    return null;
  }
}

/**
 * @param {{ box?: boolean }} [options]  box: also report how busy the whole box was (every process on it,
 *   the bench's and anyone else's), in cores: the load generator's probe does, once for the box
 */
export function createRuntimeProbe({ box = false } = {}) {
  let boxBefore = box ? boxCpu() : null;
  const delay = monitorEventLoopDelay({ resolution: 5 });
  delay.enable();
  let gc = { count: 0, totalMs: 0, maxMs: 0 };
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      gc.count += 1;
      gc.totalMs += entry.duration;
      gc.maxMs = Math.max(gc.maxMs, entry.duration);
    }
  }).observe({ entryTypes: ['gc'] });
  // Requests this process's HTTP servers received (a subgraph's count per gateway request shows the query plan's hops).
  let requests = 0;
  diagnostics.subscribe('http.server.request.start', () => {
    requests += 1;
  });
  let cpu = process.cpuUsage();
  let since = performance.now();
  return {
    /**
     * Stops or restarts the event-loop delay monitor: its timer wakes the
     * process every 5 ms, which would show in a measurement of the process
     * at rest (the GC observer and the request count cost nothing idle).
     * @param {boolean} on
     */
    monitor(on) {
      if (on) delay.enable();
      else delay.disable();
    },
    /** Figures since the last call, then starts over. */
    take() {
      const used = process.cpuUsage(cpu);
      const seconds = (performance.now() - since) / 1000;
      const boxNow = box ? boxCpu() : null;
      const boxCores = boxBefore && boxNow && boxNow.total > boxBefore.total
        ? round(((boxNow.busy - boxBefore.busy) / (boxNow.total - boxBefore.total)) * os.availableParallelism(), 2) : undefined;
      boxBefore = boxNow;
      const stats = {
        seconds: round(seconds, 1),
        ...(boxCores === undefined ? {} : { boxBusyCores: boxCores, boxCores: os.availableParallelism() }),
        cpuShare: round((used.user + used.system) / 1e6 / Math.max(seconds, 0.001), 2),
        cpuMs: round((used.user + used.system) / 1000, 1),
        requests,
        loopDelayMs: { p50: round(delay.percentile(50) / 1e6), p99: round(delay.percentile(99) / 1e6), max: round(delay.max / 1e6) },
        gc: { count: gc.count, totalMs: round(gc.totalMs), maxMs: round(gc.maxMs) },
      };
      delay.reset();
      gc = { count: 0, totalMs: 0, maxMs: 0 };
      requests = 0;
      cpu = process.cpuUsage();
      since = performance.now();
      return stats;
    },
  };
}

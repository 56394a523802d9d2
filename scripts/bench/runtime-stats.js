// How a Node process fared during a run: its event-loop delay (a stall
// delays every request it holds), garbage-collection pauses, CPU time and
// the HTTP requests it served. Used in the stack's processes and in the
// load generator, whose own stalls would otherwise pass for server latency.

import diagnostics from 'node:diagnostics_channel';
import { PerformanceObserver, monitorEventLoopDelay } from 'node:perf_hooks';
import { round } from './stats.js';

export function createRuntimeProbe() {
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
    /** Figures since the last call, then starts over. */
    take() {
      const used = process.cpuUsage(cpu);
      const seconds = (performance.now() - since) / 1000;
      const stats = {
        seconds: round(seconds, 1),
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

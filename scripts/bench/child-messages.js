// What every process the bench starts answers over IPC:
//   ← { id, type: 'usage' }            CPU time, memory, and event-loop delay and GC since the last call
//   ← { id, type: 'fanout', mode }     (the process running the timeline) switches the fan-out handler
//   ← { id, type: 'timings', peek, from }  (the process running the timeline) fan-out handler durations since the
//                                      last call (peek: true leaves them for the next, and gives those from index
//                                      `from` on)
//   ← { id, type: 'monitor', on }      stops (on: false) or restarts the event-loop delay monitor, whose timer would
//                                      show in a measurement of the process at rest
//   ← { id, type: 'memory' }           heap and RSS after a full garbage collection (the stack's processes run with
//                                      --expose-gc; `gc: false` in the answer when it is not exposed)
//   ← { type: 'stop' }                 stops the service(s) and exits
// The process leaves when its parent goes away, so a crashed bench leaves nothing running.

import { createRuntimeProbe } from './runtime-stats.js';

/**
 * @param {{ stop: () => void | Promise<void>, fanout?: ReturnType<typeof import('./fanout-switch.js').createFanoutSwitch> }} options
 */
export function answerBench({ stop, fanout }) {
  const runtime = createRuntimeProbe();
  /** @param {object} message */
  const send = (message) => process.send?.(message);
  process.on('message', async (/** @type {any} */ message) => {
    if (message.type === 'stop') {
      await stop();
      return;
    }
    if (message.type === 'fanout') fanout?.setMode(message.mode);
    if (message.type === 'monitor') runtime.monitor(Boolean(message.on));
    if (message.type === 'timings') {
      send({ id: message.id, ...(fanout?.takeTimings(Boolean(message.peek), Number(message.from ?? 0)) ?? { timings: [], redelivered: [] }) });
      return;
    }
    if (message.type === 'memory') {
      // A few rounds: finalizers and weak references free more on the next one.
      for (let round = 0; round < 3; round += 1) globalThis.gc?.();
      const { heapUsed, rss, external, arrayBuffers } = process.memoryUsage();
      send({ id: message.id, gc: typeof globalThis.gc === 'function', heapUsed, rss, external, arrayBuffers });
      return;
    }
    if (message.type === 'usage') {
      send({ id: message.id, cpu: process.cpuUsage(), memory: process.memoryUsage(), runtime: runtime.take() });
      return;
    }
    send({ id: message.id, ok: true });
  });
  process.on('disconnect', () => process.exit(0));
  return { send };
}

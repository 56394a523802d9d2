// Child process: the Chirp stack as `startStack` runs it (gateway and the
// four subgraphs in one process, on the real servers), so the load generator
// never shares its event loop. Talks to run.js over IPC:
//   → { type: 'ready', url }          once the gateway answers
//   ← { id, type: 'fanout', mode }     'ferretdb': the product's fan-out consumer as wired;
//                                      'indexed': the same FanoutService over indexed repositories
//   ← { id, type: 'timings' }          fan-out handler durations, and events handled more than once, since the last call
//   ← { id, type: 'usage' }            CPU time, memory, and event-loop delay and GC since the last call
//   ← { type: 'stop' }                 stops the stack and exits
// Needs BENCH_NETWORK (the generator options) to rebuild the same network.

import { startStack } from '@chirp/stack';
import { FANOUT_GROUP, createTimelineSubgraph, loadTimelineSettings } from '@chirp/timeline';
import { createIndexedFanout } from './indexed-fanout.js';
import { generateNetwork } from './network.js';
import { createRuntimeProbe } from './runtime-stats.js';

const network = generateNetwork(JSON.parse(process.env.BENCH_NETWORK ?? '{}'));
const settings = loadTimelineSettings(process.env);
const runtime = createRuntimeProbe();
let mode = 'ferretdb';
/** @type {Array<{ mode: string, ms: number, tweetId: string }>} */
let timings = [];
/** How often the fan-out handler was started per tweet id: above 1 means redelivery. */
let attempts = new Map();

/**
 * The timeline's bus, with the fan-out group's handler switched by `mode`
 * and timed. Every other subscription passes through untouched.
 *
 * @param {import('@chirp/platform').EventBus} bus
 * @param {import('@chirp/timeline/dist/domain/fanout.js').FanoutService} indexed
 * @returns {import('@chirp/platform').EventBus}
 */
function switchingBus(bus, indexed) {
  return {
    publish: (topic, events) => bus.publish(topic, events),
    ping: () => bus.ping(),
    close: () => bus.close(),
    subscribe: (options) => {
      if (options.group !== FANOUT_GROUP) return bus.subscribe(options);
      return bus.subscribe({
        ...options,
        handler: async (event, topic) => {
          const started = performance.now();
          const current = mode;
          const tweetId = /** @type {{ tweetId?: string }} */ (event.payload).tweetId ?? '';
          attempts.set(tweetId, (attempts.get(tweetId) ?? 0) + 1);
          if (current === 'indexed') await indexed.onTweetChanged(/** @type {any} */ (event.payload));
          else await options.handler(event, topic);
          if (timings.length < 10_000) timings.push({ mode: current, ms: performance.now() - started, tweetId });
        },
      });
    },
  };
}

const stack = await startStack(process.env, {
  factories: {
    timeline: (options) => {
      const indexed = createIndexedFanout({ network, infra: options.infra, settings, logger: options.logger });
      return createTimelineSubgraph({ ...options, settings, infra: { ...options.infra, bus: switchingBus(options.infra.bus, indexed) } });
    },
  },
});

/** @param {object} message */
const send = (message) => process.send?.(message);

process.on('message', async (/** @type {any} */ message) => {
  if (message.type === 'stop') {
    await stack.stop();
    process.exit(0);
  }
  if (message.type === 'fanout') mode = message.mode;
  if (message.type === 'timings') {
    send({ id: message.id, timings, redelivered: [...attempts].filter(([, n]) => n > 1).map(([tweetId, n]) => ({ tweetId, attempts: n })) });
    timings = [];
    attempts = new Map();
    return;
  }
  if (message.type === 'usage') {
    send({ id: message.id, cpu: process.cpuUsage(), memory: process.memoryUsage(), runtime: runtime.take() });
    return;
  }
  send({ id: message.id, ok: true });
});
// The parent going away must not leave the stack running.
process.on('disconnect', () => process.exit(0));
send({ type: 'ready', url: stack.url, subgraphUrls: stack.subgraphUrls });

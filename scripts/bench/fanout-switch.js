// The timeline subgraph as the bench runs it: the product's app, with the
// fan-out consumer group's handler switchable between the product's
// FanoutService as wired ('ferretdb') and the same FanoutService over
// indexed repositories ('indexed', see indexed-fanout.js), and timed.
// Every other subscription passes through untouched. Used by the timeline's
// own process (service-process.js) and by the one-process stack
// (stack-process.js).

import { FANOUT_GROUP, createTimelineSubgraph, loadTimelineSettings } from '@chirp/timeline';
import { createIndexedFanout } from './indexed-fanout.js';
import { generateNetwork } from './network.js';

/**
 * @param {NodeJS.ProcessEnv} env  needs BENCH_NETWORK (the generator options) to rebuild the same network
 */
export function createFanoutSwitch(env) {
  const network = generateNetwork(JSON.parse(env.BENCH_NETWORK ?? '{}'));
  const settings = loadTimelineSettings(env);
  let mode = 'ferretdb';
  /** endedAt: epoch ms (performance.timeOrigin + now), one time base with the bench's process. @type {Array<{ mode: string, ms: number, tweetId: string, endedAt: number }>} */
  let timings = [];
  /** How often the fan-out handler was started per tweet id: above 1 means redelivery. */
  let attempts = new Map();

  /**
   * @param {import('@chirp/platform').EventBus} bus
   * @param {import('@chirp/timeline/dist/domain/fanout.js').FanoutService} indexed
   * @returns {import('@chirp/platform').EventBus}
   */
  const switchingBus = (bus, indexed) => ({
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
          const ended = performance.now();
          if (timings.length < 100_000) timings.push({ mode: current, ms: ended - started, tweetId, endedAt: performance.timeOrigin + ended });
        },
      });
    },
  });

  return {
    /** @type {import('@chirp/platform').SubgraphFactory} */
    factory: async (options) => {
      const indexed = createIndexedFanout({ network, infra: options.infra, settings, logger: options.logger });
      return createTimelineSubgraph({ ...options, settings, infra: { ...options.infra, bus: switchingBus(options.infra.bus, indexed) } });
    },
    /** @param {string} next */
    setMode(next) {
      mode = next;
    },
    /**
     * Fan-out handler durations, and events handled more than once, since the last call; `peek` leaves them for the
     * next (and gives those from index `from` on, so a poller gets each once).
     */
    takeTimings(peek = false, from = 0) {
      if (peek) return { timings: timings.slice(from), redelivered: [...attempts].filter(([, n]) => n > 1).map(([tweetId, n]) => ({ tweetId, attempts: n })) };
      const answer = { timings, redelivered: [...attempts].filter(([, n]) => n > 1).map(([tweetId, n]) => ({ tweetId, attempts: n })) };
      timings = [];
      attempts = new Map();
      return answer;
    },
  };
}

// Child process for the live benchmark: the Chirp stack as `startStack` runs
// it, on the real servers, answering over IPC:
//   → { type: 'ready', url }
//   ← { id, type: 'live' }     the gateway's open sockets and subscriptions
//   ← { id, type: 'memory' }   heap and RSS after a full GC (run with --expose-gc)
//   ← { type: 'stop' }

import { startStack } from '@chirp/stack';

const stack = await startStack(process.env);

process.on('message', async (/** @type {any} */ message) => {
  if (message?.type === 'stop') {
    await stack.stop();
    process.exit(0);
  }
  if (message?.type === 'live') process.send?.({ id: message.id, ...stack.gateway.live.stats() });
  if (message?.type === 'memory') {
    for (let round = 0; round < 3; round += 1) globalThis.gc?.();
    const { heapUsed, rss } = process.memoryUsage();
    process.send?.({ id: message.id, heapUsed, rss });
  }
});
process.send?.({ type: 'ready', url: stack.url });

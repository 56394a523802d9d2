// Child process, `--layout one`: the Chirp stack as `startStack` runs it
// (gateway and the four subgraphs in one process, on the real servers), so
// the load generator never shares its event loop. Answers the bench's
// messages (child-messages.js); sends { type: 'ready', url } once the
// gateway answers. Needs BENCH_NETWORK (the generator options) to rebuild
// the same network for the indexed fan-out.

import { startStack } from '@chirp/stack';
import { answerBench } from './child-messages.js';
import { createFanoutSwitch } from './fanout-switch.js';

const fanout = createFanoutSwitch(process.env);
const stack = await startStack(process.env, { factories: { timeline: fanout.factory } });
const { send } = answerBench({
  fanout,
  stop: async () => {
    await stack.stop();
    process.exit(0);
  },
});
send({ type: 'ready', url: stack.url, subgraphUrls: stack.subgraphUrls });

// Child process of the web step: the embedded default as `npm start` runs it
// with no servers (`startStack`: the gateway and the four subgraphs in one
// process, data in memory), its gateway serving the built client at `/`.
// Sends { type: 'ready', url } once the gateway answers; answers the bench's
// messages (child-messages.js) and leaves when the bench goes away.

import { startStack } from '@chirp/stack';
import { answerBench } from './child-messages.js';

const stack = await startStack(process.env);
const { send } = answerBench({
  stop: async () => {
    await stack.stop();
    process.exit(0);
  },
});
send({ type: 'ready', url: stack.url, description: stack.description });

import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { LiveClient } from '@chirp/testing';

interface Broadcast {
  startedAt: number;
  writeMs: number;
  cpuMs: number;
  subscriptions: number;
}

/** The bench's bare broadcast server in its own process, as the bench runs it. */
async function startBareBroadcast(): Promise<{ url: string; broadcast(tweetId: string): Promise<Broadcast>; stop(): Promise<void> }> {
  const child: ChildProcess = fork(fileURLToPath(new URL('../bare-broadcast.js', import.meta.url)), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const url = await new Promise<string>((resolve) => child.once('message', (message: { url: string }) => resolve(message.url)));
  let nextId = 1;
  return {
    url,
    broadcast: (tweetId) =>
      new Promise((resolve) => {
        const id = nextId++;
        const answer = (message: Broadcast & { id: number }) => {
          if (message.id !== id) return;
          child.off('message', answer);
          resolve(message);
        };
        child.on('message', answer);
        child.send({ id, type: 'broadcast', tweetId });
      }),
    stop: async () => {
      child.send({ type: 'stop' });
      await exited;
    },
  };
}

type Pushed = { homeTimelineTweetAdded: { id: string; text: string } };

describe("the bench's bare broadcast server (the floor of a live push)", () => {
  it('speaks enough graphql-transport-ws for graphql-ws clients: every subscription gets each broadcast, in its shape', async () => {
    const server = await startBareBroadcast();
    const clients = [new LiveClient(server.url, 'any token', { lazy: false }), new LiveClient(server.url, null, { lazy: false })];
    try {
      const subscriptions = clients.map((client) => client.subscribe<Pushed>('subscription { homeTimelineTweetAdded { id text } }'));
      // Until the server has both subscriptions; those broadcasts are a warm-up.
      let warmUps = 0;
      for (; warmUps < 200; warmUps += 1) {
        if ((await server.broadcast(`warm-up-${warmUps}`)).subscriptions === 2) break;
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      const sent = await server.broadcast('t1');
      expect(sent.subscriptions).toBe(2);
      expect(sent.startedAt).toBeGreaterThan(0);
      for (const subscription of subscriptions) {
        // A subscription the server had early got more than one warm-up: read on until t1, the last broadcast, arrives.
        let results = await subscription.waitFor(1);
        while ((results.at(-1)?.data as Pushed | undefined)?.homeTimelineTweetAdded.id !== 't1') results = await subscription.waitFor(results.length + 1);
        const last = results.at(-1)?.data as Pushed;
        expect(last.homeTimelineTweetAdded.id).toBe('t1');
        expect(typeof last.homeTimelineTweetAdded.text).toBe('string');
      }
    } finally {
      await Promise.all(clients.map((client) => client.close()));
      await server.stop();
    }
  });
});

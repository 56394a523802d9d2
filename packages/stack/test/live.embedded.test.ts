import { LiveClient, eventually, inMemoryEnvironment } from '@chirp/testing';
import { useStack } from './support.js';

/** `npm start` with no servers: the in-process buses carry live events from the subgraphs to the gateway. */
const chirp = useStack({}, () => inMemoryEnvironment());

it('serves subscriptions in the embedded default too', async () => {
  const [fan, star] = [await chirp.signUp(), await chirp.signUp()];
  await fan.client.data(`mutation($id: ID!) { follow(userId: $id) { id } }`, { id: star.id });
  const client = new LiveClient(chirp.stack.url, fan.token);
  try {
    const feed = client.subscribe<{ homeTimelineTweetAdded: { text: string; author: { handle: string } } }>(
      `subscription { homeTimelineTweetAdded { text author { handle } } }`,
    );
    await eventually(() => expect(chirp.stack.gateway.live.stats().subscriptions).toBe(1));
    await star.client.data(`mutation { postTweet(text: "live, in memory") { id } }`);
    await feed.waitFor(1);
    expect(feed.data).toEqual([{ homeTimelineTweetAdded: { text: 'live, in memory', author: { handle: star.handle } } }]);
  } finally {
    await client.close();
  }
});

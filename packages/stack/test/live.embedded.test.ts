import { LiveClient, eventually, inMemoryEnvironment } from '@chirp/testing';
import { useStack } from './support.js';

/** `npm start` with no servers: the in-process buses carry live events from the subgraphs to the gateway. */
const chirp = useStack({}, () => inMemoryEnvironment());

it('serves both subscriptions in the embedded default too', async () => {
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

    const notifications = new LiveClient(chirp.stack.url, star.token);
    try {
      const added = notifications.subscribe<{ notificationAdded: { kind: string; actor: { handle: string } } }>(
        `subscription { notificationAdded { kind actor { handle } } }`,
      );
      await eventually(() => expect(chirp.stack.gateway.live.stats().subscriptions).toBe(2));
      const tweetId = (await star.client.data(`{ homeTimeline(first: 1) { edges { node { id } } } }`)).homeTimeline.edges[0].node.id;
      await fan.client.data(`mutation($id: ID!) { likeTweet(id: $id) { id } }`, { id: tweetId });
      await added.waitFor(1);
      expect(added.data).toEqual([{ notificationAdded: { kind: 'LIKE', actor: { handle: fan.handle } } }]);
    } finally {
      await notifications.close();
    }
  } finally {
    await client.close();
  }
});

import type { RunningGateway } from '@chirp/gateway';
import { TokenService } from '@chirp/platform';
import { LiveClient, eventually, type Account } from '@chirp/testing';
import { useStack } from './support.js';

/**
 * Subscriptions end to end: real graphql-ws clients on the gateway's
 * WebSocket edge, events from the real fan-out over Redis pub/sub.
 */
const TWEET_ADDED = `subscription { homeTimelineTweetAdded { id text likedByViewer author { id handle displayName } } }`;
const POST = `mutation Post($text: String!) { postTweet(text: $text) { id } }`;

const chirp = useStack();
const clients: LiveClient[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.close()));
});

function live(account: Account | null, gateway: { url: string } = chirp.stack, options: { lazy?: boolean } = {}): LiveClient {
  const client = new LiveClient(gateway.url, account?.token ?? null, options);
  clients.push(client);
  return client;
}

/** Subscribes and waits until the gateway listens for it, so nothing posted after is missed. */
async function subscribed(account: Account, query = TWEET_ADDED, gateway: RunningGateway = chirp.stack.gateway) {
  const before = gateway.live.stats().subscriptions;
  const subscription = live(account, gateway).subscribe<{ homeTimelineTweetAdded: { id: string; text: string } }>(query);
  await eventually(() => expect(gateway.live.stats().subscriptions).toBe(before + 1));
  return subscription;
}

const post = async (account: Account, text: string): Promise<string> => (await account.client.data(POST, { text })).postTweet.id;
const homeTexts = async (account: Account): Promise<string[]> => {
  const { homeTimeline } = await account.client.data(`{ homeTimeline(first: 100) { edges { node { text } } } }`);
  return homeTimeline.edges.map((edge: { node: { text: string } }) => edge.node.text);
};

/** Follows, and waits until the timeline knows it (its follow graph is fed by events). */
async function follow(fan: Account, star: Account): Promise<void> {
  const marker = `${star.handle} was here`;
  await post(star, marker);
  await fan.client.data(`mutation($id: ID!) { follow(userId: $id) { id } }`, { id: star.id });
  await eventually(async () => expect(await homeTexts(fan)).toContain(marker));
}
const unfollow = (fan: Account, star: Account) => fan.client.data(`mutation($id: ID!) { unfollow(userId: $id) { id } }`, { id: star.id });
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('homeTimelineTweetAdded', () => {
  it('pushes each new tweet of the people followed, and the viewer’s own, with the selected fields', async () => {
    const [fan, star] = [await chirp.signUp(), await chirp.signUp()];
    await follow(fan, star);
    const feed = await subscribed(fan);
    const starTweet = await post(star, 'hello, followers');
    const [result] = await feed.waitFor(1);
    expect(result).toEqual({
      data: {
        homeTimelineTweetAdded: {
          id: starTweet,
          text: 'hello, followers',
          likedByViewer: false,
          author: { id: star.id, handle: star.handle, displayName: expect.stringMatching(/^Test User/) },
        },
      },
    });
    await post(fan, 'my own');
    await feed.waitFor(2);
    expect(feed.data.map((data) => data.homeTimelineTweetAdded.text)).toEqual(['hello, followers', 'my own']);
  });

  it('resolves viewer-dependent fields as the subscriber', async () => {
    const [fan, star] = [await chirp.signUp(), await chirp.signUp()];
    await follow(fan, star);
    const feed = await subscribed(fan, `subscription { homeTimelineTweetAdded { id author { followedByViewer } } }`);
    await post(star, 'who follows me?');
    const [result] = await feed.waitFor(1);
    expect(result?.data).toEqual({ homeTimelineTweetAdded: { id: expect.any(String), author: { followedByViewer: true } } });
  });

  it('stops after an unfollow, and never carries another user’s timeline', async () => {
    const [fan, star, stranger] = [await chirp.signUp(), await chirp.signUp(), await chirp.signUp()];
    await follow(fan, star);
    const [fanFeed, strangerFeed] = [await subscribed(fan), await subscribed(stranger)];
    await post(star, 'before');
    await fanFeed.waitFor(1);
    await unfollow(fan, star);
    // The follow graph projection catches up through the event stream.
    await eventually(async () => expect(await homeTexts(fan)).not.toContain('before'));
    await post(star, 'after');
    await post(fan, 'fan after');
    await fanFeed.waitFor(2);
    await pause(300);
    expect(fanFeed.data.map((data) => data.homeTimelineTweetAdded.text)).toEqual(['before', 'fan after']);
    expect(strangerFeed.results).toEqual([]);
  });

  it('delivers through every gateway instance to its own clients', async () => {
    const second = await chirp.stack.startGateway();
    const [fanA, fanB, star] = [await chirp.signUp(), await chirp.signUp(), await chirp.signUp()];
    await follow(fanA, star);
    await follow(fanB, star);
    const feedA = await subscribed(fanA);
    const feedB = await subscribed(fanB, TWEET_ADDED, second);
    await post(star, 'to both gateways');
    await Promise.all([feedA.waitFor(1), feedB.waitFor(1)]);
    expect(feedB.data[0]?.homeTimelineTweetAdded.text).toBe('to both gateways');
    expect(chirp.stack.gateway.live.stats().connections).toBeGreaterThanOrEqual(1);
    expect(second.live.stats().connections).toBe(1);
  });

  it('answers queries and mutations over the socket too, as the signed-in user', async () => {
    const ada = await chirp.signUp();
    const client = live(ada);
    const me = client.subscribe<{ me: { handle: string } }>(`{ me { handle } }`);
    await me.waitFor(1);
    expect(me.data).toEqual([{ me: { handle: ada.handle } }]);
  });
});

describe('notificationAdded', () => {
  it('pushes a new follower and a like to the one they are for, and the list has them too', async () => {
    const [star, fan] = [await chirp.signUp(), await chirp.signUp()];
    const tweetId = await post(star, 'like me');
    const feed = await subscribed(
      star,
      `subscription { notificationAdded { id kind read actor { handle } tweet { text } } }`,
    );
    await fan.client.data(`mutation($id: ID!) { follow(userId: $id) { id } }`, { id: star.id });
    await fan.client.data(`mutation($id: ID!) { likeTweet(id: $id) { id } }`, { id: tweetId });
    await feed.waitFor(2);
    // Follows and likes travel on different topics: either may come first.
    expect(feed.data).toHaveLength(2);
    expect(feed.data).toEqual(expect.arrayContaining([
      { notificationAdded: { id: expect.any(String), kind: 'FOLLOW', read: false, actor: { handle: fan.handle }, tweet: null } },
      { notificationAdded: { id: expect.any(String), kind: 'LIKE', read: false, actor: { handle: fan.handle }, tweet: { text: 'like me' } } },
    ]));
    const { notifications, unreadNotificationCount } = await star.client.data(
      `{ notifications { edges { node { id kind } } } unreadNotificationCount }`,
    );
    const pushed = feed.data.map((data) => (data as unknown as { notificationAdded: { id: string } }).notificationAdded.id);
    expect(notifications.edges.map((edge: { node: { id: string } }) => edge.node.id).sort()).toEqual([...pushed].sort());
    expect(unreadNotificationCount).toBe(2);
    expect(await star.client.data(`mutation { markNotificationsRead }`)).toEqual({ markNotificationsRead: 2 });
    expect(await star.client.data(`{ unreadNotificationCount }`)).toEqual({ unreadNotificationCount: 0 });
  });
});

describe('the WebSocket edge refuses', () => {
  it('a connection without a token, or with a bad or expired one, with 4401 and a reason', async () => {
    for (const token of [null, 'not-a-jwt']) {
      const client = live(token === null ? null : ({ token } as Account));
      await expect(client.ready()).rejects.toBeDefined();
      expect(client.closed?.code).toBe(4401);
      expect(client.closed?.reason).toMatch(/^Unauthorized: /);
    }
  });

  it('an open connection once its token expires, with 4401', async () => {
    const ada = await chirp.signUp();
    const shortLived = await new TokenService({ ...chirp.stack.jwt, ttlSeconds: 2 }).issue({ id: ada.id, handle: ada.handle });
    const client = live({ ...ada, token: shortLived }, chirp.stack, { lazy: false });
    await client.ready();
    await eventually(() => expect(client.closed).toEqual({ code: 4401, reason: expect.stringMatching(/expired/) }), { timeoutMs: 5_000 });
  });

  it('a subscription document the supergraph does not validate', async () => {
    const ada = await chirp.signUp();
    const feed = live(ada).subscribe(`subscription { homeTimelineTweetAdded { noSuchField } }`);
    await eventually(() => expect(feed.error).toBeDefined());
    expect(JSON.stringify(feed.error)).toMatch(/noSuchField/);
  });

  it('a subscription over HTTP, pointing to the WebSocket', async () => {
    const ada = await chirp.signUp();
    const response = await ada.client.request(TWEET_ADDED);
    expect(response.errors?.[0]?.message).toMatch(/WebSocket/);
  });

  it('more subscriptions on one connection than the limit, with RATE_LIMITED', async () => {
    const ada = await chirp.signUp();
    const client = live(ada, chirp.stack, { lazy: false });
    const open = Array.from({ length: 16 }, () => client.subscribe(TWEET_ADDED));
    const extra = client.subscribe(TWEET_ADDED);
    await eventually(() => expect(extra.error).toBeDefined());
    expect(JSON.stringify(extra.error)).toMatch(/RATE_LIMITED/);
    expect(open.every((subscription) => subscription.error === undefined)).toBe(true);
  });

  it('more connections per user than the limit', async () => {
    const ada = await chirp.signUp();
    // Not lazy: each stays connected with nothing subscribed.
    const allowed = Array.from({ length: 8 }, () => live(ada, chirp.stack, { lazy: false }));
    await Promise.all(allowed.map((client) => client.ready()));
    const extra = live(ada, chirp.stack, { lazy: false });
    await expect(extra.ready()).rejects.toBeDefined();
    expect(extra.closed).toEqual({ code: 4429, reason: expect.stringMatching(/Too many open connections/) });
  });
});

describe('shutting a gateway down', () => {
  it('closes its sockets with 1001 (going away) and leaves the other gateway serving', async () => {
    const doomed = await chirp.stack.startGateway();
    const [fan, star] = [await chirp.signUp(), await chirp.signUp()];
    await follow(fan, star);
    const client = live(fan, doomed, { lazy: false });
    await client.ready();
    await doomed.close();
    await eventually(() => expect(client.closed?.code).toBe(1001));
    const feed = await subscribed(fan);
    await post(star, 'still here');
    await feed.waitFor(1);
  });
});

import { GraphQLClient, LiveClient, eventually, type Account, type ConnectionOf } from '@chirp/testing';
import { useStack } from './support.js';

/** Every notifications operation through the gateway over HTTP, on the real servers (events travel through Kafka). */
const FOLLOW = `mutation Follow($id: ID!) { follow(userId: $id) { id } }`;
const UNFOLLOW = `mutation Unfollow($id: ID!) { unfollow(userId: $id) { id } }`;
const POST = `mutation Post($text: String!) { postTweet(text: $text) { id } }`;
const LIKE = `mutation Like($id: ID!) { likeTweet(id: $id) { id } }`;
const DELETE = `mutation Delete($id: ID!) { deleteTweet(id: $id) }`;
const NOTIFICATIONS = `query Notifications($first: Int, $after: String) {
  notifications(first: $first, after: $after) {
    edges { cursor node { id kind read createdAt actor { id handle } tweet { id text } } }
    pageInfo { hasNextPage endCursor }
  }
}`;
const UNREAD = `query Unread { unreadNotificationCount }`;
const MARK_READ = `mutation MarkRead { markNotificationsRead }`;
const ONE = `query One($id: ID!) { notification(id: $id) { id kind read actor { handle } } }`;

interface NotificationNode {
  id: string;
  kind: 'FOLLOW' | 'LIKE';
  read: boolean;
  createdAt: string;
  actor: { id: string; handle: string };
  tweet: { id: string; text: string } | null;
}

const chirp = useStack();
const signUp = () => chirp.signUp();

async function notificationsOf(account: Account, variables: Record<string, unknown> = {}): Promise<ConnectionOf<NotificationNode>> {
  return (await account.client.data(NOTIFICATIONS, { first: 20, ...variables })).notifications;
}

/** The recipient's notifications once there are `count` of them (they travel through Kafka). */
function eventuallyNotifications(account: Account, count: number): Promise<NotificationNode[]> {
  return eventually(async () => {
    const nodes = (await notificationsOf(account)).edges.map((edge) => edge.node);
    expect(nodes).toHaveLength(count);
    return nodes;
  });
}

describe('follow notifications', () => {
  it('tells the followee who followed them, with the actor resolved through the users subgraph', async () => {
    const [ada, bob] = [await signUp(), await signUp()];
    await ada.client.data(FOLLOW, { id: bob.id });
    const [notification] = await eventuallyNotifications(bob, 1);
    expect(notification).toMatchObject({ kind: 'FOLLOW', read: false, actor: { id: ada.id, handle: ada.handle }, tweet: null });
    expect(notification!.id).toMatch(/^\d{19}$/);
    expect(Date.parse(notification!.createdAt)).toBeGreaterThan(Date.now() - 60_000);
    expect(await bob.client.data(UNREAD)).toEqual({ unreadNotificationCount: 1 });
    expect((await notificationsOf(ada)).edges).toEqual([]);
  });

  it('retracts it when the follower unfollows soon after, and brings the same one back when they follow again', async () => {
    const [ada, bob] = [await signUp(), await signUp()];
    await ada.client.data(FOLLOW, { id: bob.id });
    const [first] = await eventuallyNotifications(bob, 1);
    await ada.client.data(UNFOLLOW, { id: bob.id });
    await eventuallyNotifications(bob, 0);
    expect(await bob.client.data(UNREAD)).toEqual({ unreadNotificationCount: 0 });
    expect(await bob.client.data(ONE, { id: first!.id })).toEqual({ notification: null });
    await ada.client.data(FOLLOW, { id: bob.id });
    const [again] = await eventuallyNotifications(bob, 1);
    expect(again!.id).toBe(first!.id);
  });
});

describe('like notifications', () => {
  it('tells the author who liked which tweet, with its text; liking your own tweet tells nobody', async () => {
    const [ada, bob] = [await signUp(), await signUp()];
    const { postTweet } = await ada.client.data(POST, { text: 'like me, not yourself' });
    await ada.client.data(LIKE, { id: postTweet.id });
    await bob.client.data(LIKE, { id: postTweet.id }); // same tweet, same partition: handled after ada's own like
    const [notification] = await eventuallyNotifications(ada, 1);
    expect(notification).toMatchObject({
      kind: 'LIKE',
      actor: { handle: bob.handle },
      tweet: { id: postTweet.id, text: 'like me, not yourself' },
    });
  });

  it('retracts the likes of a deleted tweet', async () => {
    const [ada, bob] = [await signUp(), await signUp()];
    const { postTweet } = await ada.client.data(POST, { text: 'soon gone' });
    await bob.client.data(LIKE, { id: postTweet.id });
    await eventuallyNotifications(ada, 1);
    await ada.client.data(DELETE, { id: postTweet.id });
    await eventuallyNotifications(ada, 0);
    expect(await ada.client.data(UNREAD)).toEqual({ unreadNotificationCount: 0 });
  });
});

describe('reading notifications', () => {
  it('counts unread, and markNotificationsRead marks them all and says how many', async () => {
    const [ada, bob, cy] = [await signUp(), await signUp(), await signUp()];
    await bob.client.data(FOLLOW, { id: ada.id });
    await cy.client.data(FOLLOW, { id: ada.id });
    await eventuallyNotifications(ada, 2);
    expect(await ada.client.data(UNREAD)).toEqual({ unreadNotificationCount: 2 });
    expect(await ada.client.data(MARK_READ)).toEqual({ markNotificationsRead: 2 });
    expect(await ada.client.data(UNREAD)).toEqual({ unreadNotificationCount: 0 });
    expect((await notificationsOf(ada)).edges.map((edge) => edge.node.read)).toEqual([true, true]);
    expect(await ada.client.data(MARK_READ)).toEqual({ markNotificationsRead: 0 });
  });

  it('pages newest first with after: endCursor, each notification once', async () => {
    const followers = [await signUp(), await signUp(), await signUp()];
    const ada = await signUp();
    for (const follower of followers) await follower.client.data(FOLLOW, { id: ada.id });
    const all = await eventuallyNotifications(ada, 3);
    const ids = all.map((node) => node.id);
    expect([...ids].sort().reverse()).toEqual(ids);
    const first = await notificationsOf(ada, { first: 2 });
    expect(first.pageInfo.hasNextPage).toBe(true);
    const second = await notificationsOf(ada, { first: 2, after: first.pageInfo.endCursor });
    expect(second.pageInfo).toEqual({ hasNextPage: false, endCursor: second.edges[0]!.cursor });
    expect([...first.edges, ...second.edges].map((edge) => edge.node.id)).toEqual(ids);
  });

  it("finds the viewer's own notification by id, and nobody else's", async () => {
    const [ada, bob] = [await signUp(), await signUp()];
    await ada.client.data(FOLLOW, { id: bob.id });
    const [notification] = await eventuallyNotifications(bob, 1);
    expect(await bob.client.data(ONE, { id: notification!.id })).toEqual({
      notification: { id: notification!.id, kind: 'FOLLOW', read: false, actor: { handle: ada.handle } },
    });
    expect(await ada.client.data(ONE, { id: notification!.id })).toEqual({ notification: null });
    expect(await bob.client.data(ONE, { id: '1234567890123456789' })).toEqual({ notification: null });
  });

  it('refuses anyone not signed in, and a bad page size or cursor, naming the field', async () => {
    for (const query of [NOTIFICATIONS, UNREAD, MARK_READ]) {
      expect(await chirp.anonymous.error(query)).toMatchObject({ code: 'UNAUTHENTICATED' });
    }
    expect(await chirp.anonymous.error(ONE, { id: '1234567890123456789' })).toMatchObject({ code: 'UNAUTHENTICATED' });
    const ada = await signUp();
    expect(await ada.client.error(NOTIFICATIONS, { first: 101 })).toMatchObject({ code: 'BAD_USER_INPUT', field: 'first' });
    expect(await ada.client.error(NOTIFICATIONS, { after: 'not-a-cursor' })).toMatchObject({ code: 'BAD_USER_INPUT', field: 'after' });
  });
});

describe('the notificationAdded subscription', () => {
  const clients: LiveClient[] = [];
  afterAll(async () => {
    await Promise.all(clients.map((client) => client.close()));
  });

  /** Subscribes on the gateway's WebSocket edge and waits until it listens, so nothing created after is missed. */
  async function subscribe(account: Account) {
    const { gateway } = chirp.stack;
    const before = gateway.live.stats().subscriptions;
    const client = new LiveClient(chirp.stack.url, account.token);
    clients.push(client);
    const feed = client.subscribe<{ notificationAdded: { id: string; kind: string; actor: { handle: string } } }>(
      `subscription { notificationAdded { id kind actor { handle } } }`,
    );
    await eventually(() => expect(gateway.live.stats().subscriptions).toBe(before + 1));
    return feed;
  }

  it('pushes each new notification with the selected fields, and not a restored one', async () => {
    const [ada, bob, cy] = [await signUp(), await signUp(), await signUp()];
    const feed = await subscribe(bob);
    await ada.client.data(FOLLOW, { id: bob.id });
    const [first] = await feed.waitFor(1);
    const [notification] = await eventuallyNotifications(bob, 1);
    expect(first).toEqual({ data: { notificationAdded: { id: notification!.id, kind: 'FOLLOW', actor: { handle: ada.handle } } } });
    await ada.client.data(UNFOLLOW, { id: bob.id });
    await eventuallyNotifications(bob, 0);
    await ada.client.data(FOLLOW, { id: bob.id });
    await eventuallyNotifications(bob, 1); // restored: same notification, no push
    await cy.client.data(FOLLOW, { id: bob.id });
    const pushed = await feed.waitFor(2);
    expect(pushed.map((result) => result.data?.notificationAdded.actor.handle)).toEqual([ada.handle, cy.handle]);
  });

  it('is declared by the subgraph, which sends clients to the gateway for it', async () => {
    const ada = await signUp();
    const subgraph = new GraphQLClient(chirp.stack.subgraphUrls.notifications, ada.token);
    const { message } = await subgraph.error(`subscription { notificationAdded { id } }`);
    expect(message).toMatch(/served by the gateway over WebSocket \(graphql-transport-ws\)/);
  });
});

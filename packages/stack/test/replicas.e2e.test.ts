import { GraphQLClient, LiveClient, eventually, isolatedEnvironment, signUpThroughGateway, type Account } from '@chirp/testing';
import { startReplicatedStack, type ReplicatedStack } from '../src/stack.js';

/**
 * The production shape: two copies of every subgraph (each with its own
 * connections and consumer instances, behind a round robin) and two
 * gateways, sharing only the real servers. Each request goes to the
 * gateways in turn, and each gateway's calls to the copies in turn, so a
 * write and the read after it meet different processes; a reader's two
 * sockets are on different gateways. Everything must come out as it does
 * with one of each: timelines, counts, one notification per act, and
 * every live push on every socket, once.
 */
let stack: ReplicatedStack;
const live: LiveClient[] = [];
let turn = 0;
/** A client of the next gateway, in turn, as a load balancer would pick. */
const nextGateway = () => stack.gateways[turn++ % stack.gateways.length]!.url;
/** The account's requests spread over the gateways: each request to the next. */
const spread = (account: Account) => ({
  data: <Data = Record<string, any>>(query: string, variables: Record<string, unknown> = {}) =>
    new GraphQLClient(nextGateway(), account.token).data<Data>(query, variables),
});

beforeAll(async () => {
  stack = await startReplicatedStack(isolatedEnvironment(), { subgraphReplicas: 2, gateways: 2 });
}, 120_000);

afterAll(async () => {
  await Promise.all(live.splice(0).map((client) => client.close()));
  await stack?.stop();
});

const TWEET_ADDED = 'subscription { homeTimelineTweetAdded { id text } }';
const NOTIFICATION_ADDED = 'subscription { notificationAdded { kind actor { handle } } }';

function subscribe<Data>(account: Account, gateway: number, query: string) {
  const client = new LiveClient(stack.gateways[gateway]!.url, account.token);
  live.push(client);
  return client.subscribe<Data>(query);
}

it('posts, follows, likes, notifications and live pushes come out right over two of everything', async () => {
  const accounts: Account[] = [];
  for (let i = 0; i < 3; i += 1) accounts.push(await signUpThroughGateway(new GraphQLClient(nextGateway())));
  const [author, reader, liker] = accounts as [Account, Account, Account];
  const [asAuthor, asReader, asLiker] = [spread(author), spread(reader), spread(liker)];

  // The reader's sockets on both gateways, the author's notifications on one of them.
  const feeds = [0, 1].map((gateway) => subscribe<{ homeTimelineTweetAdded: { id: string; text: string } }>(reader, gateway, TWEET_ADDED));
  const bell = subscribe<{ notificationAdded: { kind: string; actor: { handle: string } } }>(author, 1, NOTIFICATION_ADDED);
  await eventually(() => expect(stack.gateways.map((gateway) => gateway.live.stats().subscriptions)).toEqual([1, 2]));

  for (const follower of [asReader, asLiker]) await follower.data('mutation($id: ID!) { follow(userId: $id) { id } }', { id: author.id });
  await eventually(async () => {
    const { user } = await asReader.data('query($handle: String!) { user(handle: $handle) { followersCount } }', { handle: author.handle });
    expect(user.followersCount).toBe(2);
  });
  // Follows reach the timeline's consumers (two instances of the group) before a post is fanned out to them.
  const posted: string[] = [];
  for (const text of ['first of three', 'second of three', 'third of three']) {
    posted.unshift((await asAuthor.data('mutation($text: String!) { postTweet(text: $text) { id } }', { text })).postTweet.id);
  }
  for (const feed of feeds) {
    const results = await feed.waitFor(3);
    expect(new Set(results.map((result) => result.data?.homeTimelineTweetAdded.id))).toEqual(new Set(posted));
  }
  for (const follower of [asReader, asLiker]) {
    await eventually(async () => {
      const { homeTimeline } = await follower.data('{ homeTimeline(first: 10) { edges { node { id } } } }');
      expect(homeTimeline.edges.map((edge: { node: { id: string } }) => edge.node.id)).toEqual(posted);
    });
  }

  // A like, an unlike and a like again, from requests on alternating gateways and copies.
  for (const mutation of ['likeTweet', 'unlikeTweet', 'likeTweet']) await asLiker.data(`mutation($id: ID!) { ${mutation}(id: $id) { id } }`, { id: posted[0] });
  await eventually(async () => {
    const { tweet } = await asReader.data('query($id: ID!) { tweet(id: $id) { likeCount } }', { id: posted[0] });
    expect(tweet.likeCount).toBe(1);
    const { homeTimeline } = await asLiker.data('{ homeTimeline(first: 1) { edges { node { likeCount likedByViewer } } } }');
    expect(homeTimeline.edges[0].node).toEqual({ likeCount: 1, likedByViewer: true });
  });

  // One notification per act, however many consumer instances heard the events.
  await eventually(async () => {
    const { notifications, unreadNotificationCount } = await asAuthor.data('{ notifications(first: 10) { edges { node { kind actor { handle } } } } unreadNotificationCount }');
    const acts = notifications.edges.map((edge: { node: { kind: string; actor: { handle: string } } }) => `${edge.node.kind} ${edge.node.actor.handle}`);
    expect(acts.sort()).toEqual([`FOLLOW ${liker.handle}`, `FOLLOW ${reader.handle}`, `LIKE ${liker.handle}`].sort());
    expect(unreadNotificationCount).toBe(3);
  });
  const pushed = await bell.waitFor(3);
  expect(pushed.map((result) => `${result.data?.notificationAdded.kind} ${result.data?.notificationAdded.actor.handle}`).sort()).toEqual(
    [`FOLLOW ${liker.handle}`, `FOLLOW ${reader.handle}`, `LIKE ${liker.handle}`].sort(),
  );
  // Nothing twice: no socket got a push more than once.
  await new Promise((resolve) => setTimeout(resolve, 500));
  for (const feed of feeds) expect(feed.results).toHaveLength(3);
  expect(bell.results).toHaveLength(3);
});

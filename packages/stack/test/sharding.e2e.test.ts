import type { CommandStartedEvent } from 'mongodb';
import type { ShardingPlan } from '@chirp/platform';
import { eventually, routedQueries, unplannedQueries, type RoutedQuery } from '@chirp/testing';
import { SHARDING as USERS } from '@chirp/users';
import { SHARDING as TWEETS } from '@chirp/tweets';
import { SHARDING as TIMELINE } from '@chirp/timeline';
import { SHARDING as NOTIFICATIONS } from '@chirp/notifications';
import { useStack } from './support.js';

/**
 * Every command the product sends MongoDB, checked against each
 * subgraph's sharding plan (its `repositories/mongo/sharding.ts`): on a
 * sharded cluster it reaches one shard (its filter names the shard key),
 * or it is listed as a scatter-gather with why that is acceptable. The
 * commands are those of the whole product at work: sign-up and log-in,
 * profiles, follows, posts, edits, deletions, likes, timelines,
 * notifications, and what the consumers and outbox sweeps send meanwhile.
 */
const PLANS: Record<string, ShardingPlan> = { users: USERS, tweets: TWEETS, timeline: TIMELINE, notifications: NOTIFICATIONS };
const chirp = useStack();
const seen = new Map<string, Map<string, RoutedQuery>>();

beforeAll(() => {
  for (const [name, plan] of Object.entries(PLANS)) {
    const queries = new Map<string, RoutedQuery>();
    seen.set(name, queries);
    const client = chirp.stack.infrastructure[name as keyof typeof chirp.stack.infrastructure].mongoClient;
    client?.on('commandStarted', (event: CommandStartedEvent) => {
      for (const query of routedQueries(event, plan)) queries.set(`${query.collection} ${query.command} ${query.shape}`, query);
    });
  }
});

const USER_PAGE = `query($handle: String!) { user(handle: $handle) { id followersCount followingCount tweetCount
  followers(first: 5) { edges { cursor node { handle } } } following(first: 5) { edges { cursor node { handle } } }
  tweets(first: 5) { edges { node { id text likeCount likedByViewer } } } } }`;

it('sends every shard one query, or a scatter-gather its plan lists', async () => {
  const [author, reader, other] = [await chirp.signUp(), await chirp.signUp(), await chirp.signUp()];
  await chirp.anonymous.data('mutation($input: LogInInput!) { logIn(input: $input) { token } }', { input: { email: author.email, password: 'password123' } });
  await author.client.data('mutation { updateProfile(input: { bio: "sharded" }) { id } }');
  for (const follower of [reader, other]) await follower.client.data('mutation($id: ID!) { follow(userId: $id) { id } }', { id: author.id });
  await other.client.data('mutation($id: ID!) { unfollow(userId: $id) { id } }', { id: author.id });
  const { postTweet: kept } = await author.client.data('mutation { postTweet(text: "one shard, please") { id } }');
  const { postTweet: gone } = await author.client.data('mutation { postTweet(text: "soon deleted") { id } }');
  await author.client.data('mutation($id: ID!) { editTweet(id: $id, text: "one shard, thanks") { id } }', { id: kept.id });
  for (const mutation of ['likeTweet', 'unlikeTweet', 'likeTweet']) await reader.client.data(`mutation($id: ID!) { ${mutation}(id: $id) { id } }`, { id: kept.id });
  await reader.client.data('mutation($id: ID!) { likeTweet(id: $id) { id } }', { id: gone.id });
  await author.client.data('mutation($id: ID!) { deleteTweet(id: $id) }', { id: gone.id });
  await author.client.data('mutation { createMediaUpload(kind: AVATAR, contentType: "image/png", byteSize: 100) { id } }');

  await eventually(async () => {
    const { homeTimeline } = await reader.client.data('{ homeTimeline(first: 10) { edges { cursor node { id likeCount likedByViewer author { handle } } } } }');
    expect(homeTimeline.edges.map((edge: { node: { id: string } }) => edge.node.id)).toEqual([kept.id]);
  });
  const notifications = await eventually(async () => {
    const { notifications: page } = await author.client.data('{ notifications(first: 10) { edges { node { id kind } } } }');
    expect(page.edges.map((edge: { node: { kind: string } }) => edge.node.kind).sort()).toEqual(['FOLLOW', 'LIKE']);
    return page.edges as Array<{ node: { id: string } }>;
  });
  await author.client.data('query($id: ID!) { notification(id: $id) { id } unreadNotificationCount }', { id: notifications[0]!.node.id });
  await author.client.data('mutation { markNotificationsRead }');
  await reader.client.data(USER_PAGE, { handle: author.handle });
  await reader.client.data('query($id: ID!) { tweet(id: $id) { id text likeCount author { handle } } me { id handle } }', { id: kept.id });
  await reader.client.data('mutation { logOutEverywhere }');

  const queries = [...seen.values()].flatMap((queries) => [...queries.values()]);
  // SHOW_ROUTED=1 prints every query shape and where it goes, to review a plan.
  if (process.env.SHOW_ROUTED) console.log(queries.map((q) => `${q.targeted ? 'one ' : 'ALL '} ${q.collection} ${q.command} {${q.shape}}`).sort().join('\n'));
  expect(queries.length).toBeGreaterThan(20);
  for (const [name, plan] of Object.entries(PLANS)) {
    expect({ [name]: unplannedQueries(seen.get(name)!.values(), plan) }).toEqual({ [name]: [] });
  }
});

import type { CommandStartedEvent } from 'mongodb';
import { TIMELINE_KEYS, createTimelineSubgraph, loadTimelineSettings } from '@chirp/timeline';
import { eventually, type Account, type ConnectionOf } from '@chirp/testing';
import { useStack } from './support.js';

/**
 * The home timeline through the gateway, on the real servers, with small
 * limits so every path runs: 20 ids per cached timeline (older pages come
 * from MongoDB) and celebrities from 3 followers (merged at read time).
 */
const HOME = `query Home($first: Int, $after: String) {
  homeTimeline(first: $first, after: $after) {
    edges { cursor node { id text editedAt author { id handle displayName } } }
    pageInfo { hasNextPage endCursor }
  }
}`;
const POST = `mutation Post($text: String!) { postTweet(text: $text) { id } }`;

const chirp = useStack({
  factories: {
    timeline: (options) =>
      createTimelineSubgraph({ ...options, settings: { ...loadTimelineSettings({}), maxLength: 20, celebrityFollowers: 3 } }),
  },
});
const signUp = () => chirp.signUp();

interface Edge {
  cursor: string;
  node: { id: string; text: string; editedAt: string | null; author: { id: string; handle: string; displayName: string } };
}

/** Every page of the viewer's home timeline, in order. */
async function wholeTimeline(account: Account, pageSize = 7): Promise<Edge[]> {
  const edges: Edge[] = [];
  let after: string | null = null;
  for (let page = 0; page < 100; page += 1) {
    const { homeTimeline }: { homeTimeline: ConnectionOf<Edge['node']> } = await account.client.data(HOME, { first: pageSize, after });
    edges.push(...homeTimeline.edges);
    if (!homeTimeline.pageInfo.hasNextPage) return edges;
    after = homeTimeline.pageInfo.endCursor;
  }
  throw new Error('the timeline never ended');
}

const texts = async (account: Account) => (await wholeTimeline(account)).map((edge) => edge.node.text);
const post = async (account: Account, text: string): Promise<string> => (await account.client.data(POST, { text })).postTweet.id;
const follow = (fan: Account, star: Account) => fan.client.data(`mutation($id: ID!) { follow(userId: $id) { id } }`, { id: star.id });
const unfollow = (fan: Account, star: Account) => fan.client.data(`mutation($id: ID!) { unfollow(userId: $id) { id } }`, { id: star.id });

describe('homeTimeline', () => {
  it('shows the viewer’s own tweets and those of everyone they follow, newest first, with the card fields', async () => {
    const [ada, bob] = [await signUp(), await signUp()];
    await follow(ada, bob);
    await post(bob, 'bob one');
    await post(ada, 'ada one');
    await post(bob, 'bob two');
    await eventually(async () => expect(await texts(ada)).toEqual(['bob two', 'ada one', 'bob one']));
    const [first] = await wholeTimeline(ada);
    expect(first?.node.author).toEqual({ id: bob.id, handle: bob.handle, displayName: expect.stringMatching(/^Test User/) });
    expect(await texts(bob)).toEqual(['bob two', 'bob one']);
  });

  it('brings in a followee’s earlier tweets on follow, and takes them out on unfollow', async () => {
    const [ada, bob] = [await signUp(), await signUp()];
    await post(bob, 'before the follow');
    await post(ada, 'mine');
    await follow(ada, bob);
    await eventually(async () => expect(await texts(ada)).toEqual(['mine', 'before the follow']));
    await unfollow(ada, bob);
    await eventually(async () => expect(await texts(ada)).toEqual(['mine']));
  });

  it('drops deleted tweets and shows edited text and changed names everywhere', async () => {
    const [ada, bob] = [await signUp(), await signUp()];
    await follow(ada, bob);
    const [keep, drop] = [await post(bob, 'keep me'), await post(bob, 'delete me')];
    await eventually(async () => expect(await texts(ada)).toEqual(['delete me', 'keep me']));
    await bob.client.data(`mutation($id: ID!) { deleteTweet(id: $id) }`, { id: drop });
    await bob.client.data(`mutation($id: ID!) { editTweet(id: $id, text: "kept, edited") { id } }`, { id: keep });
    await bob.client.data(`mutation { updateProfile(input: { firstName: "Robert" }) { id } }`);
    await eventually(async () => {
      const edges = await wholeTimeline(ada);
      expect(edges.map((edge) => [edge.node.text, edge.node.author.displayName.split(' ')[0]])).toEqual([['kept, edited', 'Robert']]);
      expect(edges[0]?.node.editedAt).not.toBeNull();
    });
  });

  it('pages past the cached window into durable data, every tweet exactly once', async () => {
    const [ada, bob] = [await signUp(), await signUp()];
    await follow(ada, bob);
    const posted: string[] = [];
    for (let n = 0; n < 45; n += 1) posted.push(await post(n % 3 === 0 ? ada : bob, `tweet ${n}`));
    const expected = [...posted].reverse();
    await eventually(async () => expect((await wholeTimeline(ada, 8)).map((edge) => edge.node.id)).toEqual(expected));
    expect((await wholeTimeline(ada, 100)).map((edge) => edge.node.id)).toEqual(expected);
  });

  it('rebuilds a timeline whose cache was flushed, with nothing missing', async () => {
    const [ada, bob] = [await signUp(), await signUp()];
    await follow(ada, bob);
    for (let n = 0; n < 5; n += 1) await post(bob, `flush ${n}`);
    await eventually(async () => expect(await texts(ada)).toHaveLength(5));
    // One DEL of ada's three keys: they share a hash tag, so a cluster takes it too.
    await chirp.stack.infrastructure.timeline.redis!.del(TIMELINE_KEYS.home(ada.id), TIMELINE_KEYS.homeCelebrities(ada.id), TIMELINE_KEYS.homeGeneration(ada.id));
    expect(await texts(ada)).toEqual(['flush 4', 'flush 3', 'flush 2', 'flush 1', 'flush 0']);
  });

  it('merges the tweets of an account with more followers than the threshold at read time', async () => {
    const star = await signUp();
    const fans = [await signUp(), await signUp(), await signUp(), await signUp()];
    for (const fan of fans) await follow(fan, star);
    await eventually(async () => expect(await texts(fans[0]!)).toEqual([]));
    await post(star, 'a celebrity speaks');
    await post(fans[0]!, 'a fan answers');
    for (const fan of fans) {
      await eventually(async () => expect(await texts(fan)).toContain('a celebrity speaks'));
    }
    await eventually(async () => expect(await texts(fans[0]!)).toEqual(['a fan answers', 'a celebrity speaks']));
    await unfollow(fans[1]!, star);
    await eventually(async () => expect(await texts(fans[1]!)).toEqual([]));
  });

  it('reads a warm timeline, full cards included, without touching MongoDB', async () => {
    const [ada, bob] = [await signUp(), await signUp()];
    await follow(ada, bob);
    const liked = await post(bob, 'like this');
    await post(bob, 'and this');
    await ada.client.data(`mutation($id: ID!) { likeTweet(id: $id) { id } }`, { id: liked });
    const CARDS = `{ homeTimeline(first: 10) { edges { node { id text createdAt likeCount likedByViewer author { handle displayName avatarUrl } } } } }`;
    const likesShown = async () =>
      (await ada.client.data(CARDS)).homeTimeline.edges.map((edge: { node: { likeCount: number; likedByViewer: boolean } }) => [
        edge.node.likeCount,
        edge.node.likedByViewer,
      ]);
    // Warms every cache; the like reaches the timeline's projection by its event.
    await eventually(async () => expect(await likesShown()).toEqual([[0, false], [1, true]]));
    const commands: string[] = [];
    const clients = (['timeline', 'tweets', 'users'] as const).map((name) => chirp.stack.infrastructure[name].mongoClient!);
    const record = (event: CommandStartedEvent) => {
      const filter = (event.command as { filter?: Record<string, unknown> }).filter;
      if (filter && 'pendingSince' in filter) return; // the outbox sweepers' polling, not this read
      commands.push(`${event.commandName} ${String(event.command[event.commandName])}`);
    };
    for (const client of clients) client.on('commandStarted', record);
    try {
      expect(await likesShown()).toEqual([
        [0, false],
        [1, true],
      ]);
      expect(commands).toEqual([]);
      // The monitor does see commands: a profile lookup reads the users collection.
      await ada.client.data(`query($handle: String!) { user(handle: $handle) { id } }`, { handle: bob.handle });
      expect(commands).toContain('find users');
    } finally {
      for (const client of clients) client.off('commandStarted', record);
    }
  });

  it('shows likes and unlikes on the timeline, counted and as the viewer sees them, from the timeline subgraph alone', async () => {
    const [ada, bob, cy] = [await signUp(), await signUp(), await signUp()];
    await follow(ada, bob);
    const tweet = await post(bob, 'like me');
    const LIKES = `{ homeTimeline(first: 5) { edges { node { id likeCount likedByViewer } } } }`;
    const seenBy = async (account: Account) => (await account.client.data(LIKES)).homeTimeline.edges.map((edge: { node: unknown }) => edge.node);
    await eventually(async () => expect(await seenBy(ada)).toEqual([{ id: tweet, likeCount: 0, likedByViewer: false }]));
    const like = (account: Account, liked: boolean) =>
      account.client.data(`mutation($id: ID!) { ${liked ? 'likeTweet' : 'unlikeTweet'}(id: $id) { id } }`, { id: tweet });
    await like(ada, true);
    await like(cy, true);
    await like(ada, true); // idempotent
    await eventually(async () => expect(await seenBy(ada)).toEqual([{ id: tweet, likeCount: 2, likedByViewer: true }]));
    expect(await seenBy(bob)).toEqual([{ id: tweet, likeCount: 2, likedByViewer: false }]);
    await like(ada, false);
    await eventually(async () => expect(await seenBy(ada)).toEqual([{ id: tweet, likeCount: 1, likedByViewer: false }]));
    // The owner agrees.
    const { tweet: owned } = await ada.client.data(`query($id: ID!) { tweet(id: $id) { likeCount likedByViewer } }`, { id: tweet });
    expect(owned).toEqual({ likeCount: 1, likedByViewer: false });
  });

  it('refuses anonymous callers, a page size above 100 and a cursor it did not make', async () => {
    const ada = await signUp();
    expect(await chirp.anonymous.error(HOME, { first: 5 })).toMatchObject({ code: 'UNAUTHENTICATED' });
    expect(await ada.client.error(HOME, { first: 101 })).toMatchObject({ code: 'BAD_USER_INPUT', field: 'first' });
    expect(await ada.client.error(HOME, { after: 'nope' })).toMatchObject({ code: 'BAD_USER_INPUT', field: 'after' });
  });
});

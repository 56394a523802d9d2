import type { ConnectionOf } from '@chirp/testing';
import { useStack } from './support.js';

/** Every tweets operation through the gateway over HTTP, on the real servers. */
const POST = `mutation Post($text: String!) {
  postTweet(text: $text) { id text createdAt editedAt likeCount likedByViewer author { id handle displayName } }
}`;
const EDIT = `mutation Edit($id: ID!, $text: String!) { editTweet(id: $id, text: $text) { id text editedAt } }`;
const DELETE = `mutation Delete($id: ID!) { deleteTweet(id: $id) }`;
const LIKE = `mutation Like($id: ID!) { likeTweet(id: $id) { id likeCount likedByViewer } }`;
const UNLIKE = `mutation Unlike($id: ID!) { unlikeTweet(id: $id) { id likeCount likedByViewer } }`;
const TWEET = `query Tweet($id: ID!) { tweet(id: $id) { id text likeCount likedByViewer author { handle } } }`;

const chirp = useStack();
const signUp = (overrides: Record<string, unknown> = {}) => chirp.signUp(overrides);

describe('postTweet', () => {
  it('returns the whole tweet, author included, at once', async () => {
    const ada = await signUp();
    const { postTweet } = await ada.client.data(POST, { text: '  Hello, Chirp! https://example.com/a/very/long/path  ' });
    expect(postTweet).toMatchObject({
      text: 'Hello, Chirp! https://example.com/a/very/long/path',
      editedAt: null,
      likeCount: 0,
      likedByViewer: false,
      author: { id: ada.id, handle: ada.handle, displayName: expect.stringMatching(/^Test User/) },
    });
    expect(postTweet.id).toMatch(/^\d{19}$/);
    const { tweet } = await chirp.anonymous.data(TWEET, { id: postTweet.id });
    expect(tweet).toMatchObject({ id: postTweet.id, author: { handle: ada.handle } });
  });

  it('refuses blank text and text over 280 as Twitter counts it, naming the field', async () => {
    const ada = await signUp();
    expect(await ada.client.error(POST, { text: '   ' })).toMatchObject({ code: 'BAD_USER_INPUT', field: 'text' });
    expect(await ada.client.error(POST, { text: '日'.repeat(141) })).toMatchObject({ code: 'BAD_USER_INPUT', field: 'text' });
    expect(await chirp.anonymous.error(POST, { text: 'hi' })).toMatchObject({ code: 'UNAUTHENTICATED' });
  });
});

describe('editTweet and deleteTweet', () => {
  it('lets the author edit, and the edit shows when the tweet is read', async () => {
    const ada = await signUp();
    const { postTweet } = await ada.client.data(POST, { text: 'first draft' });
    const { editTweet } = await ada.client.data(EDIT, { id: postTweet.id, text: 'final version' });
    expect(editTweet).toMatchObject({ text: 'final version', editedAt: expect.any(String) });
    expect((await chirp.anonymous.data(TWEET, { id: postTweet.id })).tweet.text).toBe('final version');
  });

  it('refuses anyone but the author with FORBIDDEN, and a missing tweet with NOT_FOUND', async () => {
    const [ada, bob] = [await signUp(), await signUp()];
    const { postTweet } = await ada.client.data(POST, { text: 'mine' });
    expect(await bob.client.error(EDIT, { id: postTweet.id, text: 'ours' })).toMatchObject({ code: 'FORBIDDEN' });
    expect(await bob.client.error(DELETE, { id: postTweet.id })).toMatchObject({ code: 'FORBIDDEN' });
    expect(await ada.client.error(EDIT, { id: '1234567890123456789', text: 'x' })).toMatchObject({ code: 'NOT_FOUND' });
  });

  it('deletes: the id comes back and the tweet is gone', async () => {
    const ada = await signUp();
    const { postTweet } = await ada.client.data(POST, { text: 'regrettable' });
    expect(await ada.client.data(DELETE, { id: postTweet.id })).toEqual({ deleteTweet: postTweet.id });
    expect(await chirp.anonymous.data(TWEET, { id: postTweet.id })).toEqual({ tweet: null });
    expect(await ada.client.error(DELETE, { id: postTweet.id })).toMatchObject({ code: 'NOT_FOUND' });
  });
});

describe('likes', () => {
  it('likes and unlikes idempotently, with an exact count and the viewer’s state', async () => {
    const [ada, bob, cy] = [await signUp(), await signUp(), await signUp()];
    const { postTweet } = await ada.client.data(POST, { text: 'like me' });
    expect((await bob.client.data(LIKE, { id: postTweet.id })).likeTweet).toMatchObject({ likeCount: 1, likedByViewer: true });
    expect((await bob.client.data(LIKE, { id: postTweet.id })).likeTweet.likeCount).toBe(1);
    await Promise.all([0, 1, 2].map(() => cy.client.data(LIKE, { id: postTweet.id })));
    expect((await chirp.anonymous.data(TWEET, { id: postTweet.id })).tweet).toMatchObject({ likeCount: 2, likedByViewer: false });
    expect((await bob.client.data(UNLIKE, { id: postTweet.id })).unlikeTweet).toMatchObject({ likeCount: 1, likedByViewer: false });
    expect((await bob.client.data(UNLIKE, { id: postTweet.id })).unlikeTweet.likeCount).toBe(1);
  });

  it('refuses liking a missing tweet, or without signing in', async () => {
    const ada = await signUp();
    expect(await ada.client.error(LIKE, { id: '1234567890123456789' })).toMatchObject({ code: 'NOT_FOUND' });
    expect(await chirp.anonymous.error(LIKE, { id: '1234567890123456789' })).toMatchObject({ code: 'UNAUTHENTICATED' });
  });
});

describe('a user’s own tweets', () => {
  const TWEETS = `query Tweets($handle: String!, $first: Int, $after: String) {
    user(handle: $handle) { tweetCount tweets(first: $first, after: $after) { edges { cursor node { id text } } pageInfo { hasNextPage endCursor } } }
  }`;

  it('pages newest first, each exactly once, without deleted tweets', async () => {
    const ada = await signUp();
    const posted: string[] = [];
    for (let n = 0; n < 5; n += 1) posted.push((await ada.client.data(POST, { text: `tweet ${n}` })).postTweet.id);
    await ada.client.data(DELETE, { id: posted[1] });
    const seen: string[] = [];
    let after: string | null = null;
    for (;;) {
      const { user }: { user: { tweetCount: number; tweets: ConnectionOf<{ id: string }> } } = await chirp.anonymous.data(TWEETS, { handle: ada.handle, first: 2, after });
      expect(user.tweetCount).toBe(4);
      seen.push(...user.tweets.edges.map((edge) => edge.node.id));
      if (!user.tweets.pageInfo.hasNextPage) break;
      after = user.tweets.pageInfo.endCursor;
    }
    expect(seen).toEqual([posted[4], posted[3], posted[2], posted[0]]);
  });

  it('refuses a cursor it did not make', async () => {
    const ada = await signUp();
    expect(await chirp.anonymous.error(TWEETS, { handle: ada.handle, after: 'nonsense' })).toMatchObject({ code: 'BAD_USER_INPUT', field: 'after' });
  });
});

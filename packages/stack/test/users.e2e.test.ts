import { eventually, type Account, type ConnectionOf } from '@chirp/testing';
import { useStack } from './support.js';

/**
 * Every users operation through the gateway over HTTP, as a front end calls
 * it, on real MongoDB (FerretDB), Redis and Kafka.
 */
const SIGN_UP = `mutation SignUp($input: SignUpInput!) {
  signUp(input: $input) { token user { id handle firstName lastName displayName email birthDate createdAt } }
}`;
const LOG_IN = `mutation LogIn($input: LogInInput!) { logIn(input: $input) { token user { id handle } } }`;
const FOLLOW = `mutation Follow($id: ID!) { follow(userId: $id) { id handle followersCount followingCount followedByViewer } }`;
const UNFOLLOW = `mutation Unfollow($id: ID!) { unfollow(userId: $id) { id followersCount followedByViewer } }`;
const PROFILE = `query Profile($handle: String!) {
  user(handle: $handle) { id handle email birthDate followersCount followingCount followedByViewer }
}`;

const chirp = useStack();
const signUp = (overrides: Record<string, unknown> = {}) => chirp.signUp(overrides);

describe('signUp', () => {
  it('creates an account and returns a token that identifies it', async () => {
    const { signUp: payload } = await chirp.anonymous.data(SIGN_UP, {
      input: { handle: `Ada_${Date.now() % 100000}`, email: `ada.${Date.now()}@example.com`, password: 'correct horse', firstName: ' Ada ', lastName: 'Lovelace', birthDate: '1990-12-10' },
    });
    expect(payload.user).toMatchObject({ firstName: 'Ada', lastName: 'Lovelace', displayName: 'Ada Lovelace', birthDate: '1990-12-10' });
    expect(payload.user.id).toMatch(/^\d{19}$/);
    expect(new Date(payload.user.createdAt).toISOString()).toBe(payload.user.createdAt);
    const { me } = await chirp.anonymous.as(payload.token).data('{ me { id handle email } }');
    expect(me).toEqual({ id: payload.user.id, handle: payload.user.handle, email: expect.stringContaining('@example.com') });
  });

  it.each([
    [{ handle: 'no spaces allowed' }, 'handle'],
    [{ handle: 'x'.repeat(16) }, 'handle'],
    [{ email: 'not-an-email' }, 'email'],
    [{ password: 'short' }, 'password'],
    [{ firstName: '   ' }, 'firstName'],
    [{ birthDate: '2999-01-01' }, 'birthDate'],
  ])('refuses %j with BAD_USER_INPUT naming the field', async (overrides, field) => {
    const input = { handle: 'valid_handle', email: 'valid@example.com', password: 'password123', firstName: 'A', lastName: 'B', ...overrides };
    expect(await chirp.anonymous.error(SIGN_UP, { input })).toMatchObject({ code: 'BAD_USER_INPUT', field });
  });

  it('refuses a malformed date with BAD_USER_INPUT', async () => {
    const input = { handle: 'valid_handle', email: 'valid@example.com', password: 'password123', firstName: 'A', lastName: 'B', birthDate: '1990-02-30' };
    expect(await chirp.anonymous.error(SIGN_UP, { input })).toMatchObject({ code: 'BAD_USER_INPUT' });
  });

  it('refuses a handle or email that is taken, whatever the case, with CONFLICT', async () => {
    const taken = await signUp();
    const input = { password: 'password123', firstName: 'A', lastName: 'B' };
    expect(await chirp.anonymous.error(SIGN_UP, { input: { ...input, handle: taken.handle.toUpperCase(), email: 'fresh1@example.com' } })).toMatchObject({
      code: 'CONFLICT',
      field: 'handle',
    });
    expect(await chirp.anonymous.error(SIGN_UP, { input: { ...input, handle: 'fresh_handle1', email: taken.email.toUpperCase() } })).toMatchObject({
      code: 'CONFLICT',
      field: 'email',
    });
  });
});

describe('logIn', () => {
  it('returns a fresh token for the right password', async () => {
    const account = await signUp();
    const { logIn } = await chirp.anonymous.data(LOG_IN, { input: { email: account.email, password: 'password123' } });
    expect(logIn.user).toEqual({ id: account.id, handle: account.handle });
    expect((await chirp.anonymous.as(logIn.token).data('{ me { id } }')).me.id).toBe(account.id);
  });

  it('gives one answer for a wrong password and an unknown email', async () => {
    const account = await signUp();
    const wrong = await chirp.anonymous.error(LOG_IN, { input: { email: account.email, password: 'wrong-password' } });
    const unknown = await chirp.anonymous.error(LOG_IN, { input: { email: 'nobody@example.com', password: 'password123' } });
    expect(wrong).toMatchObject({ code: 'UNAUTHENTICATED', message: 'The email or password is not right.' });
    expect(unknown.message).toBe(wrong.message);
  });

  it('answers RATE_LIMITED after ten failures for one account', async () => {
    const account = await signUp();
    for (let attempt = 0; attempt < 10; attempt += 1) {
      await chirp.anonymous.error(LOG_IN, { input: { email: account.email, password: 'wrong-password' } });
    }
    expect(await chirp.anonymous.error(LOG_IN, { input: { email: account.email, password: 'password123' } })).toMatchObject({ code: 'RATE_LIMITED' });
  });
});

describe('me and user', () => {
  it('me is null when not signed in', async () => {
    expect(await chirp.anonymous.data('{ me { id } }')).toEqual({ me: null });
  });

  it('refuses a bad token with UNAUTHENTICATED rather than treating it as anonymous', async () => {
    const response = await chirp.anonymous.as('not.a.token').request('{ me { id } }');
    expect(response.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('finds a user by handle, case-insensitively, hiding their email and birth date from others', async () => {
    const owner = await signUp({ birthDate: '2000-01-01' });
    const other = await signUp();
    const seenByOther = await other.client.data(PROFILE, { handle: owner.handle.toUpperCase() });
    expect(seenByOther.user).toMatchObject({ id: owner.id, email: null, birthDate: null });
    const seenBySelf = await owner.client.data(PROFILE, { handle: owner.handle });
    expect(seenBySelf.user).toMatchObject({ email: owner.email, birthDate: '2000-01-01' });
    expect(await chirp.anonymous.data(PROFILE, { handle: 'nobody_here' })).toEqual({ user: null });
  });
});

describe('updateProfile', () => {
  const UPDATE = `mutation Update($input: UpdateProfileInput!) {
    updateProfile(input: $input) { id firstName displayName bio website location avatarUrl bannerUrl birthDate }
  }`;

  it('changes the given fields, leaves the others, and clears what is null', async () => {
    const account = await signUp();
    const first = await account.client.data(UPDATE, {
      input: { firstName: 'Grace', bio: 'Compilers.', website: 'https://grace.dev', location: 'Arlington', avatarUrl: null },
    });
    expect(first.updateProfile.displayName).toMatch(/^Grace User\d+$/);
    expect(first.updateProfile).toMatchObject({ bio: 'Compilers.', website: 'https://grace.dev', location: 'Arlington', avatarUrl: null });
    const second = await account.client.data(UPDATE, { input: { bio: null, location: '  ' } });
    expect(second.updateProfile).toMatchObject({ firstName: 'Grace', bio: null, location: null, website: 'https://grace.dev' });
  });

  it('refuses bad input naming the field, and changes nothing', async () => {
    const account = await signUp();
    expect(await account.client.error(UPDATE, { input: { bio: 'x'.repeat(161) } })).toMatchObject({ code: 'BAD_USER_INPUT', field: 'bio' });
    expect(await account.client.error(UPDATE, { input: { website: 'ftp://files', bio: 'kept?' } })).toMatchObject({ field: 'website' });
    const { me } = await account.client.data('{ me { bio website } }');
    expect(me).toEqual({ bio: null, website: null });
  });

  it('needs a signed-in user', async () => {
    expect(await chirp.anonymous.error(UPDATE, { input: { bio: 'x' } })).toMatchObject({ code: 'UNAUTHENTICATED' });
  });
});

describe('follow and unfollow', () => {
  it('follows idempotently, with exact counts on both sides', async () => {
    const [fan, star] = [await signUp(), await signUp()];
    const first = await fan.client.data(FOLLOW, { id: star.id });
    expect(first.follow).toMatchObject({ id: star.id, followersCount: 1, followedByViewer: true });
    const again = await fan.client.data(FOLLOW, { id: star.id });
    expect(again.follow.followersCount).toBe(1);
    const { me } = await fan.client.data('{ me { followingCount } }');
    expect(me.followingCount).toBe(1);
  });

  it('keeps counts exact under concurrent and repeated calls', async () => {
    const star = await signUp();
    const fans = await Promise.all(Array.from({ length: 8 }, () => signUp()));
    await Promise.all(fans.flatMap((fan) => [0, 1, 2].map(() => fan.client.data(FOLLOW, { id: star.id }))));
    const { user } = await chirp.anonymous.data(PROFILE, { handle: star.handle });
    expect(user.followersCount).toBe(8);
    await Promise.all(fans.slice(0, 3).flatMap((fan) => [0, 1].map(() => fan.client.data(UNFOLLOW, { id: star.id }))));
    expect((await chirp.anonymous.data(PROFILE, { handle: star.handle })).user.followersCount).toBe(5);
  });

  it('unfollows idempotently', async () => {
    const [fan, star] = [await signUp(), await signUp()];
    await fan.client.data(FOLLOW, { id: star.id });
    expect((await fan.client.data(UNFOLLOW, { id: star.id })).unfollow).toMatchObject({ followersCount: 0, followedByViewer: false });
    expect((await fan.client.data(UNFOLLOW, { id: star.id })).unfollow.followersCount).toBe(0);
  });

  it('says followedByViewer is false when not signed in', async () => {
    const [fan, star] = [await signUp(), await signUp()];
    await fan.client.data(FOLLOW, { id: star.id });
    expect((await chirp.anonymous.data(PROFILE, { handle: star.handle })).user.followedByViewer).toBe(false);
  });

  it('refuses following yourself, a missing user, or without signing in', async () => {
    const account = await signUp();
    expect(await account.client.error(FOLLOW, { id: account.id })).toMatchObject({ code: 'BAD_USER_INPUT', field: 'userId' });
    expect(await account.client.error(FOLLOW, { id: '1234567890123456789' })).toMatchObject({ code: 'NOT_FOUND' });
    expect(await account.client.error(UNFOLLOW, { id: '1234567890123456789' })).toMatchObject({ code: 'NOT_FOUND' });
    expect(await chirp.anonymous.error(FOLLOW, { id: account.id })).toMatchObject({ code: 'UNAUTHENTICATED' });
  });

  it('reaches Kafka, and the timeline subgraph projects it into its own follow graph', async () => {
    const [fan, star] = [await signUp(), await signUp()];
    await fan.client.data(FOLLOW, { id: star.id });
    const graph = chirp.stack.infrastructure.timeline.mongo!.collection('follow_graph');
    await eventually(async () => expect(await graph.findOne({ followerId: fan.id, followeeId: star.id })).toMatchObject({ active: true, seq: 1 }));
    await fan.client.data(UNFOLLOW, { id: star.id });
    await eventually(async () => expect(await graph.findOne({ followerId: fan.id, followeeId: star.id })).toMatchObject({ active: false, seq: 2 }));
  });
});

describe('followers and following', () => {
  const FOLLOWERS = `query Followers($handle: String!, $first: Int, $after: String) {
    user(handle: $handle) { followers(first: $first, after: $after) { edges { cursor node { id handle } } pageInfo { hasNextPage endCursor } } }
  }`;

  it('pages through followers newest first, each exactly once', async () => {
    const star = await signUp();
    const fans: Account[] = [];
    for (let n = 0; n < 5; n += 1) {
      const fan = await signUp();
      await fan.client.data(FOLLOW, { id: star.id });
      fans.push(fan);
    }
    const seen: string[] = [];
    let after: string | null = null;
    for (let page = 0; page < 5; page += 1) {
      const { user }: { user: { followers: ConnectionOf<{ id: string }> } } = await chirp.anonymous.data(FOLLOWERS, { handle: star.handle, first: 2, after });
      seen.push(...user.followers.edges.map((edge) => edge.node.id));
      if (!user.followers.pageInfo.hasNextPage) break;
      after = user.followers.pageInfo.endCursor;
    }
    expect(seen).toEqual(fans.map((fan) => fan.id).reverse());
    const { user } = await chirp.anonymous.data(`query($handle: String!) { user(handle: $handle) { following { edges { node { id } } } } }`, {
      handle: fans[0]!.handle,
    });
    expect(user.following.edges).toEqual([{ node: { id: star.id } }]);
  });

  it('refuses a page size above 100 and a cursor it did not make', async () => {
    const star = await signUp();
    expect(await chirp.anonymous.error(FOLLOWERS, { handle: star.handle, first: 101 })).toMatchObject({ code: 'BAD_USER_INPUT', field: 'first' });
    expect(await chirp.anonymous.error(FOLLOWERS, { handle: star.handle, after: 'bogus' })).toMatchObject({ code: 'BAD_USER_INPUT', field: 'after' });
  });
});

describe('the gateway', () => {
  const root = () => chirp.stack.url.replace(/\/graphql$/, '');

  it('answers health and readiness probes', async () => {
    expect(await (await fetch(`${root()}/healthz`)).json()).toEqual({ status: 'ok' });
    expect(await (await fetch(`${root()}/readyz`)).json()).toEqual({ status: 'ready' });
  });

  it('serves an explorer that loads nothing from the internet', async () => {
    const response = await fetch(chirp.stack.url, { headers: { accept: 'text/html' } });
    const html = await response.text();
    expect(response.status).toBe(200);
    expect(html).toContain('GraphiQL');
    expect(html).not.toMatch(/<(script|link)[^>]+(src|href)="https?:/);
  });

  it('answers a query that does not fit the schema with BAD_USER_INPUT', async () => {
    expect(await chirp.anonymous.error('{ nope }')).toMatchObject({ code: 'BAD_USER_INPUT' });
  });
});

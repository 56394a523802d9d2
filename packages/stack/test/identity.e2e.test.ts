import { DEVELOPMENT_JWT_SECRET, TokenService } from '@chirp/platform';
import { GraphQLClient, LiveClient, eventually, inMemoryEnvironment, isolatedEnvironment, type Account } from '@chirp/testing';
import { useStack } from './support.js';

/**
 * Identity and abuse, end to end on the real servers: a token is honoured
 * only for a user who exists at their current session generation (over
 * HTTP and WebSocket), logOutEverywhere revokes, and the rate limits hold
 * under concurrency and answer RATE_LIMITED with retryAfterSeconds.
 */
const LOG_IN = `mutation LogIn($input: LogInInput!) { logIn(input: $input) { token user { id } } }`;
const SIGN_UP = `mutation SignUp($input: SignUpInput!) { signUp(input: $input) { token user { id } } }`;
const FOLLOWERS = `query($handle: String!) { user(handle: $handle) { followersCount followers { edges { node { id } } } } }`;
const REFUSED = 'Your session is no longer valid; please log in again.';

// Open sockets check their token again every 200 ms here (a minute by default).
const chirp = useStack({}, () => ({ ...isolatedEnvironment(), LIVE_SESSION_RECHECK_MS: '200' }));
const sockets: LiveClient[] = [];
afterEach(async () => {
  await Promise.all(sockets.splice(0).map((socket) => socket.close()));
});

/** Opens a WebSocket with the token and says how the gateway closed it, if it did. */
async function connectWith(url: string, token: string) {
  const socket = new LiveClient(url, token);
  sockets.push(socket);
  const outcome = await socket.ready().then(
    () => 'open',
    () => 'refused',
  );
  return { outcome, closed: socket.closed };
}

/** A POST to the gateway with headers of the test's choosing (a proxy's X-Forwarded-For, say). */
async function post(url: string, query: string, variables: Record<string, unknown>, headers: Record<string, string> = {}) {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ query, variables }) });
  const body = (await response.json()) as { data?: Record<string, unknown> | null; errors?: Array<{ message: string; extensions?: Record<string, unknown> }> };
  return { status: response.status, ...body };
}

const signUpInput = (handle: string) => ({ handle, email: `${handle}@example.com`, password: 'password123', firstName: 'Test', lastName: 'User' });
const uniqueHandle = (prefix: string) => `${prefix}${Date.now().toString(36).slice(-6)}${Math.floor(Math.random() * 1000)}`.slice(0, 15);

describe('a validly signed token for a user who does not exist', () => {
  const ghostToken = () => new TokenService(chirp.stack.jwt).issue({ id: '1999999999999999999', handle: 'ghost' });

  it('is refused over HTTP with UNAUTHENTICATED, and leaves nothing behind', async () => {
    const victim = await chirp.signUp();
    const ghost = chirp.anonymous.as(await ghostToken());
    const read = await ghost.error('{ me { id } }');
    expect(read).toMatchObject({ code: 'UNAUTHENTICATED', message: REFUSED });
    expect(read.response.status).toBe(401);
    expect(await ghost.error(`mutation($id: ID!) { follow(userId: $id) { id } }`, { id: victim.id })).toMatchObject({ code: 'UNAUTHENTICATED' });
    expect(await ghost.error(`mutation { postTweet(text: "orphan") { id } }`)).toMatchObject({ code: 'UNAUTHENTICATED' });
    const { user } = await chirp.anonymous.data(FOLLOWERS, { handle: victim.handle });
    expect(user).toEqual({ followersCount: 0, followers: { edges: [] } });
    // The victim's own requests are untouched.
    expect((await victim.client.data(`{ unreadNotificationCount }`)).unreadNotificationCount).toBe(0);
  });

  it('is refused over WebSocket in connection_init with 4401', async () => {
    const { outcome, closed } = await connectWith(chirp.stack.url, await ghostToken());
    expect(outcome).toBe('refused');
    expect(closed).toEqual({ code: 4401, reason: `Unauthorized: ${REFUSED}` });
  });
});

describe('logOutEverywhere', () => {
  it('revokes every token issued before, on every gateway and on WebSocket; a fresh log-in works', async () => {
    const ada = await chirp.signUp();
    const { logIn: second } = await chirp.anonymous.data(LOG_IN, { input: { email: ada.email, password: 'password123' } });
    const otherGateway = await chirp.stack.startGateway();
    const elsewhere = chirp.anonymous.as(second.token);
    const viaOther = new GraphQLClient(otherGateway.url, second.token);
    expect((await viaOther.data('{ me { id } }')).me.id).toBe(ada.id); // the other gateway now remembers generation 0
    const openSocket = new LiveClient(chirp.stack.url, ada.token);
    sockets.push(openSocket);
    const before = chirp.stack.gateway.live.stats().subscriptions;
    openSocket.subscribe('subscription { homeTimelineTweetAdded { id } }');
    await eventually(() => expect(chirp.stack.gateway.live.stats().subscriptions).toBe(before + 1));

    expect(await ada.client.data('mutation { logOutEverywhere }')).toEqual({ logOutEverywhere: true });
    // At once on the gateway that ran it, for this token and every other one issued before.
    expect(await ada.client.error('{ me { id } }')).toMatchObject({ code: 'UNAUTHENTICATED', message: REFUSED });
    expect(await elsewhere.error(`mutation { postTweet(text: "after logout") { id } }`)).toMatchObject({ code: 'UNAUTHENTICATED' });
    // Within its few seconds on the other gateway.
    await eventually(async () => expect(await viaOther.error('{ me { id } }')).toMatchObject({ code: 'UNAUTHENTICATED' }), { timeoutMs: 10_000, intervalMs: 250 });
    expect((await connectWith(chirp.stack.url, ada.token)).closed).toEqual({ code: 4401, reason: `Unauthorized: ${REFUSED}` });
    // A socket already open when the token was revoked is closed at its next check.
    await eventually(() => expect(openSocket.closed).toEqual({ code: 4401, reason: `Unauthorized: ${REFUSED}` }));

    const { logIn: fresh } = await chirp.anonymous.data(LOG_IN, { input: { email: ada.email, password: 'password123' } });
    expect((await chirp.anonymous.as(fresh.token).data('{ me { id } }')).me.id).toBe(ada.id);
    expect((await connectWith(chirp.stack.url, fresh.token)).outcome).toBe('open');
  });
});

describe('log-in limits', () => {
  it('check at most ten of thirty concurrent wrong passwords, then refuse the right one with RATE_LIMITED', async () => {
    const ada: Account = await chirp.signUp();
    const attempt = (password: string) => chirp.anonymous.error(LOG_IN, { input: { email: ada.email, password } }).catch(() => ({ code: 'SIGNED_IN' }));
    const outcomes = await Promise.all(Array.from({ length: 30 }, () => attempt('wrong-password')));
    const codes = outcomes.map((outcome) => outcome.code);
    expect(codes.filter((code) => code === 'UNAUTHENTICATED')).toHaveLength(10);
    expect(codes.filter((code) => code === 'RATE_LIMITED')).toHaveLength(20);
    const right = await chirp.anonymous.error(LOG_IN, { input: { email: ada.email, password: 'password123' } });
    expect(right.code).toBe('RATE_LIMITED');
    expect(right.response.errors?.[0]?.extensions?.retryAfterSeconds).toEqual(expect.any(Number));
    expect(right.response.errors?.[0]?.extensions?.retryAfterSeconds).toBeGreaterThan(0);
    expect(right.message).toMatch(/Try again in \d+ (seconds|minutes)\./);
  });
});

describe('with tight sign-up and write limits, behind one trusted proxy', () => {
  const tight = useStack({}, () => ({
    ...isolatedEnvironment(),
    TRUST_PROXY: '1',
    RATE_LIMIT_SIGNUP: '2/600',
    RATE_LIMIT_POST: '2/600',
    RATE_LIMIT_LIKE: '2/600',
    RATE_LIMIT_FOLLOW: '2/600',
  }));
  const from = (address: string) => ({ 'x-forwarded-for': address });
  const signUpFrom = (address: string, handle = uniqueHandle('t')) => post(tight.stack.url, SIGN_UP, { input: signUpInput(handle) }, from(address));

  it('answers RATE_LIMITED to sign-ups past the limit per client address, as the proxy saw it', async () => {
    const first = await signUpFrom('198.51.100.1');
    expect(first.errors).toBeUndefined();
    await signUpFrom('198.51.100.1');
    const third = await signUpFrom('198.51.100.1');
    expect(third.errors?.[0]?.extensions).toMatchObject({ code: 'RATE_LIMITED', retryAfterSeconds: expect.any(Number) });
    // Another address has a budget of its own; what the client wrote to the left of it is not believed.
    expect((await signUpFrom('198.51.100.2')).errors).toBeUndefined();
    const forged = await post(tight.stack.url, SIGN_UP, { input: signUpInput(uniqueHandle('f')) }, from('203.0.113.99, 198.51.100.1'));
    expect(forged.errors?.[0]?.extensions?.code).toBe('RATE_LIMITED');
  });

  it('answers RATE_LIMITED to posts, likes and follows past the limit per user', async () => {
    const signedUp = async (address: string) => {
      const { data } = await signUpFrom(address);
      const payload = data?.signUp as { token: string; user: { id: string } };
      return { id: payload.user.id, client: tight.anonymous.as(payload.token) };
    };
    const [ada, bob] = [await signedUp('192.0.2.10'), await signedUp('192.0.2.11')];
    const postAs = (who: typeof ada, text: string) => who.client.request<{ postTweet: { id: string } }>(`mutation($t: String!) { postTweet(text: $t) { id } }`, { t: text });
    const tweetId = (await postAs(ada, 'one')).data?.postTweet.id as string;
    await postAs(ada, 'two');
    expect((await postAs(ada, 'three')).errors?.[0]?.extensions).toMatchObject({ code: 'RATE_LIMITED', retryAfterSeconds: expect.any(Number) });
    expect((await postAs(bob, 'mine')).errors).toBeUndefined();

    const like = (verb: 'likeTweet' | 'unlikeTweet') => bob.client.request(`mutation($id: ID!) { ${verb}(id: $id) { id } }`, { id: tweetId });
    await like('likeTweet');
    await like('unlikeTweet');
    expect((await like('likeTweet')).errors?.[0]?.extensions?.code).toBe('RATE_LIMITED');

    const follow = (verb: 'follow' | 'unfollow') => bob.client.request(`mutation($id: ID!) { ${verb}(userId: $id) { id } }`, { id: ada.id });
    await follow('follow');
    await follow('unfollow');
    expect((await follow('follow')).errors?.[0]?.extensions?.code).toBe('RATE_LIMITED');
  });
});

describe('the embedded default without JWT_SECRET', () => {
  const embedded = useStack({}, () => inMemoryEnvironment());

  it('signs with a key of its own, so a token signed with the public development key is refused', async () => {
    const ada = await embedded.signUp();
    expect(embedded.stack.jwt.secret).not.toBe(DEVELOPMENT_JWT_SECRET);
    const forged = await new TokenService({ ...embedded.stack.jwt, secret: DEVELOPMENT_JWT_SECRET }).issue({ id: ada.id, handle: ada.handle });
    expect(await embedded.anonymous.as(forged).error('{ me { id } }')).toMatchObject({ code: 'UNAUTHENTICATED', message: 'The token is not valid.' });
    expect((await connectWith(embedded.stack.url, forged)).closed?.code).toBe(4401);
    expect((await ada.client.data('{ me { id } }')).me.id).toBe(ada.id);
  });
});

import {
  ConflictError,
  InMemoryCache,
  InMemoryEventBus,
  InvalidInputError,
  NotFoundError,
  OutboxRelay,
  RateLimitedError,
  TokenService,
  Topics,
  UnauthenticatedError,
  createLogger,
  newId,
  type EventEnvelope,
  type Viewer,
} from '@chirp/platform';
import { outboxSources } from '../src/events/producers.js';
import { FollowService } from '../src/domain/follows.js';
import { FAST_HASHING, PasswordHasher } from '../src/domain/passwords.js';
import { UserService } from '../src/domain/users.js';
import { InMemoryFollowRepository, InMemoryUserRepository } from '../src/repositories/index.js';

/** The users domain on its in-process adapters: the rules, quickly. */
function setUp() {
  const users = new InMemoryUserRepository();
  const follows = new InMemoryFollowRepository();
  const bus = new InMemoryEventBus();
  const relay = new OutboxRelay(bus, outboxSources(users, follows), { sweepIntervalMs: 1000, graceMs: 0 }, createLogger('test', 'silent'));
  const tokens = new TokenService({ secret: 'test-secret-test-secret-test-secret', issuer: 'chirp', ttlSeconds: 60 });
  const now = () => new Date();
  const userService = new UserService({ users, passwords: new PasswordHasher(FAST_HASHING), tokens, relay, cache: new InMemoryCache(), newId, now });
  const followService = new FollowService({ users, follows, relay, now });
  const published: Array<{ topic: string; event: EventEnvelope }> = [];
  void bus.subscribe({ group: 'spy', topics: [Topics.userFollows, Topics.userProfiles], handler: async (event, topic) => void published.push({ topic, event }) });
  let n = 0;
  const signUp = async (handle = `user${(n += 1)}`) => {
    const session = await userService.signUp({ handle, email: `${handle}@example.com`, password: 'password1', firstName: 'Test', lastName: handle });
    return { ...session, viewer: { id: session.user.id, handle } as Viewer };
  };
  return { users: userService, follows: followService, bus, tokens, published, signUp, relay, repositories: { users, follows } };
}

describe('UserService', () => {
  it('signs up, issuing a token for the new user and publishing the profile', async () => {
    const { signUp, tokens, published, bus } = setUp();
    const { token, user } = await signUp('ada');
    expect(await tokens.verify(token)).toEqual({ id: user.id, handle: 'ada' });
    await bus.drain();
    expect(published).toEqual([
      expect.objectContaining({ topic: Topics.userProfiles, event: expect.objectContaining({ id: `user:${user.id}:v1`, type: 'user.profile_changed' }) }),
    ]);
    expect(JSON.stringify(published)).not.toContain('ada@example.com'); // no email on the wire
  });

  it('refuses a taken handle or email, whatever the case', async () => {
    const { users, signUp } = setUp();
    await signUp('ada');
    const base = { email: 'other@example.com', password: 'password1', firstName: 'A', lastName: 'B' };
    await expect(users.signUp({ ...base, handle: 'ADA' })).rejects.toEqual(new ConflictError('The handle @ADA is taken.', 'handle'));
    await expect(users.signUp({ ...base, handle: 'other', email: 'ADA@example.com' })).rejects.toMatchObject({ code: 'CONFLICT', field: 'email' });
  });

  it('lets exactly one of two racing sign-ups for a handle through', async () => {
    const { users } = setUp();
    const attempt = (email: string) => users.signUp({ handle: 'racer', email, password: 'password1', firstName: 'A', lastName: 'B' });
    const results = await Promise.allSettled([attempt('one@example.com'), attempt('two@example.com')]);
    expect(results.map((result) => result.status).sort()).toEqual(['fulfilled', 'rejected']);
  });

  it('logs in with the right password, and says the same for an unknown email and a wrong password', async () => {
    const { users, signUp } = setUp();
    const { user } = await signUp('ada');
    await expect(users.logIn({ email: ' ADA@example.com ', password: 'password1' })).resolves.toMatchObject({ user: { id: user.id } });
    const wrong = await users.logIn({ email: 'ada@example.com', password: 'password2' }).catch((error: unknown) => error);
    const unknown = await users.logIn({ email: 'nobody@example.com', password: 'password1' }).catch((error: unknown) => error);
    expect(wrong).toBeInstanceOf(UnauthenticatedError);
    expect(unknown).toEqual(wrong);
  });

  it('throttles log-ins after 10 failures for one email', async () => {
    const { users, signUp } = setUp();
    await signUp('ada');
    for (let attempt = 0; attempt < 10; attempt += 1) {
      await expect(users.logIn({ email: 'ada@example.com', password: 'wrong-password' })).rejects.toThrow(UnauthenticatedError);
    }
    await expect(users.logIn({ email: 'ada@example.com', password: 'password1' })).rejects.toThrow(RateLimitedError);
  });

  it('updates only the signed-in user’s profile, and publishes the new version', async () => {
    const { users, signUp, published, bus } = setUp();
    const { viewer } = await signUp('ada');
    await expect(users.updateProfile(null, { bio: 'x' })).rejects.toThrow(UnauthenticatedError);
    const updated = await users.updateProfile(viewer, { bio: '  Poet of science ', website: 'https://ada.dev' });
    expect(updated).toMatchObject({ bio: 'Poet of science', website: 'https://ada.dev', version: 2 });
    await bus.drain();
    expect(published.map(({ event }) => event.id)).toContain(`user:${viewer.id}:v2`);
  });
});

describe('FollowService', () => {
  it('follows and unfollows idempotently, with exact counts and one event per change', async () => {
    const { follows, signUp, published, bus } = setUp();
    const [ada, bob] = [await signUp('ada'), await signUp('bob')];
    await follows.follow(ada.viewer, bob.user.id);
    await follows.follow(ada.viewer, bob.user.id);
    expect(await follows.countFollowers(bob.user.id)).toBe(1);
    expect(await follows.countFollowing(ada.user.id)).toBe(1);
    await follows.unfollow(ada.viewer, bob.user.id);
    await follows.unfollow(ada.viewer, bob.user.id);
    expect(await follows.countFollowers(bob.user.id)).toBe(0);
    await bus.drain();
    const followEvents = published.filter(({ topic }) => topic === Topics.userFollows).map(({ event }) => event);
    expect(followEvents.map((event) => [event.type, (event.payload as { seq: number }).seq])).toEqual([
      ['user.followed', 1],
      ['user.unfollowed', 2],
    ]);
  });

  it('keeps counts exact under many concurrent follows', async () => {
    const { follows, signUp } = setUp();
    const star = await signUp('star');
    const fans = await Promise.all(Array.from({ length: 20 }, (_, n) => signUp(`fan${n}`)));
    await Promise.all(fans.flatMap((fan) => [follows.follow(fan.viewer, star.user.id), follows.follow(fan.viewer, star.user.id)]));
    expect(await follows.countFollowers(star.user.id)).toBe(20);
  });

  it('refuses following yourself, a user who does not exist, and anonymous callers', async () => {
    const { follows, signUp } = setUp();
    const { viewer } = await signUp('ada');
    await expect(follows.follow(viewer, viewer.id)).rejects.toEqual(new InvalidInputError('userId', 'You cannot follow yourself.'));
    await expect(follows.follow(viewer, '123')).rejects.toThrow(NotFoundError);
    await expect(follows.follow(null, '123')).rejects.toThrow(UnauthenticatedError);
  });

  it('publishes, through the sweeper, a change whose command died before publishing', async () => {
    const { relay, signUp, repositories, published, bus } = setUp();
    const [ada, bob] = [await signUp('ada'), await signUp('bob')];
    // As if the process died right after the write: the edge changed, nothing was sent.
    await repositories.follows.setActive(ada.user.id, bob.user.id, true, new Date());
    expect(await relay.sweepOnce()).toBe(1);
    expect(await relay.sweepOnce()).toBe(0);
    await bus.drain();
    expect(published.filter(({ topic }) => topic === Topics.userFollows)).toHaveLength(1);
  });
});

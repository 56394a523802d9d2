import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { jest } from '@jest/globals';
import {
  ConflictError,
  DiskObjectStorage,
  InMemoryEventBus,
  InvalidInputError,
  NotFoundError,
  OutboxRelay,
  RateLimitedError,
  TokenService,
  Topics,
  UnauthenticatedError,
  UNLIMITED,
  createLogger,
  memoryRateLimiter,
  newId,
  type RateLimiter,
  type EventEnvelope,
  type Viewer,
} from '@chirp/platform';
import { outboxSources } from '../src/events/producers.js';
import { FollowService } from '../src/domain/follows.js';
import { FAST_HASHING, PasswordHasher } from '../src/domain/passwords.js';
import { UserService } from '../src/domain/users.js';
import { MediaService } from '../src/domain/media.js';
import { PictureUrls } from '../src/domain/pictures.js';
import { SharpImageProcessor } from '../src/media/sharp-images.js';
import { InMemoryFollowRepository, InMemoryMediaUploadRepository, InMemoryUserRepository } from '../src/repositories/index.js';

interface Limits {
  logInAccount: RateLimiter;
  logInAddress: RateLimiter;
  signUp: RateLimiter;
  follow: RateLimiter;
}

/** The production log-in limits, as the service runs with; sign-up and follows unlimited unless a test says. */
const defaultLimits = (): Limits => ({
  logInAccount: memoryRateLimiter('loginAccount', { points: 10, durationSeconds: 300 }),
  logInAddress: memoryRateLimiter('loginAddress', { points: 30, durationSeconds: 3600, blockSeconds: 3600 }),
  signUp: UNLIMITED,
  follow: UNLIMITED,
});

const here = { clientAddress: '203.0.113.7' };

/** The users domain on its in-process adapters: the rules, quickly. */
function setUp(overrides: Partial<Limits> = {}) {
  const limits = { ...defaultLimits(), ...overrides };
  const users = new InMemoryUserRepository();
  const follows = new InMemoryFollowRepository();
  const bus = new InMemoryEventBus();
  const storage = new DiskObjectStorage({ dir: mkdtempSync(path.join(os.tmpdir(), 'chirp-users-test-')), baseUrl: 'http://media.test', signingKey: 'k' });
  const pictures = new PictureUrls(storage);
  const relay = new OutboxRelay(bus, outboxSources(users, follows, pictures), { sweepIntervalMs: 1000, graceMs: 0 }, createLogger('test', 'silent'));
  const uploads = new InMemoryMediaUploadRepository();
  const logger = createLogger('test', 'silent');
  const images = new SharpImageProcessor();
  const tokens = new TokenService({ secret: 'test-secret-test-secret-test-secret', issuer: 'chirp', ttlSeconds: 60 });
  const now = () => new Date();
  const passwords = new PasswordHasher(FAST_HASHING);
  const revoked: string[] = [];
  const media = new MediaService({ uploads, users, storage, images, pictures, relay, limit: UNLIMITED, logger, newId, now });
  const userService = new UserService({
    users,
    passwords,
    tokens,
    relay,
    limits,
    pictures,
    media,
    announceRevoked: async (userId) => void revoked.push(userId),
    newId,
    now,
  });
  const followService = new FollowService({ users, follows, relay, followLimit: limits.follow, now });
  const published: Array<{ topic: string; event: EventEnvelope }> = [];
  void bus.subscribe({ group: 'spy', topics: [Topics.userFollows, Topics.userProfiles], handler: async (event, topic) => void published.push({ topic, event }) });
  let n = 0;
  const signUp = async (handle = `user${(n += 1)}`) => {
    const session = await userService.signUp({ handle, email: `${handle}@example.com`, password: 'password1', firstName: 'Test', lastName: handle }, here);
    return { ...session, viewer: { id: session.user.id, handle } as Viewer };
  };
  return { users: userService, follows: followService, media, storage, bus, tokens, passwords, published, revoked, signUp, relay, repositories: { users, follows, uploads } };
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
    await expect(users.signUp({ ...base, handle: 'ADA' }, here)).rejects.toEqual(new ConflictError('The handle @ADA is taken.', 'handle'));
    await expect(users.signUp({ ...base, handle: 'other', email: 'ADA@example.com' }, here)).rejects.toMatchObject({ code: 'CONFLICT', field: 'email' });
  });

  it('lets exactly one of two racing sign-ups for a handle through', async () => {
    const { users } = setUp();
    const attempt = (email: string) => users.signUp({ handle: 'racer', email, password: 'password1', firstName: 'A', lastName: 'B' }, here);
    const results = await Promise.allSettled([attempt('one@example.com'), attempt('two@example.com')]);
    expect(results.map((result) => result.status).sort()).toEqual(['fulfilled', 'rejected']);
  });

  it('logs in with the right password, and says the same for an unknown email and a wrong password', async () => {
    const { users, signUp } = setUp();
    const { user } = await signUp('ada');
    await expect(users.logIn({ email: ' ADA@example.com ', password: 'password1' }, here)).resolves.toMatchObject({ user: { id: user.id } });
    const wrong = await users.logIn({ email: 'ada@example.com', password: 'password2' }, here).catch((error: unknown) => error);
    const unknown = await users.logIn({ email: 'nobody@example.com', password: 'password1' }, here).catch((error: unknown) => error);
    expect(wrong).toBeInstanceOf(UnauthenticatedError);
    expect(unknown).toEqual(wrong);
  });

  it('throttles log-ins after 10 failures for one email', async () => {
    const { users, signUp } = setUp();
    await signUp('ada');
    for (let attempt = 0; attempt < 10; attempt += 1) {
      await expect(users.logIn({ email: 'ada@example.com', password: 'wrong-password' }, here)).rejects.toThrow(UnauthenticatedError);
    }
    await expect(users.logIn({ email: 'ada@example.com', password: 'password1' }, here)).rejects.toThrow(RateLimitedError);
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

describe('log-in limits', () => {
  const attempt = (users: UserService, password: string, origin = here) =>
    users.logIn({ email: 'ada@example.com', password }, origin).then(
      () => 'in',
      (error: { code?: string }) => error.code,
    );

  it('checks at most ten of thirty concurrent wrong passwords, then refuses the right one with RATE_LIMITED', async () => {
    const { users, signUp, passwords } = setUp();
    await signUp('ada');
    const verify = jest.spyOn(passwords, 'verify');
    const outcomes = await Promise.all(Array.from({ length: 30 }, () => attempt(users, 'wrong-password')));
    expect(verify).toHaveBeenCalledTimes(10);
    expect(outcomes.filter((code) => code === 'UNAUTHENTICATED')).toHaveLength(10);
    expect(outcomes.filter((code) => code === 'RATE_LIMITED')).toHaveLength(20);
    const refused = await users.logIn({ email: 'ada@example.com', password: 'password1' }, here).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(RateLimitedError);
    expect((refused as RateLimitedError).retryAfterSeconds).toBeGreaterThan(0);
    expect(verify).toHaveBeenCalledTimes(10);
  });

  it('gives a right password’s points back, so the owner’s own log-ins never lock them out', async () => {
    const { users, signUp } = setUp();
    await signUp('ada');
    for (let n = 0; n < 25; n += 1) expect(await attempt(users, 'password1')).toBe('in');
    for (let n = 0; n < 9; n += 1) expect(await attempt(users, 'wrong-password')).toBe('UNAUTHENTICATED');
    expect(await attempt(users, 'password1')).toBe('in');
  });

  it('stops one address across accounts, without spending the accounts’ points once it is over', async () => {
    const { users, signUp } = setUp({ logInAddress: memoryRateLimiter('address', { points: 3, durationSeconds: 60, blockSeconds: 600 }) });
    await signUp('ada');
    const stranger = { clientAddress: '198.51.100.1' };
    for (let n = 0; n < 3; n += 1) expect(await attempt(users, 'wrong-password', stranger)).toBe('UNAUTHENTICATED');
    for (let n = 0; n < 20; n += 1) expect(await attempt(users, 'wrong-password', stranger)).toBe('RATE_LIMITED');
    // Ada, elsewhere, still has 7 of her 10.
    for (let n = 0; n < 2; n += 1) expect(await attempt(users, 'wrong-password', { clientAddress: '192.0.2.1' })).toBe('UNAUTHENTICATED');
    expect(await attempt(users, 'password1', { clientAddress: '192.0.2.2' })).toBe('in');
  });

  it('limits sign-ups per client address (an IPv6 /64 as one)', async () => {
    const { users } = setUp({ signUp: memoryRateLimiter('signUp', { points: 2, durationSeconds: 3600 }) });
    const signUpFrom = (handle: string, clientAddress: string) =>
      users.signUp({ handle, email: `${handle}@example.com`, password: 'password1', firstName: 'A', lastName: 'B' }, { clientAddress });
    await signUpFrom('one', '2001:db8:1:2::10');
    await signUpFrom('two', '2001:db8:1:2::20');
    await expect(signUpFrom('three', '2001:db8:1:2:ffff::1')).rejects.toMatchObject({ code: 'RATE_LIMITED', retryAfterSeconds: expect.any(Number) });
    await expect(signUpFrom('four', '2001:db8:1:3::1')).resolves.toBeDefined();
  });
});

describe('sessions', () => {
  it('issues tokens at the user’s generation, and logOutEverywhere raises it and tells the gateways', async () => {
    const { users, signUp, tokens, revoked } = setUp();
    const { token, user, viewer } = await signUp('ada');
    expect((await tokens.verifySession(token)).generation).toBe(0);
    expect(await users.sessionGeneration(user.id)).toBe(0);
    await expect(users.logOutEverywhere(null)).rejects.toThrow(UnauthenticatedError);
    expect(await users.logOutEverywhere(viewer)).toBe(true);
    expect(await users.sessionGeneration(user.id)).toBe(1);
    expect(revoked).toEqual([user.id]);
    const fresh = await users.logIn({ email: 'ada@example.com', password: 'password1' }, here);
    expect((await tokens.verifySession(fresh.token)).generation).toBe(1);
  });

  it('knows no generation for a user who does not exist, and cannot log them out', async () => {
    const { users } = setUp();
    expect(await users.sessionGeneration('404')).toBeNull();
    await expect(users.logOutEverywhere({ id: '404', handle: 'ghost' })).rejects.toThrow(UnauthenticatedError);
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

  it('refuses a follower who does not exist, leaving no edge behind', async () => {
    const { follows, signUp } = setUp();
    const bob = await signUp('bob');
    await expect(follows.follow({ id: '404', handle: 'ghost' }, bob.user.id)).rejects.toThrow(UnauthenticatedError);
    expect(await follows.countFollowers(bob.user.id)).toBe(0);
  });

  it('limits follows and unfollows per user', async () => {
    const { follows, signUp } = setUp({ follow: memoryRateLimiter('follow', { points: 3, durationSeconds: 900 }) });
    const [ada, bob, cy] = [await signUp('ada'), await signUp('bob'), await signUp('cy')];
    await follows.follow(ada.viewer, bob.user.id);
    await follows.unfollow(ada.viewer, bob.user.id);
    await follows.follow(ada.viewer, bob.user.id);
    await expect(follows.follow(ada.viewer, cy.user.id)).rejects.toMatchObject({ code: 'RATE_LIMITED' });
    await expect(follows.follow(bob.viewer, cy.user.id)).resolves.toMatchObject({ id: cy.user.id });
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

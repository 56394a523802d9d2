import { newId } from '@chirp/platform';
import type { MediaUpload } from '../src/domain/media.js';
import type { FollowEdge, NewUser } from '../src/domain/model.js';
import { DuplicateValueError, type FollowRepository, type MediaUploadRepository, type UserRepository } from '../src/repositories/types.js';

let counter = 0;
export function newUser(overrides: Partial<NewUser> = {}): NewUser {
  counter += 1;
  const id = `${Date.now()}${String(counter).padStart(6, '0')}`;
  return {
    id,
    handle: `user${counter}_${id.slice(-4)}`.slice(0, 15),
    email: `user${counter}.${id}@example.com`,
    passwordHash: 'scrypt$hash',
    firstName: 'Test',
    lastName: `User ${counter}`,
    birthDate: null,
    createdAt: new Date(Math.floor(Date.now() / 1000) * 1000),
    ...overrides,
  };
}

const at = (ms: number) => new Date(1_700_000_000_000 + ms);

/** What every UserRepository must do, in memory and on MongoDB alike. */
export function describeUserRepositoryContract(name: string, create: () => Promise<UserRepository>): void {
  describe(`UserRepository contract: ${name}`, () => {
    let users: UserRepository;
    beforeAll(async () => {
      users = await create();
    });

    it('creates a user at version 1 and finds it by id, ids and handle (case-insensitively)', async () => {
      const input = newUser({ handle: 'MixedCase' + String(counter).slice(-3) });
      const created = await users.create(input);
      expect(created).toMatchObject({ id: input.id, handle: input.handle, version: 1, bio: null });
      expect(created).not.toHaveProperty('passwordHash');
      expect(await users.findById(input.id)).toEqual(created);
      expect(await users.findByHandle(input.handle.toUpperCase())).toEqual(created);
      expect(await users.findByIds([input.id, 'nobody'])).toEqual([created]);
      expect(await users.findById('nobody')).toBeNull();
    });

    it('refuses a taken handle or email, whatever their case, and says which', async () => {
      const first = await users.create(newUser());
      await expect(users.create(newUser({ handle: first.handle.toUpperCase() }))).rejects.toEqual(new DuplicateValueError('handle'));
      await expect(users.create(newUser({ email: first.email.toUpperCase() }))).rejects.toEqual(new DuplicateValueError('email'));
    });

    it('finds credentials by email, case-insensitively', async () => {
      const input = newUser({ passwordHash: 'scrypt$secret' });
      await users.create(input);
      expect(await users.findCredentialsByEmail(input.email.toUpperCase())).toEqual({
        userId: input.id,
        passwordHash: 'scrypt$secret',
      });
      expect(await users.findCredentialsByEmail('nobody@example.com')).toBeNull();
    });

    it('updates a profile, bumping the version', async () => {
      const created = await users.create(newUser());
      expect(await users.findById(created.id)).toEqual(created); // read first: a cache in front now holds it
      const updated = await users.updateProfile(created.id, { bio: 'Hello', website: null }, at(5));
      expect(updated).toMatchObject({ bio: 'Hello', website: null, version: 2, updatedAt: at(5) });
      expect(await users.findById(created.id)).toEqual(updated);
      expect(await users.findByIds([created.id, 'nobody'])).toEqual([updated]);
      expect(await users.updateProfile('nobody', { bio: 'x' }, at(6))).toBeNull();
    });

    it('raises the session generation with a new version, seen through any cache in front', async () => {
      const created = await users.create(newUser());
      expect(created.sessionGeneration).toBe(0);
      expect(await users.findById(created.id)).toEqual(created); // a cache in front now holds generation 0
      const revoked = await users.revokeSessions(created.id, at(7));
      expect(revoked).toMatchObject({ sessionGeneration: 1, version: 2, updatedAt: created.updatedAt });
      expect(await users.findById(created.id)).toEqual(revoked);
      expect((await users.revokeSessions(created.id, at(8)))?.sessionGeneration).toBe(2);
      expect((await users.findUnpublished(new Date(), 10_000)).find((user) => user.id === created.id)).toMatchObject({ version: 3 });
      expect(await users.revokeSessions('nobody', at(9))).toBeNull();
    });

    it('keeps each change pending until that version is published', async () => {
      const created = await users.create(newUser({ createdAt: at(0) }));
      const pendingIds = async () => (await users.findUnpublished(new Date(), 10_000)).map((user) => user.id);
      expect(await pendingIds()).toContain(created.id);
      await users.markPublished(created.id, 1);
      expect(await pendingIds()).not.toContain(created.id);

      await users.updateProfile(created.id, { bio: 'v2' }, at(10));
      await users.updateProfile(created.id, { bio: 'v3' }, at(20));
      await users.markPublished(created.id, 2); // an older version does not settle the newer change
      const pending = (await users.findUnpublished(new Date(), 10_000)).find((user) => user.id === created.id);
      expect(pending).toMatchObject({ version: 3, bio: 'v3' });
      expect((await users.findUnpublished(at(15), 10_000)).map((user) => user.id)).not.toContain(created.id);
      await users.markPublished(created.id, 3);
      expect(await pendingIds()).not.toContain(created.id);
    });
  });
}

/** What every FollowRepository must do, in memory and on MongoDB alike. */
export function describeFollowRepositoryContract(name: string, create: () => Promise<FollowRepository>): void {
  describe(`FollowRepository contract: ${name}`, () => {
    let follows: FollowRepository;
    beforeAll(async () => {
      follows = await create();
    });
    const ids = () => newUser().id;

    it('changes an edge only when its state changes, counting each change', async () => {
      const [a, b] = [ids(), ids()];
      expect(await follows.setActive(a, b, false, at(0))).toBeNull(); // unfollowing a stranger changes nothing
      expect(await follows.setActive(a, b, true, at(1))).toEqual({ followerId: a, followeeId: b, active: true, seq: 1, changedAt: at(1) });
      expect(await follows.setActive(a, b, true, at(2))).toBeNull();
      expect(await follows.setActive(a, b, false, at(3))).toMatchObject({ active: false, seq: 2 });
      expect(await follows.setActive(a, b, false, at(4))).toBeNull();
      expect(await follows.setActive(a, b, true, at(5))).toMatchObject({ active: true, seq: 3 });
    });

    it('lets exactly one of many racing identical follows through', async () => {
      const [a, b] = [ids(), ids()];
      const results = await Promise.all(Array.from({ length: 10 }, () => follows.setActive(a, b, true, at(1))));
      expect(results.filter((edge) => edge !== null)).toHaveLength(1);
      expect(await follows.countFollowers(b)).toBe(1);
    });

    it('counts and lists active edges, newest first, page by page', async () => {
      const star = ids();
      const fans = Array.from({ length: 5 }, () => ids());
      for (const [n, fan] of fans.entries()) await follows.setActive(fan, star, true, at(100 + n));
      await follows.setActive(fans[1] as string, star, false, at(200)); // an unfollow leaves the list
      // Two follows in the same millisecond are ordered by id.
      const twin = ids();
      await follows.setActive(twin, star, true, at(104));

      expect(await follows.countFollowers(star)).toBe(5);
      expect(await follows.countFollowing(fans[0] as string)).toBe(1);
      // ids() grow with time, so the twin sorts above fans[4], which followed in the same millisecond.
      const firstPage = await follows.listFollowers(star, 2);
      expect(firstPage.map((edge) => edge.followerId)).toEqual([twin, fans[4]]);
      const last = firstPage.at(-1) as FollowEdge;
      const rest = await follows.listFollowers(star, 10, { changedAt: last.changedAt, userId: last.followerId });
      expect(rest.map((edge) => edge.followerId)).toEqual([fans[3], fans[2], fans[0]]);
      expect((await follows.listFollowing(fans[0] as string, 10)).map((edge) => edge.followeeId)).toEqual([star]);
    });

    it('says which of some users a follower follows', async () => {
      const [me, x, y, z] = [ids(), ids(), ids(), ids()];
      await follows.setActive(me, x, true, at(1));
      await follows.setActive(me, z, true, at(1));
      await follows.setActive(me, z, false, at(2));
      expect(await follows.followedAmong(me, [x, y, z])).toEqual(new Set([x]));
      expect(await follows.followedAmong(me, [])).toEqual(new Set());
    });

    it('keeps each change pending until that seq is published', async () => {
      const [a, b] = [ids(), ids()];
      const isPending = async () =>
        (await follows.findUnpublished(new Date(), 100_000)).some((edge) => edge.followerId === a && edge.followeeId === b);
      await follows.setActive(a, b, true, at(1));
      expect(await isPending()).toBe(true);
      await follows.setActive(a, b, false, at(2));
      await follows.markPublished(a, b, 1); // stale: seq 2 is still unpublished
      expect(await isPending()).toBe(true);
      await follows.markPublished(a, b, 2);
      expect(await isPending()).toBe(false);
    });
  });
}

/** What every MediaUploadRepository must do, in memory and on MongoDB alike. */
export function describeMediaUploadRepositoryContract(name: string, create: () => Promise<MediaUploadRepository>): void {
  describe(`MediaUploadRepository contract: ${name}`, () => {
    let uploads: MediaUploadRepository;
    beforeAll(async () => {
      uploads = await create();
    });
    const at = (minutes: number) => new Date(Date.UTC(2026, 0, 1, 12, minutes));
    const upload = (overrides: Partial<MediaUpload> = {}): MediaUpload => {
      const id = newId();
      return {
        id,
        userId: 'u1',
        kind: 'AVATAR',
        key: `incoming/u1/${id}`,
        contentType: 'image/png',
        byteSize: 100,
        createdAt: at(0),
        updatedAt: at(0),
        expiresAt: at(15),
        state: 'pending',
        madeKeys: [],
        replacedKeys: [],
        ...overrides,
      };
    };

    it('stores an upload and finds it by id', async () => {
      const made = upload();
      await uploads.create(made);
      expect(await uploads.findById(made.id)).toEqual(made);
      expect(await uploads.findById('nothing')).toBeNull();
    });

    it('moves an upload from one state to the next only once, however many try', async () => {
      const made = upload();
      await uploads.create(made);
      const tries = await Promise.all([1, 2, 3].map(() => uploads.transition(made.id, 'pending', 'processing', {}, at(1))));
      expect(tries.filter(Boolean)).toHaveLength(1);
      const recorded = await uploads.transition(made.id, 'processing', 'processing', { madeKeys: ['a', 'b'], replacedKeys: ['c'] }, at(2));
      expect(recorded).toMatchObject({ state: 'processing', madeKeys: ['a', 'b'], replacedKeys: ['c'], updatedAt: at(2) });
      expect(await uploads.transition(made.id, 'pending', 'failed', {}, at(3))).toBeNull();
    });

    it('finds what the sweep settles: expired forms, stuck processing, replaced pictures still listed', async () => {
      const userId = newId();
      const fresh = upload({ userId, expiresAt: at(30) });
      const expired = upload({ userId, expiresAt: at(5) });
      const stuck = upload({ userId, state: 'processing', updatedAt: at(1) });
      const running = upload({ userId, state: 'processing', updatedAt: at(25) });
      const tidy = upload({ userId, state: 'used', updatedAt: at(1) });
      const untidy = upload({ userId, state: 'used', updatedAt: at(1), replacedKeys: ['old'] });
      for (const one of [fresh, expired, stuck, running, tidy, untidy]) await uploads.create(one);
      await uploads.transition(tidy.id, 'used', 'used', { replacedKeys: [] }, at(1));
      const found = (await uploads.findUnsettled(at(20), at(10), 100)).filter((one) => one.userId === userId);
      expect(found.map((one) => one.id).sort()).toEqual([expired.id, stuck.id, untidy.id].sort());
      await uploads.transition(stuck.id, 'processing', 'failed', {}, at(21));
      expect((await uploads.findUnsettled(at(20), at(10), 100)).map((one) => one.id)).not.toContain(stuck.id);
    });
  });
}

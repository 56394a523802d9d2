import { readThroughInOrder, type CachedRecords, type VersionedCache } from '@chirp/platform';
import type { Credentials, NewUser, ProfileChanges, User } from '../../domain/model.js';
import type { UserRepository } from '../types.js';

const TTL_SECONDS = 3600;

/** Entries carry the profile's version, so a reader's fill never overwrites a fresher update. */
const USERS: CachedRecords<User> = {
  key: (id) => `user:${id}`,
  entry: (user) => ({ key: `user:${user.id}`, version: user.version, value: JSON.stringify(user), ttlSeconds: TTL_SECONDS }),
  revive: (value) => {
    const user = JSON.parse(value) as User;
    // Entries cached before sessions had generations have none: 0, as on the document.
    return { ...user, createdAt: new Date(user.createdAt), updatedAt: new Date(user.updatedAt), sessionGeneration: user.sessionGeneration ?? 0 };
  },
};

/**
 * The hot-user cache in front of the users collection. Every tweet shown
 * anywhere resolves its author here, by id: with a warm cache that costs a
 * Redis read, not a MongoDB query. Sign-ups and profile updates put the new
 * document in. Look-ups by handle and email, rarer, go to MongoDB.
 */
export class CachedUserRepository implements UserRepository {
  constructor(
    private readonly inner: UserRepository,
    private readonly cache: VersionedCache,
  ) {}

  async create(user: NewUser): Promise<User> {
    return this.remember(await this.inner.create(user));
  }

  async findById(id: string): Promise<User | null> {
    return (await this.findByIds([id]))[0] ?? null;
  }

  findByIds(ids: readonly string[]): Promise<User[]> {
    return readThroughInOrder(this.cache, USERS, ids, (missing) => this.inner.findByIds(missing));
  }

  findByHandle(handle: string): Promise<User | null> {
    return this.inner.findByHandle(handle);
  }

  findCredentialsByEmail(email: string): Promise<Credentials | null> {
    return this.inner.findCredentialsByEmail(email);
  }

  async updateProfile(id: string, changes: ProfileChanges, at: Date): Promise<User | null> {
    const user = await this.inner.updateProfile(id, changes, at);
    return user ? this.remember(user) : null;
  }

  async revokeSessions(id: string, at: Date): Promise<User | null> {
    const user = await this.inner.revokeSessions(id, at);
    return user ? this.remember(user) : null;
  }

  findUnpublished(olderThan: Date, limit: number): Promise<User[]> {
    return this.inner.findUnpublished(olderThan, limit);
  }

  markPublished(id: string, version: number): Promise<void> {
    return this.inner.markPublished(id, version);
  }

  private async remember(user: User): Promise<User> {
    await this.cache.setManyIfNewer([USERS.entry(user)]);
    return user;
  }
}

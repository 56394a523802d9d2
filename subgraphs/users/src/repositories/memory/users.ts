import { PendingChanges } from '@chirp/platform';
import type { Credentials, NewUser, ProfileChanges, User } from '../../domain/model.js';
import { DuplicateValueError, type UserRepository } from '../types.js';

interface Stored {
  user: User;
  passwordHash: string;
}

/** The users collection in Maps, with the same rules as MongoDB's unique indexes. */
export class InMemoryUserRepository implements UserRepository {
  private readonly byId = new Map<string, Stored>();
  private readonly idByHandle = new Map<string, string>();
  private readonly idByEmail = new Map<string, string>();
  private readonly unpublished = new PendingChanges();

  async create(newUser: NewUser): Promise<User> {
    const handleKey = newUser.handle.toLowerCase();
    const emailKey = newUser.email.toLowerCase();
    if (this.idByHandle.has(handleKey)) throw new DuplicateValueError('handle');
    if (this.idByEmail.has(emailKey)) throw new DuplicateValueError('email');
    const { passwordHash, ...fields } = newUser;
    const user: User = {
      ...fields,
      bio: null,
      website: null,
      location: null,
      avatarUrl: null,
      bannerUrl: null,
      avatar: null,
      banner: null,
      updatedAt: newUser.createdAt,
      version: 1,
      sessionGeneration: 0,
    };
    this.byId.set(user.id, { user, passwordHash });
    this.unpublished.mark(user.id, 1, newUser.createdAt);
    this.idByHandle.set(handleKey, user.id);
    this.idByEmail.set(emailKey, user.id);
    return { ...user };
  }

  async findById(id: string): Promise<User | null> {
    const stored = this.byId.get(id);
    return stored ? { ...stored.user } : null;
  }

  async findByIds(ids: readonly string[]): Promise<User[]> {
    return ids.flatMap((id) => {
      const stored = this.byId.get(id);
      return stored ? [{ ...stored.user }] : [];
    });
  }

  async findByHandle(handle: string): Promise<User | null> {
    const id = this.idByHandle.get(handle.toLowerCase());
    return id ? this.findById(id) : null;
  }

  async findCredentialsByEmail(email: string): Promise<Credentials | null> {
    const id = this.idByEmail.get(email.toLowerCase());
    const stored = id ? this.byId.get(id) : undefined;
    return stored ? { userId: stored.user.id, passwordHash: stored.passwordHash } : null;
  }

  async updateProfile(id: string, changes: ProfileChanges, at: Date): Promise<User | null> {
    const stored = this.byId.get(id);
    if (!stored) return null;
    stored.user = { ...stored.user, ...changes, updatedAt: at, version: stored.user.version + 1 };
    this.unpublished.mark(id, stored.user.version, at);
    return { ...stored.user };
  }

  async revokeSessions(id: string, at: Date): Promise<User | null> {
    const stored = this.byId.get(id);
    if (!stored) return null;
    stored.user = { ...stored.user, version: stored.user.version + 1, sessionGeneration: stored.user.sessionGeneration + 1 };
    this.unpublished.mark(id, stored.user.version, at);
    return { ...stored.user };
  }

  async findUnpublished(olderThan: Date, limit: number): Promise<User[]> {
    return this.findByIds(this.unpublished.olderThan(olderThan, limit));
  }

  async markPublished(id: string, version: number): Promise<void> {
    this.unpublished.settle(id, version);
  }
}

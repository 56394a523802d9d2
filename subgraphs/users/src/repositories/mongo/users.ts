import type { Collection, Db } from 'mongodb';
import { byIds, ensureIndexes, isDuplicateKeyError } from '@chirp/platform';
import type { Credentials, NewUser, Picture, ProfileChanges, User } from '../../domain/model.js';
import { DuplicateValueError, type UserRepository } from '../types.js';

interface UserDocument {
  _id: string;
  handle: string;
  /** Lower-cased handle: the unique index that makes handles case-insensitive. */
  handleKey: string;
  email: string;
  emailKey: string;
  passwordHash: string;
  firstName: string;
  lastName: string;
  birthDate: string | null;
  bio: string | null;
  website: string | null;
  location: string | null;
  avatarUrl: string | null;
  bannerUrl: string | null;
  /** Absent on documents from before uploads: none. */
  avatar?: Picture | null;
  banner?: Picture | null;
  createdAt: Date;
  updatedAt: Date;
  version: number;
  /** Absent on documents from before sessions had generations: 0. */
  sessionGeneration?: number;
  publishedVersion: number;
  /** Set with every change, cleared once its event is published: the outbox marker. */
  pendingSince: Date | null;
}

const PUBLIC_PROJECTION = { passwordHash: 0, handleKey: 0, emailKey: 0, publishedVersion: 0, pendingSince: 0 } as const;

export class MongoUserRepository implements UserRepository {
  private readonly collection: Collection<UserDocument>;

  constructor(db: Db) {
    this.collection = db.collection<UserDocument>('users');
  }

  async ensureIndexes(): Promise<void> {
    await ensureIndexes(this.collection, [
      { key: { handleKey: 1 }, name: 'handleKey_unique', unique: true },
      { key: { emailKey: 1 }, name: 'emailKey_unique', unique: true },
      { key: { pendingSince: 1 }, name: 'pendingSince' },
    ]);
  }

  async create(user: NewUser): Promise<User> {
    const document: UserDocument = {
      _id: user.id,
      handle: user.handle,
      handleKey: user.handle.toLowerCase(),
      email: user.email,
      emailKey: user.email.toLowerCase(),
      passwordHash: user.passwordHash,
      firstName: user.firstName,
      lastName: user.lastName,
      birthDate: user.birthDate,
      bio: null,
      website: null,
      location: null,
      avatarUrl: null,
      bannerUrl: null,
      avatar: null,
      banner: null,
      createdAt: user.createdAt,
      updatedAt: user.createdAt,
      version: 1,
      sessionGeneration: 0,
      publishedVersion: 0,
      pendingSince: user.createdAt,
    };
    try {
      await this.collection.insertOne(document);
    } catch (error) {
      if (isDuplicateKeyError(error)) throw new DuplicateValueError(await this.takenField(document));
      throw error;
    }
    return toUser(document);
  }

  /**
   * Which unique value made an insert fail. Asked of the data rather than
   * read from the error, whose details differ between MongoDB and FerretDB.
   */
  private async takenField(document: UserDocument): Promise<'handle' | 'email'> {
    const sameHandle = await this.collection.countDocuments({ handleKey: document.handleKey }, { limit: 1 });
    return sameHandle > 0 ? 'handle' : 'email';
  }

  async findById(id: string): Promise<User | null> {
    const document = await this.collection.findOne({ _id: id }, { projection: PUBLIC_PROJECTION });
    return document ? toUser(document) : null;
  }

  async findByIds(ids: readonly string[]): Promise<User[]> {
    if (ids.length === 0) return [];
    const documents = await this.collection.find(byIds(ids), { projection: PUBLIC_PROJECTION }).toArray();
    return documents.map(toUser);
  }

  async findByHandle(handle: string): Promise<User | null> {
    const document = await this.collection.findOne({ handleKey: handle.toLowerCase() }, { projection: PUBLIC_PROJECTION });
    return document ? toUser(document) : null;
  }

  async findCredentialsByEmail(email: string): Promise<Credentials | null> {
    const document = await this.collection.findOne(
      { emailKey: email.toLowerCase() },
      { projection: { _id: 1, passwordHash: 1 } },
    );
    return document ? { userId: document._id, passwordHash: document.passwordHash } : null;
  }

  async updateProfile(id: string, changes: ProfileChanges, at: Date): Promise<User | null> {
    const document = await this.collection.findOneAndUpdate(
      { _id: id },
      { $set: { ...changes, updatedAt: at, pendingSince: at }, $inc: { version: 1 } },
      // No projection here: FerretDB 1.x does not support one on findAndModify; toUser drops the private fields.
      { returnDocument: 'after' },
    );
    return document ? toUser(document) : null;
  }

  async revokeSessions(id: string, at: Date): Promise<User | null> {
    const document = await this.collection.findOneAndUpdate(
      { _id: id },
      { $set: { pendingSince: at }, $inc: { version: 1, sessionGeneration: 1 } },
      { returnDocument: 'after' },
    );
    return document ? toUser(document) : null;
  }

  async findUnpublished(olderThan: Date, limit: number): Promise<User[]> {
    const documents = await this.collection
      .find({ pendingSince: { $lte: olderThan } }, { projection: PUBLIC_PROJECTION })
      .sort({ pendingSince: 1 })
      .limit(limit)
      .toArray();
    return documents.map(toUser);
  }

  async markPublished(id: string, version: number): Promise<void> {
    // Only if nothing changed meanwhile: a newer version stays pending.
    await this.collection.updateOne({ _id: id, version }, { $set: { publishedVersion: version, pendingSince: null } });
  }
}

function toUser(document: Omit<UserDocument, 'passwordHash' | 'handleKey' | 'emailKey' | 'publishedVersion' | 'pendingSince'>): User {
  return {
    id: document._id,
    handle: document.handle,
    email: document.email,
    firstName: document.firstName,
    lastName: document.lastName,
    birthDate: document.birthDate,
    bio: document.bio,
    website: document.website,
    location: document.location,
    avatarUrl: document.avatarUrl,
    bannerUrl: document.bannerUrl,
    avatar: document.avatar ?? null,
    banner: document.banner ?? null,
    createdAt: document.createdAt,
    updatedAt: document.updatedAt,
    version: document.version,
    sessionGeneration: document.sessionGeneration ?? 0,
  };
}


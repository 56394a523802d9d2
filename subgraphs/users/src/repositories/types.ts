import type { MediaUpload, UploadState } from '../domain/media.js';
import type { Credentials, FollowCursor, FollowEdge, NewUser, ProfileChanges, User } from '../domain/model.js';

/** A unique field already holds this value (the repository says which). */
export class DuplicateValueError extends Error {
  constructor(readonly field: 'handle' | 'email') {
    super(`duplicate ${field}`);
  }
}

export interface UserRepository {
  /** Stores a new user with an unpublished profile change; throws DuplicateValueError. */
  create(user: NewUser): Promise<User>;
  findById(id: string): Promise<User | null>;
  findByIds(ids: readonly string[]): Promise<User[]>;
  /** Case-insensitive. */
  findByHandle(handle: string): Promise<User | null>;
  /** Case-insensitive. */
  findCredentialsByEmail(email: string): Promise<Credentials | null>;
  /** Applies the changes, bumps the version and marks it unpublished; null when there is no such user. */
  updateProfile(id: string, changes: ProfileChanges, at: Date): Promise<User | null>;
  /**
   * Raises the session generation (revoking every token issued so far). It
   * bumps the version and marks it unpublished too, like a profile change:
   * the cached copy is replaced only by a newer version. Null when there is no such user.
   */
  revokeSessions(id: string, at: Date): Promise<User | null>;
  /** Users whose latest profile change has been waiting since before `olderThan`. */
  findUnpublished(olderThan: Date, limit: number): Promise<User[]>;
  /** Records that `version` was published, unless the profile has changed again since. */
  markPublished(id: string, version: number): Promise<void>;
}

export interface FollowRepository {
  /**
   * Sets the edge's state. Returns the edge after its change, or null when it
   * was already in that state (following twice changes nothing). Safe under
   * concurrent calls: exactly one of two racing identical calls changes it.
   */
  setActive(followerId: string, followeeId: string, active: boolean, at: Date): Promise<FollowEdge | null>;
  /** Of `followeeIds`, those `followerId` follows now. */
  followedAmong(followerId: string, followeeIds: readonly string[]): Promise<Set<string>>;
  /** Active edges into `userId`, newest first, after the cursor. */
  listFollowers(userId: string, limit: number, after?: FollowCursor): Promise<FollowEdge[]>;
  /** Active edges out of `userId`, newest first, after the cursor. */
  listFollowing(userId: string, limit: number, after?: FollowCursor): Promise<FollowEdge[]>;
  countFollowers(userId: string): Promise<number>;
  countFollowing(userId: string): Promise<number>;
  /** Edges whose latest change has been waiting to be published since before `olderThan`. */
  findUnpublished(olderThan: Date, limit: number): Promise<FollowEdge[]>;
  /** Records that `seq` was published, unless the edge has changed again since. */
  markPublished(followerId: string, followeeId: string, seq: number): Promise<void>;
}

/** Presigned uploads and what became of them (see MediaService). */
export interface MediaUploadRepository {
  create(upload: MediaUpload): Promise<void>;
  findById(id: string): Promise<MediaUpload | null>;
  /**
   * Moves the upload from state `from` to `to`, setting `fields`, unless it
   * is no longer in `from` (another call got there first): the upload
   * after, or null.
   */
  transition(id: string, from: UploadState, to: UploadState, fields: Partial<Pick<MediaUpload, 'madeKeys' | 'replacedKeys'>>, at: Date): Promise<MediaUpload | null>;
  /**
   * What the sweep settles: pending uploads expired before `expiredBefore`,
   * processing ones last changed before `stuckBefore`, and used ones whose
   * replaced picture is still listed, last changed before `stuckBefore`.
   */
  findUnsettled(expiredBefore: Date, stuckBefore: Date, limit: number): Promise<MediaUpload[]>;
}

export interface UsersRepositories {
  users: UserRepository;
  follows: FollowRepository;
  uploads: MediaUploadRepository;
}

/** A user as the domain sees it. The password hash lives apart (`Credentials`). */
export interface User {
  id: string;
  handle: string;
  email: string;
  firstName: string;
  lastName: string;
  birthDate: string | null;
  bio: string | null;
  website: string | null;
  location: string | null;
  /** A picture's URL as typed before uploads existed (older profiles only); an uploaded one is in `avatar`. */
  avatarUrl: string | null;
  bannerUrl: string | null;
  /** The uploaded avatar's stored sizes. */
  avatar: Picture | null;
  banner: Picture | null;
  createdAt: Date;
  updatedAt: Date;
  /** Goes up by one with each profile change; events carry it so consumers keep the newest. */
  version: number;
  /**
   * The generation of the user's sessions: tokens carry the one they were
   * issued at, and logging out everywhere raises it, so the gateway refuses
   * every token issued before.
   */
  sessionGeneration: number;
}

export interface Credentials {
  userId: string;
  passwordHash: string;
}

export interface NewUser {
  id: string;
  handle: string;
  email: string;
  passwordHash: string;
  firstName: string;
  lastName: string;
  birthDate: string | null;
  createdAt: Date;
}

/** The editable profile fields; a field that is absent stays as it is. */
export interface ProfileChanges {
  firstName?: string;
  lastName?: string;
  birthDate?: string | null;
  bio?: string | null;
  website?: string | null;
  location?: string | null;
  avatarUrl?: string | null;
  bannerUrl?: string | null;
  avatar?: Picture | null;
  banner?: Picture | null;
}

/** An uploaded picture: one stored object per size, narrowest first (URLs come from the storage when shown). */
export interface Picture {
  sizes: PictureSize[];
}

export interface PictureSize {
  width: number;
  height: number;
  key: string;
}

/**
 * One follower → followee edge. It is never deleted: unfollowing sets
 * `active` to false. `seq` counts its changes of state, which orders its
 * events for consumers however they arrive.
 */
export interface FollowEdge {
  followerId: string;
  followeeId: string;
  active: boolean;
  seq: number;
  /** When it last changed state: for an active edge, when the follow began. */
  changedAt: Date;
}

/** Position in a list of follow edges, newest first. */
export interface FollowCursor {
  changedAt: Date;
  userId: string;
}

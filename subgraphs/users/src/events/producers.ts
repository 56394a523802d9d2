/**
 * What the users subgraph tells the others, and how its outbox finds what it
 * has not told them yet. The topics and payloads are the shared contract in
 * @chirp/platform (topics.ts).
 */
import {
  EventTypes,
  Topics,
  type EventEnvelope,
  type FollowChangedPayload,
  type OutboxSource,
  type PendingEvent,
  type UserProfileChangedPayload,
} from '@chirp/platform';
import type { FollowRepository, UserRepository } from '../repositories/types.js';
import type { FollowEdge, User } from '../domain/model.js';
import type { PictureUrls } from '../domain/pictures.js';

/** The public part of a profile, as other services may know it. */
export function profileChangedEvent(user: User, pictures: PictureUrls): EventEnvelope<UserProfileChangedPayload> {
  return {
    id: `user:${user.id}:v${user.version}`,
    type: EventTypes.userProfileChanged,
    occurredAt: user.updatedAt.toISOString(),
    key: user.id,
    payload: {
      userId: user.id,
      version: user.version,
      handle: user.handle,
      firstName: user.firstName,
      lastName: user.lastName,
      avatarUrl: pictures.url(user, 'AVATAR'),
      bannerUrl: pictures.url(user, 'BANNER'),
      avatarSizes: pictures.sizes(user, 'AVATAR'),
      bio: user.bio,
      createdAt: user.createdAt.toISOString(),
    },
  };
}

export function followChangedEvent(edge: FollowEdge): EventEnvelope<FollowChangedPayload> {
  return {
    id: `follow:${edge.followerId}:${edge.followeeId}:${edge.seq}`,
    type: edge.active ? EventTypes.userFollowed : EventTypes.userUnfollowed,
    occurredAt: edge.changedAt.toISOString(),
    // Keyed by follower: one user's follows and unfollows stay in order.
    key: edge.followerId,
    payload: {
      followerId: edge.followerId,
      followeeId: edge.followeeId,
      active: edge.active,
      seq: edge.seq,
      changedAt: edge.changedAt.toISOString(),
    },
  };
}

export function pendingProfileEvent(users: UserRepository, user: User, pictures: PictureUrls): PendingEvent {
  return {
    topic: Topics.userProfiles,
    event: profileChangedEvent(user, pictures),
    markPublished: () => users.markPublished(user.id, user.version),
  };
}

export function pendingFollowEvent(follows: FollowRepository, edge: FollowEdge): PendingEvent {
  return {
    topic: Topics.userFollows,
    event: followChangedEvent(edge),
    markPublished: () => follows.markPublished(edge.followerId, edge.followeeId, edge.seq),
  };
}

/** Where the outbox sweeper looks for changes whose events were not sent. */
export function outboxSources(users: UserRepository, follows: FollowRepository, pictures: PictureUrls): OutboxSource[] {
  return [
    {
      name: 'user profiles',
      findPending: async (olderThan, limit) =>
        (await users.findUnpublished(olderThan, limit)).map((user) => pendingProfileEvent(users, user, pictures)),
    },
    {
      name: 'follow edges',
      findPending: async (olderThan, limit) =>
        (await follows.findUnpublished(olderThan, limit)).map((edge) => pendingFollowEvent(follows, edge)),
    },
  ];
}

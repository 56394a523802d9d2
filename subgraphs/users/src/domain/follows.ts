import {
  InvalidInputError,
  NotFoundError,
  requireViewer,
  type OutboxRelay,
  type Viewer,
} from '@chirp/platform';
import type { FollowRepository, UserRepository } from '../repositories/types.js';
import { pendingFollowEvent } from '../events/producers.js';
import type { FollowCursor, FollowEdge, User } from './model.js';

export interface FollowServiceDependencies {
  users: UserRepository;
  follows: FollowRepository;
  relay: OutboxRelay;
  now: () => Date;
}

/**
 * The follow graph. Following is idempotent: a repeat finds the edge already
 * in that state, changes nothing and publishes nothing. Counts are counted
 * from the edges themselves, so they are exact whatever was retried.
 */
export class FollowService {
  constructor(private readonly deps: FollowServiceDependencies) {}

  follow(viewer: Viewer | null, userId: string): Promise<User> {
    return this.setFollowing(viewer, userId, true);
  }

  unfollow(viewer: Viewer | null, userId: string): Promise<User> {
    return this.setFollowing(viewer, userId, false);
  }

  listFollowers(userId: string, limit: number, after?: FollowCursor): Promise<FollowEdge[]> {
    return this.deps.follows.listFollowers(userId, limit, after);
  }

  listFollowing(userId: string, limit: number, after?: FollowCursor): Promise<FollowEdge[]> {
    return this.deps.follows.listFollowing(userId, limit, after);
  }

  countFollowers(userId: string): Promise<number> {
    return this.deps.follows.countFollowers(userId);
  }

  countFollowing(userId: string): Promise<number> {
    return this.deps.follows.countFollowing(userId);
  }

  /** For each id, whether the viewer follows that user (DataLoader's contract: same order). */
  async followedBy(viewerId: string, userIds: readonly string[]): Promise<boolean[]> {
    const followed = await this.deps.follows.followedAmong(viewerId, userIds);
    return userIds.map((id) => followed.has(id));
  }

  private async setFollowing(viewer: Viewer | null, userId: string, active: boolean): Promise<User> {
    const { id: followerId } = requireViewer(viewer);
    if (userId === followerId) {
      throw new InvalidInputError('userId', active ? 'You cannot follow yourself.' : 'You cannot unfollow yourself.');
    }
    const followee = await this.deps.users.findById(userId);
    if (!followee) throw new NotFoundError(`There is no user with id "${userId}".`);
    const changed = await this.deps.follows.setActive(followerId, userId, active, this.deps.now());
    if (changed) await this.deps.relay.publish([pendingFollowEvent(this.deps.follows, changed)]);
    return followee;
  }
}

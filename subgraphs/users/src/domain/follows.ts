import {
  InvalidInputError,
  NotFoundError,
  UnauthenticatedError,
  enforceRateLimit,
  isWellFormedId,
  requireViewer,
  type OutboxRelay,
  type RateLimiter,
  type Viewer,
} from '@chirp/platform';
import type { FollowRepository, UserRepository } from '../repositories/types.js';
import { pendingFollowEvent } from '../events/producers.js';
import type { FollowCursor, FollowEdge, User } from './model.js';

export interface FollowServiceDependencies {
  users: UserRepository;
  follows: FollowRepository;
  relay: OutboxRelay;
  /** Follows and unfollows per user. */
  followLimit: RateLimiter;
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

  private async byIdsInOrder(ids: readonly string[]): Promise<Array<User | undefined>> {
    const found = new Map((await this.deps.users.findByIds(ids)).map((user) => [user.id, user]));
    return ids.map((id) => found.get(id));
  }

  private async setFollowing(viewer: Viewer | null, userId: string, active: boolean): Promise<User> {
    const { id: followerId } = requireViewer(viewer);
    if (userId === followerId) {
      throw new InvalidInputError('userId', active ? 'You cannot follow yourself.' : 'You cannot unfollow yourself.');
    }
    if (!isWellFormedId(userId)) throw new NotFoundError('There is no user with that id.');
    await enforceRateLimit(this.deps.followLimit, followerId, 'You are following and unfollowing too fast.');
    // Both ends in one look-up: an edge from a user who does not exist would
    // count a follower nobody can list (the gateway refuses such tokens; this
    // holds even for a caller that reached the subgraph some other way).
    const [follower, followee] = await this.byIdsInOrder([followerId, userId]);
    if (!follower) throw new UnauthenticatedError('Your account no longer exists.');
    if (!followee) throw new NotFoundError(`There is no user with id "${userId}".`);
    const changed = await this.deps.follows.setActive(followerId, userId, active, this.deps.now());
    if (changed) await this.deps.relay.publish([pendingFollowEvent(this.deps.follows, changed)]);
    return followee;
  }
}

import type { FollowChangedPayload } from '@chirp/platform';
import type { FollowGraphRepository } from '../repositories/types.js';

export type ApplyOutcome = 'applied' | 'stale';

/**
 * The timeline's own copy of the follow graph, built from the users
 * subgraph's follow events (the timeline never reads the users' data).
 * Each edge keeps the highest `seq` applied, so a redelivered or late event
 * changes nothing: the projection is idempotent and order-proof.
 */
export class FollowGraphProjection {
  constructor(private readonly graph: FollowGraphRepository) {}

  async apply(change: FollowChangedPayload): Promise<ApplyOutcome> {
    const stored = await this.graph.apply({
      followerId: change.followerId,
      followeeId: change.followeeId,
      active: change.active,
      seq: change.seq,
    });
    return stored ? 'applied' : 'stale';
  }

  followeesOf(userId: string): Promise<string[]> {
    return this.graph.followeesOf(userId);
  }

  followersOf(userId: string): Promise<string[]> {
    return this.graph.followersOf(userId);
  }
}

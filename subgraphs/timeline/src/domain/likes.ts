import type { LikeChangedPayload } from '@chirp/platform';
import type { LikeProjectionRepository } from '../repositories/types.js';
import type { LikeCache } from '../stores/like-cache.js';
import type { TweetLikes } from './model.js';

/**
 * The timeline's projection of likes, so a timeline page shows each tweet's
 * like count and whether the viewer likes it without asking the tweets
 * subgraph (which stays the owner and the source of truth).
 *
 * Write side, from the like events (edge state + seq): MongoDB keeps each
 * edge's latest state by seq and a count settled from the active edges;
 * then the cache gets the edge as stored and the settled count, each
 * landing only if newer. Every step is safe to repeat and to run beside a
 * second consumer handling another event of the same edge, so redelivery,
 * reordering and a rebalance never change the result.
 *
 * Read side: the page's tweet ids go to the cache in one round trip; what
 * it does not hold is read from MongoDB (counts and this viewer's edges for
 * those tweets only) and cached.
 */
export class LikesProjection {
  constructor(
    private readonly repository: LikeProjectionRepository,
    private readonly cache: LikeCache,
  ) {}

  async onLikeChanged(change: LikeChangedPayload): Promise<void> {
    const { tweetId, userId, active, seq } = change;
    const stored = await this.repository.apply({ tweetId, userId, active, seq });
    // Settled on every delivery, even a stale or repeated one: it is what
    // finishes the work of a consumer that died between these two steps.
    const settled = await this.repository.settleCount(tweetId);
    // The edge and the count reach the cache together; an overtaken settle
    // (null) leaves the count to the one that overtook it.
    await Promise.all([this.cache.putStates(userId, [stored]), settled ? this.cache.putCounts([settled]) : undefined]);
  }

  /** For each tweet id, its like count and whether the viewer likes it. */
  async forViewer(viewerId: string, tweetIds: readonly string[]): Promise<Map<string, TweetLikes>> {
    const cached = await this.cache.read(viewerId, tweetIds);
    const uncounted = [...new Set(tweetIds.filter((_, index) => cached[index]?.count === null))];
    const unknown = [...new Set(tweetIds.filter((_, index) => cached[index]?.liked === null))];
    const [counts, states] = await Promise.all([this.fillCounts(uncounted), this.fillStates(viewerId, unknown)]);
    return new Map(
      tweetIds.map((tweetId, index) => [
        tweetId,
        {
          likeCount: cached[index]?.count ?? counts.get(tweetId) ?? 0,
          likedByViewer: cached[index]?.liked ?? states.get(tweetId) ?? false,
        },
      ]),
    );
  }

  private async fillCounts(tweetIds: readonly string[]): Promise<Map<string, number>> {
    if (tweetIds.length === 0) return new Map();
    const counts = await this.repository.counts(tweetIds);
    await this.cache.putCounts(counts);
    return new Map(counts.map((count) => [count.tweetId, count.count]));
  }

  private async fillStates(viewerId: string, tweetIds: readonly string[]): Promise<Map<string, boolean>> {
    if (tweetIds.length === 0) return new Map();
    // Edges never made come back at seq 0: "does not like" is cached too,
    // and any like event's seq overrides it.
    const edges = await this.repository.states(viewerId, tweetIds);
    await this.cache.putStates(viewerId, edges);
    return new Map(edges.map((edge) => [edge.tweetId, edge.active]));
  }
}

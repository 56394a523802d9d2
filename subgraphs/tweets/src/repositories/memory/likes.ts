import { PendingChanges } from '@chirp/platform';
import type { LikeEdge, LikeState } from '../../domain/model.js';
import type { LikeRepository } from '../types.js';

const likeId = (tweetId: string, userId: string) => `${tweetId}:${userId}`;

export class InMemoryLikeRepository implements LikeRepository {
  private readonly edges = new Map<string, LikeEdge>();
  private readonly unpublished = new PendingChanges();

  async setActive(tweetId: string, userId: string, active: boolean, at: Date): Promise<LikeEdge | null> {
    const id = likeId(tweetId, userId);
    const stored = this.edges.get(id);
    if ((stored?.active ?? false) === active) return null;
    const edge: LikeEdge = { tweetId, userId, active, seq: (stored?.seq ?? 0) + 1, changedAt: at };
    this.edges.set(id, edge);
    this.unpublished.mark(id, edge.seq, at);
    return { ...edge };
  }

  async countActive(tweetId: string): Promise<number> {
    return [...this.edges.values()].filter((edge) => edge.tweetId === tweetId && edge.active).length;
  }

  async likeStates(userId: string, tweetIds: readonly string[]): Promise<Map<string, LikeState>> {
    return new Map(
      tweetIds.flatMap((tweetId) => {
        const edge = this.edges.get(likeId(tweetId, userId));
        return edge ? [[tweetId, { active: edge.active, seq: edge.seq }] as const] : [];
      }),
    );
  }

  async findUnpublished(olderThan: Date, limit: number): Promise<LikeEdge[]> {
    return this.unpublished.olderThan(olderThan, limit).flatMap((id) => {
      const edge = this.edges.get(id);
      return edge ? [{ ...edge }] : [];
    });
  }

  async markPublished(tweetId: string, userId: string, seq: number): Promise<void> {
    this.unpublished.settle(likeId(tweetId, userId), seq);
  }
}

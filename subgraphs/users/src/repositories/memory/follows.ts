import { PendingChanges } from '@chirp/platform';
import type { FollowCursor, FollowEdge } from '../../domain/model.js';
import type { FollowRepository } from '../types.js';

const edgeId = (followerId: string, followeeId: string) => `${followerId}:${followeeId}`;

/** The follow edges in a Map. Lists scan every edge: fine for development, not for scale. */
export class InMemoryFollowRepository implements FollowRepository {
  private readonly edges = new Map<string, FollowEdge>();
  private readonly unpublished = new PendingChanges();

  async setActive(followerId: string, followeeId: string, active: boolean, at: Date): Promise<FollowEdge | null> {
    const id = edgeId(followerId, followeeId);
    const stored = this.edges.get(id);
    if ((stored?.active ?? false) === active) return null;
    const edge: FollowEdge = { followerId, followeeId, active, seq: (stored?.seq ?? 0) + 1, changedAt: at };
    this.edges.set(id, edge);
    this.unpublished.mark(id, edge.seq, at);
    return { ...edge };
  }

  async followedAmong(followerId: string, followeeIds: readonly string[]): Promise<Set<string>> {
    return new Set(followeeIds.filter((followeeId) => this.edges.get(edgeId(followerId, followeeId))?.active));
  }

  async listFollowers(userId: string, limit: number, after?: FollowCursor): Promise<FollowEdge[]> {
    return this.list((edge) => edge.followeeId === userId, (edge) => edge.followerId, limit, after);
  }

  async listFollowing(userId: string, limit: number, after?: FollowCursor): Promise<FollowEdge[]> {
    return this.list((edge) => edge.followerId === userId, (edge) => edge.followeeId, limit, after);
  }

  async countFollowers(userId: string): Promise<number> {
    return this.activeEdges().filter((edge) => edge.followeeId === userId).length;
  }

  async countFollowing(userId: string): Promise<number> {
    return this.activeEdges().filter((edge) => edge.followerId === userId).length;
  }

  async findUnpublished(olderThan: Date, limit: number): Promise<FollowEdge[]> {
    return this.unpublished.olderThan(olderThan, limit).flatMap((id) => {
      const edge = this.edges.get(id);
      return edge ? [{ ...edge }] : [];
    });
  }

  async markPublished(followerId: string, followeeId: string, seq: number): Promise<void> {
    this.unpublished.settle(edgeId(followerId, followeeId), seq);
  }

  private activeEdges(): FollowEdge[] {
    return [...this.edges.values()].filter((edge) => edge.active);
  }

  private list(
    belongs: (edge: FollowEdge) => boolean,
    otherSide: (edge: FollowEdge) => string,
    limit: number,
    after?: FollowCursor,
  ): FollowEdge[] {
    const newestFirst = (a: FollowEdge, b: FollowEdge) =>
      b.changedAt.getTime() - a.changedAt.getTime() || (otherSide(a) < otherSide(b) ? 1 : otherSide(a) > otherSide(b) ? -1 : 0);
    const isAfter = (edge: FollowEdge) =>
      !after ||
      edge.changedAt.getTime() < after.changedAt.getTime() ||
      (edge.changedAt.getTime() === after.changedAt.getTime() && otherSide(edge) < after.userId);
    return this.activeEdges()
      .filter((edge) => belongs(edge) && isAfter(edge))
      .sort(newestFirst)
      .slice(0, limit)
      .map((edge) => ({ ...edge }));
  }
}

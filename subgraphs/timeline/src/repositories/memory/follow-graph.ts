import type { EdgeState, FollowGraphRepository } from '../types.js';

export class InMemoryFollowGraphRepository implements FollowGraphRepository {
  private readonly edges = new Map<string, EdgeState>();

  async apply(edge: EdgeState): Promise<boolean> {
    const id = `${edge.followerId}:${edge.followeeId}`;
    const stored = this.edges.get(id);
    if (stored && stored.seq >= edge.seq) return false;
    this.edges.set(id, { ...edge });
    return true;
  }

  async followeesOf(userId: string): Promise<string[]> {
    return [...this.edges.values()].filter((edge) => edge.active && edge.followerId === userId).map((edge) => edge.followeeId);
  }

  async countFollowers(userId: string, atMost: number): Promise<number> {
    return Math.min(atMost, (await this.followersOf(userId)).length);
  }

  async followersOf(userId: string): Promise<string[]> {
    return [...this.edges.values()].filter((edge) => edge.active && edge.followeeId === userId).map((edge) => edge.followerId);
  }
}

import type { LikeCount, LikeEdgeState } from '../../domain/model.js';
import type { LikeProjectionRepository } from '../types.js';

const edgeId = (tweetId: string, userId: string) => `${tweetId}:${userId}`;

/** The like projection in Maps, with the MongoDB adapter's rules (seq-ordered edges, counts settled with a version). */
export class InMemoryLikeProjectionRepository implements LikeProjectionRepository {
  private readonly edges = new Map<string, LikeEdgeState>();
  private readonly settled = new Map<string, LikeCount>();
  /** Settles started per tweet: the version a settle stores. */
  private readonly settles = new Map<string, number>();

  async apply(edge: LikeEdgeState): Promise<LikeEdgeState> {
    const id = edgeId(edge.tweetId, edge.userId);
    const stored = this.edges.get(id);
    if (!stored || stored.seq < edge.seq) this.edges.set(id, { ...edge });
    return { ...(this.edges.get(id) as LikeEdgeState) };
  }

  /**
   * The MongoDB adapter's three steps, with the same gaps between them (a
   * turn of the event loop each), so settles of one tweet interleave here too.
   */
  async settleCount(tweetId: string): Promise<LikeCount | null> {
    const version = (this.settles.get(tweetId) ?? 0) + 1;
    this.settles.set(tweetId, version);
    await nextTurn();
    const count = [...this.edges.values()].filter((edge) => edge.tweetId === tweetId && edge.active).length;
    await nextTurn();
    if (this.settles.get(tweetId) !== version) return null; // a later settle started: its count wins
    const settled = { tweetId, count, version };
    this.settled.set(tweetId, settled);
    return { ...settled };
  }

  async counts(tweetIds: readonly string[]): Promise<LikeCount[]> {
    return tweetIds.map((tweetId) => ({ ...(this.settled.get(tweetId) ?? { tweetId, count: 0, version: 0 }) }));
  }

  async states(userId: string, tweetIds: readonly string[]): Promise<LikeEdgeState[]> {
    return tweetIds.map((tweetId) => ({ ...(this.edges.get(edgeId(tweetId, userId)) ?? { tweetId, userId, active: false, seq: 0 }) }));
  }
}

function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

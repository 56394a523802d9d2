import type { Collection, Db } from 'mongodb';
import { byIds, ensureIndexes, isDuplicateKeyError } from '@chirp/platform';
import type { LikeCount, LikeEdgeState } from '../../domain/model.js';
import type { LikeProjectionRepository } from '../types.js';

/** `_id` is `tweet:user`, as in the tweets subgraph: one document per pair. */
interface LikeEdgeDocument extends LikeEdgeState {
  _id: string;
}

/**
 * `_id` is the tweet id. `settles` counts the settles started; `count` is
 * the one taken by the latest settle that finished unovertaken, and
 * `version` the value of `settles` it started at.
 */
interface LikeCountDocument {
  _id: string;
  settles: number;
  count?: number;
  version?: number;
}

const edgeId = (tweetId: string, userId: string) => `${tweetId}:${userId}`;

export class MongoLikeProjectionRepository implements LikeProjectionRepository {
  private readonly edges: Collection<LikeEdgeDocument>;
  private readonly likeCounts: Collection<LikeCountDocument>;

  constructor(db: Db) {
    this.edges = db.collection<LikeEdgeDocument>('like_edges');
    this.likeCounts = db.collection<LikeCountDocument>('like_counts');
  }

  async ensureIndexes(): Promise<void> {
    await ensureIndexes(this.edges, [{ key: { tweetId: 1, active: 1 }, name: 'likes_of_tweet' }]);
  }

  async apply(edge: LikeEdgeState): Promise<LikeEdgeState> {
    const _id = edgeId(edge.tweetId, edge.userId);
    try {
      // Matches only an older state; when an equal or newer one is stored the
      // upsert collides with the _id index instead, which means "stale, skip".
      // The tweet too: the shard key (see sharding.ts), so each of these goes to one shard.
      await this.edges.updateOne({ _id, tweetId: edge.tweetId, seq: { $lt: edge.seq } }, { $set: { ...edge } }, { upsert: true });
    } catch (error) {
      if (!isDuplicateKeyError(error)) throw error;
    }
    const stored = await this.edges.findOne({ _id, tweetId: edge.tweetId });
    return stored ? toEdge(stored) : edge;
  }

  /**
   * Three single-document steps, safe to run alongside each other and to
   * repeat: start a settle (its number is the version), count the active
   * edges, store the count only if no settle started since. Whichever settle
   * started last counted after every edge change before it, so the count
   * that stays is exact; an overtaken one stores nothing.
   */
  async settleCount(tweetId: string): Promise<LikeCount | null> {
    const version = await this.startSettle(tweetId);
    const count = await this.edges.countDocuments({ tweetId, active: true });
    const stored = await this.likeCounts.updateOne({ _id: tweetId, settles: version }, { $set: { count, version } });
    return stored.matchedCount > 0 ? { tweetId, count, version } : null;
  }

  async counts(tweetIds: readonly string[]): Promise<LikeCount[]> {
    if (tweetIds.length === 0) return [];
    const documents = await this.likeCounts.find(byIds(tweetIds)).toArray();
    const found = new Map(documents.map((document) => [document._id, document]));
    return tweetIds.map((tweetId) => {
      const document = found.get(tweetId);
      return { tweetId, count: document?.count ?? 0, version: document?.version ?? 0 };
    });
  }

  async states(userId: string, tweetIds: readonly string[]): Promise<LikeEdgeState[]> {
    if (tweetIds.length === 0) return [];
    const documents = await this.edges.find({ ...byIds(tweetIds.map((tweetId) => edgeId(tweetId, userId))), tweetId: { $in: [...tweetIds] } }).toArray();
    const found = new Map(documents.map((document) => [document.tweetId, toEdge(document)]));
    return tweetIds.map((tweetId) => found.get(tweetId) ?? { tweetId, userId, active: false, seq: 0 });
  }

  private async startSettle(tweetId: string): Promise<number> {
    const start = () => this.likeCounts.findOneAndUpdate({ _id: tweetId }, { $inc: { settles: 1 } }, { upsert: true, returnDocument: 'after' });
    let started: LikeCountDocument | null;
    try {
      started = await start();
    } catch (error) {
      // The first two settles of a tweet upserting at once: one inserts, the other collides and goes again.
      if (!isDuplicateKeyError(error)) throw error;
      started = await start();
    }
    if (!started) throw new Error(`could not start settling the like count of tweet ${tweetId}`);
    return started.settles;
  }
}

function toEdge({ tweetId, userId, active, seq }: LikeEdgeState): LikeEdgeState {
  return { tweetId, userId, active, seq };
}

import type { Collection, Db } from 'mongodb';
import { ensureIndexes, toggleEdge, type EdgeDocument } from '@chirp/platform';
import type { LikeEdge, LikeState } from '../../domain/model.js';
import type { LikeRepository } from '../types.js';

/** `_id` is `tweet:user`: one document per pair, for ever. */
interface LikeDocument extends EdgeDocument {
  tweetId: string;
  userId: string;
}

const likeId = (tweetId: string, userId: string) => `${tweetId}:${userId}`;

export class MongoLikeRepository implements LikeRepository {
  private readonly collection: Collection<LikeDocument>;

  constructor(db: Db) {
    this.collection = db.collection<LikeDocument>('likes');
  }

  async ensureIndexes(): Promise<void> {
    await ensureIndexes(this.collection, [
      { key: { tweetId: 1, active: 1 }, name: 'likes_of_tweet' },
      { key: { pendingSince: 1 }, name: 'pendingSince' },
    ]);
  }

  async setActive(tweetId: string, userId: string, active: boolean, at: Date): Promise<LikeEdge | null> {
    const document = await toggleEdge(this.collection, likeId(tweetId, userId), { tweetId, userId }, active, at);
    return document ? toEdge(document) : null;
  }

  countActive(tweetId: string): Promise<number> {
    return this.collection.countDocuments({ tweetId, active: true });
  }

  async likeStates(userId: string, tweetIds: readonly string[]): Promise<Map<string, LikeState>> {
    if (tweetIds.length === 0) return new Map();
    const documents = await this.collection
      .find({ _id: { $in: tweetIds.map((tweetId) => likeId(tweetId, userId)) } }, { projection: { tweetId: 1, active: 1, seq: 1 } })
      .toArray();
    return new Map(documents.map((document) => [document.tweetId, { active: document.active, seq: document.seq }]));
  }

  async findUnpublished(olderThan: Date, limit: number): Promise<LikeEdge[]> {
    const documents = await this.collection.find({ pendingSince: { $lte: olderThan } }).sort({ pendingSince: 1 }).limit(limit).toArray();
    return documents.map(toEdge);
  }

  async markPublished(tweetId: string, userId: string, seq: number): Promise<void> {
    await this.collection.updateOne({ _id: likeId(tweetId, userId), seq }, { $set: { publishedSeq: seq, pendingSince: null } });
  }
}

function toEdge(document: LikeDocument): LikeEdge {
  return { tweetId: document.tweetId, userId: document.userId, active: document.active, seq: document.seq, changedAt: document.changedAt };
}

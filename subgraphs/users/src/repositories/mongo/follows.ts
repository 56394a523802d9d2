import type { Collection, Db, Filter } from 'mongodb';
import { ensureIndexes, toggleEdge, type EdgeDocument } from '@chirp/platform';
import type { FollowCursor, FollowEdge } from '../../domain/model.js';
import type { FollowRepository } from '../types.js';

/** `_id` is `follower:followee`: one document per pair, for ever. */
interface FollowDocument extends EdgeDocument {
  followerId: string;
  followeeId: string;
}

const edgeId = (followerId: string, followeeId: string) => `${followerId}:${followeeId}`;

export class MongoFollowRepository implements FollowRepository {
  private readonly collection: Collection<FollowDocument>;

  constructor(db: Db) {
    this.collection = db.collection<FollowDocument>('follows');
  }

  async ensureIndexes(): Promise<void> {
    await ensureIndexes(this.collection, [
      { key: { followeeId: 1, active: 1, changedAt: -1, followerId: -1 }, name: 'followers_newest_first' },
      { key: { followerId: 1, active: 1, changedAt: -1, followeeId: -1 }, name: 'following_newest_first' },
      { key: { pendingSince: 1 }, name: 'pendingSince' },
    ]);
  }

  async setActive(followerId: string, followeeId: string, active: boolean, at: Date): Promise<FollowEdge | null> {
    const document = await toggleEdge(this.collection, edgeId(followerId, followeeId), { followerId, followeeId }, active, at);
    return document ? toEdge(document) : null;
  }

  async followedAmong(followerId: string, followeeIds: readonly string[]): Promise<Set<string>> {
    if (followeeIds.length === 0) return new Set();
    const documents = await this.collection
      .find(
        { _id: { $in: followeeIds.map((followeeId) => edgeId(followerId, followeeId)) }, active: true },
        { projection: { followeeId: 1 } },
      )
      .toArray();
    return new Set(documents.map((document) => document.followeeId));
  }

  listFollowers(userId: string, limit: number, after?: FollowCursor): Promise<FollowEdge[]> {
    return this.list({ followeeId: userId, active: true }, 'followerId', limit, after);
  }

  listFollowing(userId: string, limit: number, after?: FollowCursor): Promise<FollowEdge[]> {
    return this.list({ followerId: userId, active: true }, 'followeeId', limit, after);
  }

  countFollowers(userId: string): Promise<number> {
    return this.collection.countDocuments({ followeeId: userId, active: true });
  }

  countFollowing(userId: string): Promise<number> {
    return this.collection.countDocuments({ followerId: userId, active: true });
  }

  async findUnpublished(olderThan: Date, limit: number): Promise<FollowEdge[]> {
    const documents = await this.collection
      .find({ pendingSince: { $lte: olderThan } })
      .sort({ pendingSince: 1 })
      .limit(limit)
      .toArray();
    return documents.map(toEdge);
  }

  async markPublished(followerId: string, followeeId: string, seq: number): Promise<void> {
    await this.collection.updateOne(
      { _id: edgeId(followerId, followeeId), seq },
      { $set: { publishedSeq: seq, pendingSince: null } },
    );
  }

  private async list(
    filter: Filter<FollowDocument>,
    otherSide: 'followerId' | 'followeeId',
    limit: number,
    after?: FollowCursor,
  ): Promise<FollowEdge[]> {
    const position: Filter<FollowDocument> = after
      ? {
          $or: [
            { changedAt: { $lt: after.changedAt } },
            { changedAt: after.changedAt, [otherSide]: { $lt: after.userId } },
          ],
        }
      : {};
    const documents = await this.collection
      .find({ ...filter, ...position })
      .sort({ changedAt: -1, [otherSide]: -1 })
      .limit(limit)
      .toArray();
    return documents.map(toEdge);
  }
}

function toEdge(document: FollowDocument): FollowEdge {
  return {
    followerId: document.followerId,
    followeeId: document.followeeId,
    active: document.active,
    seq: document.seq,
    changedAt: document.changedAt,
  };
}

import type { Collection, Db } from 'mongodb';
import { ensureIndexes, isDuplicateKeyError } from '@chirp/platform';
import type { EdgeState, FollowGraphRepository } from '../types.js';

interface EdgeDocument extends EdgeState {
  _id: string;
}

export class MongoFollowGraphRepository implements FollowGraphRepository {
  private readonly collection: Collection<EdgeDocument>;

  constructor(db: Db) {
    this.collection = db.collection<EdgeDocument>('follow_graph');
  }

  async ensureIndexes(): Promise<void> {
    await ensureIndexes(this.collection, [
      { key: { followerId: 1, active: 1 }, name: 'followees_of' },
      { key: { followeeId: 1, active: 1 }, name: 'followers_of' },
    ]);
  }

  async apply(edge: EdgeState): Promise<boolean> {
    try {
      // Matches only an older state; when a newer one is stored the upsert
      // collides with the _id index instead, which means "stale, skip".
      const result = await this.collection.updateOne(
        // The followee too: the shard key (see sharding.ts), so the write goes to one shard.
        { _id: `${edge.followerId}:${edge.followeeId}`, followeeId: edge.followeeId, seq: { $lt: edge.seq } },
        { $set: { ...edge } },
        { upsert: true },
      );
      return result.modifiedCount + result.upsertedCount > 0;
    } catch (error) {
      if (isDuplicateKeyError(error)) return false;
      throw error;
    }
  }

  async followeesOf(userId: string): Promise<string[]> {
    const edges = await this.collection
      .find({ followerId: userId, active: true }, { projection: { followeeId: 1 } })
      .toArray();
    return edges.map((edge) => edge.followeeId);
  }

  countFollowers(userId: string, atMost: number): Promise<number> {
    return this.collection.countDocuments({ followeeId: userId, active: true }, { limit: atMost });
  }

  async followersOf(userId: string): Promise<string[]> {
    const edges = await this.collection
      .find({ followeeId: userId, active: true }, { projection: { followerId: 1 } })
      .toArray();
    return edges.map((edge) => edge.followerId);
  }
}

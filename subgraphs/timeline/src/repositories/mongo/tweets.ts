import type { Collection, Db } from 'mongodb';
import { byIds, ensureIndexes, isDuplicateKeyError } from '@chirp/platform';
import type { TweetRecord } from '../../domain/model.js';
import type { TweetProjectionRepository } from '../types.js';

interface TweetDocument extends Omit<TweetRecord, 'id'> {
  _id: string;
}

export class MongoTweetProjectionRepository implements TweetProjectionRepository {
  private readonly collection: Collection<TweetDocument>;

  constructor(db: Db) {
    this.collection = db.collection<TweetDocument>('tweets');
  }

  async ensureIndexes(): Promise<void> {
    await ensureIndexes(this.collection, [
      { key: { authorId: 1, deleted: 1, _id: -1 }, name: 'by_author_newest_first' },
    ]);
  }

  async apply(tweet: TweetRecord): Promise<TweetRecord> {
    const { id, ...fields } = tweet;
    try {
      // An equal version is written again (a redelivery changes nothing);
      // an older one collides with the _id index and is dropped.
      await this.collection.updateOne(
        { _id: id, version: { $lte: tweet.version } },
        { $set: fields },
        { upsert: true },
      );
    } catch (error) {
      if (!isDuplicateKeyError(error)) throw error;
    }
    const [stored] = await this.findByIds([id]);
    return stored ?? tweet;
  }

  async findByIds(ids: readonly string[]): Promise<TweetRecord[]> {
    if (ids.length === 0) return [];
    const documents = await this.collection.find(byIds(ids)).toArray();
    return documents.map(({ _id, ...fields }) => ({ id: _id, ...fields }));
  }

  async latestIds(authorIds: readonly string[], limit: number, beforeId?: string): Promise<string[]> {
    if (authorIds.length === 0 || limit === 0) return [];
    const documents = await this.collection
      .find(
        // One author as an equality, which every engine (FerretDB too) hands to its index.
        { authorId: authorIds.length === 1 ? authorIds[0] : { $in: [...authorIds] }, deleted: false, ...(beforeId ? { _id: { $lt: beforeId } } : {}) },
        { projection: { _id: 1 } },
      )
      .sort({ _id: -1 })
      .limit(limit)
      .toArray();
    return documents.map((document) => document._id);
  }
}

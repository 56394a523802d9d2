import type { Collection, Db } from 'mongodb';
import { isDuplicateKeyError } from '@chirp/platform';
import type { DeletedTweetRepository } from '../types.js';

/** `_id` is the tweet id: adding twice is harmless, and a lookup is one _id read. */
interface DeletedTweetDocument {
  _id: string;
}

export class MongoDeletedTweetRepository implements DeletedTweetRepository {
  private readonly collection: Collection<DeletedTweetDocument>;

  constructor(db: Db) {
    this.collection = db.collection<DeletedTweetDocument>('deleted_tweets');
  }

  async add(tweetId: string): Promise<void> {
    try {
      await this.collection.insertOne({ _id: tweetId });
    } catch (error) {
      if (!isDuplicateKeyError(error)) throw error;
    }
  }

  async has(tweetId: string): Promise<boolean> {
    return (await this.collection.countDocuments({ _id: tweetId }, { limit: 1 })) > 0;
  }
}

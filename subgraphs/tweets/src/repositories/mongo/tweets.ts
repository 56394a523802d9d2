import { randomUUID } from 'node:crypto';
import { byIds, ensureIndexes, isDuplicateKeyError } from '@chirp/platform';
import type { Collection, Db } from 'mongodb';
import type { NewTweet, Tweet } from '../../domain/model.js';
import { DuplicateTweetIdError, type TweetRepository } from '../types.js';

interface TweetDocument {
  /** The tweet id: 19 digits, so string order is time order. */
  _id: string;
  authorId: string;
  text: string;
  createdAt: Date;
  editedAt: Date | null;
  deletedAt: Date | null;
  likeCount: number;
  /** Set when likes changed and the count is not settled yet (see markLikeCountStale). */
  likeCountToken: string | null;
  version: number;
  revision: number;
  publishedVersion: number;
  pendingSince: Date | null;
}

export class MongoTweetRepository implements TweetRepository {
  private readonly collection: Collection<TweetDocument>;

  constructor(db: Db) {
    this.collection = db.collection<TweetDocument>('tweets');
  }

  async ensureIndexes(): Promise<void> {
    await ensureIndexes(this.collection, [
      { key: { authorId: 1, deletedAt: 1, _id: -1 }, name: 'by_author_newest_first' },
      { key: { pendingSince: 1 }, name: 'pendingSince' },
    ]);
  }

  async create(tweet: NewTweet): Promise<Tweet> {
    const document: TweetDocument = {
      _id: tweet.id,
      authorId: tweet.authorId,
      text: tweet.text,
      createdAt: tweet.createdAt,
      editedAt: null,
      deletedAt: null,
      likeCount: 0,
      likeCountToken: null,
      version: 1,
      revision: 1,
      publishedVersion: 0,
      pendingSince: tweet.createdAt,
    };
    try {
      await this.collection.insertOne(document);
    } catch (error) {
      if (isDuplicateKeyError(error)) throw new DuplicateTweetIdError(tweet.id);
      throw error;
    }
    return toTweet(document);
  }

  async findById(id: string): Promise<Tweet | null> {
    const document = await this.collection.findOne({ _id: id });
    return document ? toTweet(document) : null;
  }

  async findByIds(ids: readonly string[]): Promise<Tweet[]> {
    if (ids.length === 0) return [];
    return (await this.collection.find(byIds(ids)).toArray()).map(toTweet);
  }

  async listByAuthor(authorId: string, limit: number, beforeId?: string): Promise<Tweet[]> {
    const documents = await this.collection
      .find({ authorId, deletedAt: null, ...(beforeId ? { _id: { $lt: beforeId } } : {}) })
      .sort({ _id: -1 })
      .limit(limit)
      .toArray();
    return documents.map(toTweet);
  }

  countByAuthor(authorId: string): Promise<number> {
    return this.collection.countDocuments({ authorId, deletedAt: null });
  }

  async edit(id: string, text: string, at: Date): Promise<Tweet | null> {
    const document = await this.collection.findOneAndUpdate(
      { _id: id, deletedAt: null },
      { $set: { text, editedAt: at, pendingSince: at }, $inc: { version: 1, revision: 1 } },
      { returnDocument: 'after' },
    );
    return document ? toTweet(document) : null;
  }

  async markDeleted(id: string, at: Date): Promise<Tweet | null> {
    const document = await this.collection.findOneAndUpdate(
      { _id: id, deletedAt: null },
      { $set: { deletedAt: at, pendingSince: at }, $inc: { version: 1, revision: 1 } },
      { returnDocument: 'after' },
    );
    return document ? toTweet(document) : null;
  }

  async markLikeCountStale(id: string): Promise<string> {
    const token = randomUUID();
    await this.collection.updateOne({ _id: id }, { $set: { likeCountToken: token } });
    return token;
  }

  async settleLikeCount(id: string, token: string, likeCount: number): Promise<boolean> {
    const result = await this.collection.updateOne(
      { _id: id, likeCountToken: token },
      { $set: { likeCount, likeCountToken: null }, $inc: { revision: 1 } },
    );
    return result.modifiedCount > 0;
  }

  async findUnpublished(olderThan: Date, limit: number): Promise<Tweet[]> {
    const documents = await this.collection.find({ pendingSince: { $lte: olderThan } }).sort({ pendingSince: 1 }).limit(limit).toArray();
    return documents.map(toTweet);
  }

  async markPublished(id: string, version: number): Promise<void> {
    await this.collection.updateOne({ _id: id, version }, { $set: { publishedVersion: version, pendingSince: null } });
  }
}

function toTweet(document: TweetDocument): Tweet {
  return {
    id: document._id,
    authorId: document.authorId,
    text: document.text,
    createdAt: document.createdAt,
    editedAt: document.editedAt,
    deletedAt: document.deletedAt,
    likeCount: document.likeCount,
    version: document.version,
    revision: document.revision,
  };
}

import type { Collection, Db } from 'mongodb';
import { byIds, isDuplicateKeyError } from '@chirp/platform';
import type { AuthorRecord } from '../../domain/model.js';
import type { AuthorRepository } from '../types.js';

interface AuthorDocument extends Omit<AuthorRecord, 'id'> {
  _id: string;
}

export class MongoAuthorRepository implements AuthorRepository {
  private readonly collection: Collection<AuthorDocument>;

  constructor(db: Db) {
    this.collection = db.collection<AuthorDocument>('authors');
  }

  async apply(author: AuthorRecord): Promise<void> {
    const { id, ...fields } = author;
    try {
      await this.collection.updateOne({ _id: id, version: { $lte: author.version } }, { $set: fields }, { upsert: true });
    } catch (error) {
      if (!isDuplicateKeyError(error)) throw error; // a newer profile is stored already
    }
  }

  async findByIds(ids: readonly string[]): Promise<AuthorRecord[]> {
    if (ids.length === 0) return [];
    const documents = await this.collection.find(byIds(ids)).toArray();
    return documents.map(({ _id, ...fields }) => ({ id: _id, ...fields }));
  }
}

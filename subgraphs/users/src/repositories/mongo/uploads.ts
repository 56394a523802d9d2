import type { Collection, Db } from 'mongodb';
import { ensureIndexes } from '@chirp/platform';
import { isUnsettled, type MediaUpload, type UploadState } from '../../domain/media.js';
import type { MediaUploadRepository } from '../types.js';

interface UploadDocument extends Omit<MediaUpload, 'id'> {
  _id: string;
  /** Whether the sweep has anything to do here (see `findUnsettled`): one indexed flag instead of three conditions on a scan. */
  unsettled: boolean;
}

/** The users subgraph's `media_uploads` collection. */
export class MongoMediaUploadRepository implements MediaUploadRepository {
  private readonly collection: Collection<UploadDocument>;

  constructor(db: Db) {
    this.collection = db.collection<UploadDocument>('media_uploads');
  }

  async ensureIndexes(): Promise<void> {
    await ensureIndexes(this.collection, [{ key: { unsettled: 1, updatedAt: 1 }, name: 'unsettled' }]);
  }

  async create(upload: MediaUpload): Promise<void> {
    const { id, ...fields } = upload;
    await this.collection.insertOne({ _id: id, ...fields, unsettled: true });
  }

  async findById(id: string): Promise<MediaUpload | null> {
    const document = await this.collection.findOne({ _id: id });
    return document ? toUpload(document) : null;
  }

  async transition(
    id: string,
    from: UploadState,
    to: UploadState,
    fields: Partial<Pick<MediaUpload, 'madeKeys' | 'replacedKeys'>>,
    at: Date,
  ): Promise<MediaUpload | null> {
    const settled = to === 'failed' || (to === 'used' && fields.replacedKeys !== undefined && fields.replacedKeys.length === 0);
    const document = await this.collection.findOneAndUpdate(
      { _id: id, state: from },
      { $set: { ...fields, state: to, updatedAt: at, ...(settled ? { unsettled: false } : {}) } },
      { returnDocument: 'after' },
    );
    return document ? toUpload(document) : null;
  }

  async findUnsettled(expiredBefore: Date, stuckBefore: Date, limit: number): Promise<MediaUpload[]> {
    // The flag narrows the read to uploads not yet settled (few); the rest of the rule is checked here.
    const documents = await this.collection.find({ unsettled: true }).sort({ updatedAt: 1 }).limit(limit * 4).toArray();
    return documents
      .map(toUpload)
      .filter((upload) => isUnsettled(upload, expiredBefore, stuckBefore))
      .slice(0, limit);
  }
}

function toUpload({ _id, unsettled: _unsettled, ...fields }: UploadDocument): MediaUpload {
  return { id: _id, ...fields };
}

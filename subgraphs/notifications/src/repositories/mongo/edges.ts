import type { Collection, Db } from 'mongodb';
import { isDuplicateKeyError } from '@chirp/platform';
import type { EdgeNotification, EdgeRecord } from '../../domain/model.js';
import type { EdgeRepository } from '../types.js';

/** `_id` is the edge key: one document per edge, for ever; only _id lookups. */
interface EdgeDocument {
  _id: string;
  seq: number;
  active: boolean;
  notification: EdgeNotification | null;
  retiredNotificationId: string | null;
}

export class MongoEdgeRepository implements EdgeRepository {
  private readonly collection: Collection<EdgeDocument>;

  constructor(db: Db) {
    this.collection = db.collection<EdgeDocument>('notification_edges');
  }

  async findByKey(key: string): Promise<EdgeRecord | null> {
    const document = await this.collection.findOne({ _id: key });
    return document ? toEdge(document) : null;
  }

  async save(edge: EdgeRecord, expectedSeq: number | null): Promise<boolean> {
    const { key, ...fields } = edge;
    if (expectedSeq === null) return this.insert({ _id: key, ...fields });
    // Compare-and-set on seq: a single-document write that fails when another change got there first.
    const result = await this.collection.updateOne({ _id: key, seq: expectedSeq }, { $set: fields });
    return result.matchedCount > 0;
  }

  private async insert(document: EdgeDocument): Promise<boolean> {
    try {
      await this.collection.insertOne(document);
      return true;
    } catch (error) {
      if (isDuplicateKeyError(error)) return false;
      throw error;
    }
  }
}

function toEdge(document: EdgeDocument): EdgeRecord {
  return {
    key: document._id,
    seq: document.seq,
    active: document.active,
    notification: document.notification,
    retiredNotificationId: document.retiredNotificationId,
  };
}

import type { Collection, Db, Filter } from 'mongodb';
import { ensureIndexes, isDuplicateKeyError } from '@chirp/platform';
import type { Notification, NotificationKind, NotificationState } from '../../domain/model.js';
import type { NotificationRepository, NotificationWriteOutcome } from '../types.js';

/** `_id` is the notification id (time-ordered), so `notification(id)` and live pushes are one _id lookup. */
interface NotificationDocument {
  _id: string;
  recipientId: string;
  kind: NotificationKind;
  actorId: string;
  tweetId: string | null;
  createdAt: Date;
  read: boolean;
  visible: boolean;
  /** The seq of the edge change this state reflects: an older change never overwrites a newer one. */
  edgeSeq: number;
}

export class MongoNotificationRepository implements NotificationRepository {
  private readonly collection: Collection<NotificationDocument>;

  constructor(db: Db) {
    this.collection = db.collection<NotificationDocument>('notifications');
  }

  async ensureIndexes(): Promise<void> {
    await ensureIndexes(this.collection, [
      // The list: a recipient's visible ones, newest first.
      { key: { recipientId: 1, visible: 1, _id: -1 }, name: 'visible_of_recipient' },
      // The unread count and markNotificationsRead.
      { key: { recipientId: 1, visible: 1, read: 1 }, name: 'unread_of_recipient' },
      // Retracting the likes of a deleted tweet.
      { key: { tweetId: 1 }, name: 'of_tweet' },
    ]);
  }

  async write(notification: NotificationState, edgeSeq: number): Promise<NotificationWriteOutcome> {
    const { id, visible, ...fields } = notification;
    try {
      // Matches only a state older than this change; when the stored one is
      // as new or newer, the upsert collides with the _id index instead,
      // which means "unchanged". One single-document write either way.
      const result = await this.collection.updateOne(
        // The recipient too: the shard key (see sharding.ts), so the write goes to one shard.
        { _id: id, recipientId: fields.recipientId, edgeSeq: { $lt: edgeSeq } },
        { $set: { visible, edgeSeq }, $setOnInsert: { ...fields, read: false } },
        { upsert: true },
      );
      if (result.upsertedCount > 0) return 'created';
      return result.modifiedCount > 0 ? 'updated' : 'unchanged';
    } catch (error) {
      if (isDuplicateKeyError(error)) return 'unchanged';
      throw error;
    }
  }

  async hide(recipientId: string, id: string): Promise<void> {
    await this.collection.updateOne({ _id: id, recipientId }, { $set: { visible: false } });
  }

  async hideLikesOfTweet(tweetId: string): Promise<number> {
    const result = await this.collection.updateMany({ tweetId, kind: 'LIKE', visible: true }, { $set: { visible: false } });
    return result.modifiedCount;
  }

  async findById(recipientId: string, id: string): Promise<Notification | null> {
    const document = await this.collection.findOne({ _id: id, recipientId });
    return document ? toNotification(document) : null;
  }

  async listVisible(recipientId: string, limit: number, beforeId?: string): Promise<Notification[]> {
    const filter: Filter<NotificationDocument> = { recipientId, visible: true, ...(beforeId ? { _id: { $lt: beforeId } } : {}) };
    const documents = await this.collection.find(filter).sort({ _id: -1 }).limit(limit).toArray();
    return documents.map(toNotification);
  }

  countUnread(recipientId: string): Promise<number> {
    return this.collection.countDocuments({ recipientId, visible: true, read: false });
  }

  async markAllRead(recipientId: string): Promise<number> {
    const result = await this.collection.updateMany({ recipientId, visible: true, read: false }, { $set: { read: true } });
    return result.modifiedCount;
  }
}

function toNotification(document: NotificationDocument): Notification {
  return {
    id: document._id,
    recipientId: document.recipientId,
    kind: document.kind,
    actorId: document.actorId,
    tweetId: document.tweetId,
    createdAt: document.createdAt,
    read: document.read,
    visible: document.visible,
  };
}

import type { Notification, NotificationState } from '../../domain/model.js';
import type { NotificationRepository, NotificationWriteOutcome } from '../types.js';

interface StoredNotification extends Notification {
  edgeSeq: number;
}

/** The notifications collection in a Map, with the MongoDB adapter's rules. Lists scan everything: development only. */
export class InMemoryNotificationRepository implements NotificationRepository {
  private readonly notifications = new Map<string, StoredNotification>();

  async write(notification: NotificationState, edgeSeq: number): Promise<NotificationWriteOutcome> {
    const stored = this.notifications.get(notification.id);
    if (!stored) {
      this.notifications.set(notification.id, { ...notification, read: false, edgeSeq });
      return 'created';
    }
    if (stored.edgeSeq >= edgeSeq) return 'unchanged';
    Object.assign(stored, { visible: notification.visible, edgeSeq });
    return 'updated';
  }

  async hide(recipientId: string, id: string): Promise<void> {
    const stored = this.notifications.get(id);
    if (stored?.recipientId === recipientId) stored.visible = false;
  }

  async hideLikesOfTweet(tweetId: string): Promise<number> {
    const likes = this.all().filter((notification) => notification.kind === 'LIKE' && notification.tweetId === tweetId && notification.visible);
    for (const notification of likes) notification.visible = false;
    return likes.length;
  }

  async findById(recipientId: string, id: string): Promise<Notification | null> {
    const stored = this.notifications.get(id);
    return stored?.recipientId === recipientId ? toNotification(stored) : null;
  }

  async listVisible(recipientId: string, limit: number, beforeId?: string): Promise<Notification[]> {
    return this.visibleOf(recipientId)
      .filter((notification) => !beforeId || notification.id < beforeId)
      .sort((a, b) => (a.id < b.id ? 1 : -1))
      .slice(0, limit)
      .map(toNotification);
  }

  async countUnread(recipientId: string): Promise<number> {
    return this.visibleOf(recipientId).filter((notification) => !notification.read).length;
  }

  async markAllRead(recipientId: string): Promise<number> {
    const unread = this.visibleOf(recipientId).filter((notification) => !notification.read);
    for (const notification of unread) notification.read = true;
    return unread.length;
  }

  private all(): StoredNotification[] {
    return [...this.notifications.values()];
  }

  private visibleOf(recipientId: string): StoredNotification[] {
    return this.all().filter((notification) => notification.recipientId === recipientId && notification.visible);
  }
}

function toNotification({ edgeSeq: _edgeSeq, ...notification }: StoredNotification): Notification {
  return { ...notification };
}

import { requireViewer, toPage, type Page, type Viewer } from '@chirp/platform';
import type { NotificationRepository } from '../repositories/types.js';
import type { Notification } from './model.js';

/**
 * What a signed-in user reads and does with their notifications. Everything
 * here is the viewer's own: nobody reads another's notifications, and a
 * retracted one is as good as gone (no list, no count, no lookup).
 */
export class NotificationInbox {
  constructor(private readonly notifications: NotificationRepository) {}

  /** The viewer's visible notifications, newest first, older than `beforeId`. */
  async page(viewer: Viewer | null, size: number, beforeId?: string): Promise<Page<Notification>> {
    const { id } = requireViewer(viewer);
    return toPage(await this.notifications.listVisible(id, size + 1, beforeId), size);
  }

  async unreadCount(viewer: Viewer | null): Promise<number> {
    return this.notifications.countUnread(requireViewer(viewer).id);
  }

  /** Marks every unread one read; how many it marked. */
  async markAllRead(viewer: Viewer | null): Promise<number> {
    return this.notifications.markAllRead(requireViewer(viewer).id);
  }

  /** One of the viewer's own visible notifications; null for a missing, retracted or someone else's one. */
  async byId(viewer: Viewer | null, id: string): Promise<Notification | null> {
    const { id: viewerId } = requireViewer(viewer);
    const notification = await this.notifications.findById(viewerId, id);
    return notification?.visible ? notification : null;
  }
}

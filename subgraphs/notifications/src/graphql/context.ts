import type { Viewer } from '@chirp/platform';
import type { NotificationInbox } from '../domain/inbox.js';

export interface NotificationsContext {
  viewer: Viewer | null;
  inbox: NotificationInbox;
}

export function createContext(inbox: NotificationInbox, viewer: Viewer | null): NotificationsContext {
  return { viewer, inbox };
}

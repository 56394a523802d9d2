export type NotificationKind = 'FOLLOW' | 'LIKE';

/** One notification, as its recipient's list shows it. */
export interface Notification {
  /** Time-ordered (Snowflake): the list is newest first by id. */
  id: string;
  recipientId: string;
  kind: NotificationKind;
  actorId: string;
  /** The liked tweet, for LIKE; null for FOLLOW. */
  tweetId: string | null;
  /** When the follow or like that created it happened. */
  createdAt: Date;
  read: boolean;
  /** False once retracted (unfollow, unlike, tweet deleted, replaced): hidden from the list and the unread count. */
  visible: boolean;
}

/** A notification as the projector writes it: `read` belongs to the recipient alone. */
export type NotificationState = Omit<Notification, 'read'>;

/**
 * A follow or like edge after its `seq`-th change, as its event tells it,
 * turned around to face the one it would notify.
 */
export interface EdgeChange {
  kind: NotificationKind;
  recipientId: string;
  actorId: string;
  tweetId: string | null;
  active: boolean;
  seq: number;
  /** When the change happened at its source. */
  at: Date;
}

/** The notification an edge shows (or showed, if the edge is inactive now). */
export interface EdgeNotification {
  id: string;
  createdAt: Date;
  /** The seq of the change that created it: only that change's application pushes it live. */
  seq: number;
}

/** What this subgraph remembers of one edge: the latest change it applied and that change's outcome. */
export interface EdgeRecord {
  key: string;
  seq: number;
  active: boolean;
  /** Null until the edge is first seen active. */
  notification: EdgeNotification | null;
  /** A notification that this change replaced with a new one; hidden whenever the change is (re)applied. */
  retiredNotificationId: string | null;
}

import type { EdgeRecord, Notification, NotificationState } from '../domain/model.js';

/** How a write of a notification's state went. */
export type NotificationWriteOutcome = 'created' | 'updated' | 'unchanged';

export interface NotificationRepository {
  /**
   * Writes the notification's state as of edge change `edgeSeq`: creates it
   * (unread) when missing, otherwise updates its visibility, unless it
   * already reflects `edgeSeq` or a later change ('unchanged'). Never
   * touches `read`, so a restored notification keeps what the viewer did.
   */
  write(notification: NotificationState, edgeSeq: number): Promise<NotificationWriteOutcome>;
  /** Hides one of the recipient's notifications for good (it was replaced by a newer one). */
  hide(recipientId: string, id: string): Promise<void>;
  /** Hides every LIKE notification of a tweet (it was deleted); how many were visible. */
  hideLikesOfTweet(tweetId: string): Promise<number>;
  /** One of the recipient's notifications, hidden ones included (the domain decides what they mean); null when not theirs. */
  findById(recipientId: string, id: string): Promise<Notification | null>;
  /** The recipient's visible notifications, newest first, older than `beforeId`. */
  listVisible(recipientId: string, limit: number, beforeId?: string): Promise<Notification[]>;
  /** Visible and unread. */
  countUnread(recipientId: string): Promise<number>;
  /** Marks every visible unread notification of the recipient read; how many it marked. */
  markAllRead(recipientId: string): Promise<number>;
}

export interface EdgeRepository {
  findByKey(key: string): Promise<EdgeRecord | null>;
  /**
   * Stores `edge` if the stored one is still at `expectedSeq` (null: none is
   * stored yet). False when another write came first: read again and retry.
   */
  save(edge: EdgeRecord, expectedSeq: number | null): Promise<boolean>;
}

/** Tweets known to be deleted, so a like event that arrives after the deletion notifies nobody. */
export interface DeletedTweetRepository {
  add(tweetId: string): Promise<void>;
  has(tweetId: string): Promise<boolean>;
}

export interface NotificationsRepositories {
  notifications: NotificationRepository;
  edges: EdgeRepository;
  deletedTweets: DeletedTweetRepository;
}

import type { EdgeChange, EdgeRecord } from './model.js';

/**
 * The rules that turn follow and like edges into notifications. Pure: the
 * projector (`projector.ts`) reads and writes, these only decide.
 *
 * - No notification when the actor is the recipient (liking your own tweet).
 * - One notification per edge (kind, recipient, actor, tweet), keyed by the
 *   edge, so a redelivered event never makes a second one.
 * - Events carry state with a per-edge `seq`: the highest seq applied wins,
 *   older changes are ignored, so reordering changes nothing.
 * - Deactivation (unfollow, unlike) retracts the notification: hidden from
 *   the list and the unread count.
 * - Activation within RESTORE_WINDOW_MS of the edge's current notification's
 *   creation restores that notification (same id, not pushed again); later,
 *   a new one is made (new time-ordered id, pushed) and the old one retired.
 *   So an unfollow soon after a follow leaves nothing, and like/unlike/like
 *   spam notifies once a day at most.
 * - Deleting a tweet retracts the LIKE notifications of it, for good.
 */
export const RESTORE_WINDOW_MS = 24 * 60 * 60 * 1000;

/** The edge a change belongs to, as one string: the key that makes redelivery harmless. */
export function edgeKey(change: Pick<EdgeChange, 'kind' | 'recipientId' | 'actorId' | 'tweetId'>): string {
  return [change.kind, change.recipientId, change.actorId, change.tweetId ?? '-'].join(':');
}

export function isSelfAction(change: Pick<EdgeChange, 'actorId' | 'recipientId'>): boolean {
  return change.actorId === change.recipientId;
}

/** Whether `at` is soon enough after `createdAt` to bring that notification back rather than make a new one. */
export function withinRestoreWindow(createdAt: Date, at: Date): boolean {
  return at.getTime() - createdAt.getTime() < RESTORE_WINDOW_MS;
}

/**
 * The edge after applying a change newer than `stored` (the caller has
 * checked `change.seq > stored.seq`). `newId` is called only when the change
 * needs a new notification.
 */
export function nextEdge(stored: EdgeRecord | null, change: EdgeChange, newId: () => string): EdgeRecord {
  const base = { key: edgeKey(change), seq: change.seq, active: change.active, retiredNotificationId: null };
  const current = stored?.notification ?? null;
  if (!change.active || (current && withinRestoreWindow(current.createdAt, change.at))) {
    return { ...base, notification: current };
  }
  return {
    ...base,
    notification: { id: newId(), createdAt: change.at, seq: change.seq },
    retiredNotificationId: current?.id ?? null,
  };
}

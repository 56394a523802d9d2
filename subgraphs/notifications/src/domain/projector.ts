import { LiveStreams, type LiveBus, type Logger } from '@chirp/platform';
import type { NotificationsRepositories } from '../repositories/types.js';
import type { EdgeChange, EdgeNotification, EdgeRecord, NotificationState } from './model.js';
import { edgeKey, isSelfAction, nextEdge } from './rules.js';

export interface NotificationProjectorDependencies extends NotificationsRepositories {
  live: LiveBus;
  logger: Logger;
  newId: () => string;
}

/**
 * Turns follow, like and tweet-deletion events into notifications, by the
 * rules in `rules.ts`. Events arrive at least once and maybe out of order,
 * and MongoDB here has no multi-document transactions, so every step is a
 * single-document write that is safe to repeat:
 *
 * 1. the edge's record moves to the change's seq (compare-and-set on seq),
 *    holding the decision: which notification the edge shows now;
 * 2. that notification is written (created, retracted or restored), guarded
 *    by the edge seq it reflects.
 *
 * A change whose seq is already recorded is a redelivery: step 2 runs again
 * from the recorded decision, which finishes the job if a crash cut it
 * short and changes nothing otherwise. Only the first write of a new
 * notification pushes it live.
 */
export class NotificationProjector {
  constructor(private readonly deps: NotificationProjectorDependencies) {}

  async applyEdgeChange(change: EdgeChange): Promise<void> {
    if (isSelfAction(change)) return;
    const edge = await this.advanceEdge(change);
    // Null: a newer change is recorded. No notification: never seen active (an unfollow overtook its follow).
    if (!edge?.notification) return;
    if (edge.retiredNotificationId) await this.deps.notifications.hide(change.recipientId, edge.retiredNotificationId);
    if (await this.writeNotification(edge, edge.notification, change)) {
      await this.push(change.recipientId, edge.notification.id);
    }
  }

  /** Retracts the tweet's LIKE notifications, and remembers the deletion for likes that arrive later. */
  async applyTweetDeleted(tweetId: string): Promise<void> {
    await this.deps.deletedTweets.add(tweetId);
    await this.deps.notifications.hideLikesOfTweet(tweetId);
  }

  /** The edge as this change leaves it; null when a newer change is recorded already. */
  private async advanceEdge(change: EdgeChange): Promise<EdgeRecord | null> {
    const key = edgeKey(change);
    for (;;) {
      const stored = await this.deps.edges.findByKey(key);
      if (stored && stored.seq > change.seq) return null;
      if (stored && stored.seq === change.seq) return stored;
      const next = nextEdge(stored, change, this.deps.newId);
      if (await this.deps.edges.save(next, stored?.seq ?? null)) return next;
      // Another instance recorded a change of this edge meanwhile: decide again from what it wrote.
    }
  }

  /** Writes what the edge's notification should look like; true when this created it, visible, for this change. */
  private async writeNotification(edge: EdgeRecord, notification: EdgeNotification, change: EdgeChange): Promise<boolean> {
    const visible = edge.active && !(await this.isTweetDeleted(change.tweetId));
    const state: NotificationState = {
      id: notification.id,
      recipientId: change.recipientId,
      kind: change.kind,
      actorId: change.actorId,
      tweetId: change.tweetId,
      createdAt: notification.createdAt,
      visible,
    };
    const outcome = await this.deps.notifications.write(state, edge.seq);
    if (!visible) return false;
    // The tweet may have been deleted while this ran: its event travels on another topic.
    if (await this.isTweetDeleted(change.tweetId)) {
      await this.deps.notifications.hide(change.recipientId, notification.id);
      return false;
    }
    return outcome === 'created' && notification.seq === change.seq;
  }

  private async isTweetDeleted(tweetId: string | null): Promise<boolean> {
    return tweetId !== null && (await this.deps.deletedTweets.has(tweetId));
  }

  /** Best effort: the list is the truth, so a failed push is logged and the event still counts as handled. */
  private async push(recipientId: string, notificationId: string): Promise<void> {
    try {
      await this.deps.live.publish(LiveStreams.notifications, [recipientId], notificationId);
    } catch (error) {
      this.deps.logger.warn({ err: error, recipientId, notificationId }, 'live push of a notification failed');
    }
  }
}

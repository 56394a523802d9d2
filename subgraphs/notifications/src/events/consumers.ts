import {
  Topics,
  type EventBus,
  type EventEnvelope,
  type EventSubscription,
  type FollowChangedPayload,
  type LikeChangedPayload,
  type Logger,
  type TweetChangedPayload,
} from '@chirp/platform';
import type { EdgeChange } from '../domain/model.js';
import type { NotificationProjector } from '../domain/projector.js';

export const NOTIFICATIONS_GROUP = 'notifications';

/** A follow, facing the one who was followed. */
export function followChange(payload: FollowChangedPayload): EdgeChange {
  return {
    kind: 'FOLLOW',
    recipientId: payload.followeeId,
    actorId: payload.followerId,
    tweetId: null,
    active: payload.active,
    seq: payload.seq,
    at: eventTime(payload.changedAt),
  };
}

/** A like, facing the author of the liked tweet. */
export function likeChange(payload: LikeChangedPayload): EdgeChange {
  return {
    kind: 'LIKE',
    recipientId: payload.tweetAuthorId,
    actorId: payload.userId,
    tweetId: payload.tweetId,
    active: payload.active,
    seq: payload.seq,
    at: eventTime(payload.changedAt),
  };
}

/** When the change happened at its source; now, should a producer ever leave it out. */
function eventTime(changedAt: string | undefined): Date {
  const at = changedAt ? new Date(changedAt) : new Date();
  return Number.isNaN(at.getTime()) ? new Date() : at;
}

/**
 * One consumer group for the three topics this subgraph listens to. Each
 * edge's events share a partition key (follower id, tweet id), so one
 * edge's changes reach one consumer in order; the projector still copes
 * with redelivery and reordering, which the outbox sweeper can cause.
 */
export function startConsumers(bus: EventBus, projector: NotificationProjector, logger: Logger): Promise<EventSubscription> {
  const handlers: Record<string, (event: EventEnvelope) => Promise<void>> = {
    [Topics.userFollows]: (event) => projector.applyEdgeChange(followChange(event.payload as FollowChangedPayload)),
    [Topics.tweetLikes]: (event) => projector.applyEdgeChange(likeChange(event.payload as LikeChangedPayload)),
    [Topics.tweets]: async (event) => {
      const tweet = event.payload as TweetChangedPayload;
      if (tweet.deleted) await projector.applyTweetDeleted(tweet.tweetId);
    },
  };
  return bus.subscribe({
    group: NOTIFICATIONS_GROUP,
    topics: Object.keys(handlers),
    handler: async (event, topic) => {
      await handlers[topic]?.(event);
      logger.debug({ eventId: event.id, topic }, 'notification event applied');
    },
  });
}

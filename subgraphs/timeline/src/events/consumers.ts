import {
  Topics,
  type EventBus,
  type EventSubscription,
  type FollowChangedPayload,
  type LikeChangedPayload,
  type Logger,
  type TweetChangedPayload,
  type UserProfileChangedPayload,
} from '@chirp/platform';

export const FOLLOW_GRAPH_GROUP = 'timeline.follow-graph';
export const FANOUT_GROUP = 'timeline.fanout';
export const AUTHORS_GROUP = 'timeline.authors';
/**
 * The like projection's group. Like every group it starts from the oldest
 * event Kafka holds: a new group name, or this group's offsets reset to the
 * earliest, replays the likes into the projection (see the README).
 */
export const LIKES_GROUP = 'timeline.likes';

export interface TimelineEventHandlers {
  onFollowChanged(change: FollowChangedPayload): Promise<void>;
  onTweetChanged(change: TweetChangedPayload): Promise<void>;
  onProfileChanged(change: UserProfileChangedPayload): Promise<void>;
  onLikeChanged(change: LikeChangedPayload): Promise<void>;
}

/** Keeps the timeline's follow graph in step with the users subgraph's follow events. */
export function consumeFollowEvents(
  bus: EventBus,
  onFollowChanged: TimelineEventHandlers['onFollowChanged'],
  logger: Logger,
): Promise<EventSubscription> {
  return bus.subscribe({
    group: FOLLOW_GRAPH_GROUP,
    topics: [Topics.userFollows],
    handler: async (event) => {
      await onFollowChanged(event.payload as FollowChangedPayload);
      logger.debug({ eventId: event.id }, 'follow event applied');
    },
  });
}

/**
 * The timeline's four consumers, each in its own group so a slow fan-out
 * never holds back follows, profile changes or likes.
 */
export async function startConsumers(bus: EventBus, handlers: TimelineEventHandlers, logger: Logger): Promise<EventSubscription[]> {
  return Promise.all([
    consumeFollowEvents(bus, (change) => handlers.onFollowChanged(change), logger),
    bus.subscribe({
      group: FANOUT_GROUP,
      topics: [Topics.tweets],
      handler: (event) => handlers.onTweetChanged(event.payload as TweetChangedPayload),
    }),
    bus.subscribe({
      group: AUTHORS_GROUP,
      topics: [Topics.userProfiles],
      handler: (event) => handlers.onProfileChanged(event.payload as UserProfileChangedPayload),
    }),
    bus.subscribe({
      group: LIKES_GROUP,
      topics: [Topics.tweetLikes],
      handler: (event) => handlers.onLikeChanged(event.payload as LikeChangedPayload),
    }),
  ]);
}

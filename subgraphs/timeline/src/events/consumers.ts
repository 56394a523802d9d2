import { Topics, type EventBus, type EventSubscription, type FollowChangedPayload, type Logger } from '@chirp/platform';
import type { FollowGraphProjection } from '../domain/follow-graph.js';

export const FOLLOW_GRAPH_GROUP = 'timeline.follow-graph';

/** Keeps the timeline's follow graph in step with the users subgraph's follow events. */
export function consumeFollowEvents(
  bus: EventBus,
  projection: FollowGraphProjection,
  logger: Logger,
): Promise<EventSubscription> {
  return bus.subscribe({
    group: FOLLOW_GRAPH_GROUP,
    topics: [Topics.userFollows],
    handler: async (event) => {
      const outcome = await projection.apply(event.payload as FollowChangedPayload);
      logger.debug({ eventId: event.id, outcome }, 'follow event');
    },
  });
}

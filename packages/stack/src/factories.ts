import type { SubgraphFactory } from '@chirp/platform';
import type { SubgraphName } from '@chirp/gateway';
import { createUsersSubgraph } from '@chirp/users';
import { createTweetsSubgraph } from '@chirp/tweets';
import { createTimelineSubgraph } from '@chirp/timeline';
import { createNotificationsSubgraph } from '@chirp/notifications';

/** How each subgraph is built: its composition root, shared by every way the stack runs it. */
export const FACTORIES: Record<SubgraphName, SubgraphFactory> = {
  users: createUsersSubgraph,
  tweets: createTweetsSubgraph,
  timeline: createTimelineSubgraph,
  notifications: createNotificationsSubgraph,
};

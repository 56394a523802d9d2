import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper/resolverMap.js';
import {
  DateTimeScalar,
  decodeIdCursor,
  encodeCursor,
  pageSize,
  requireViewer,
  servedByGateway,
  toConnection,
  type Viewer,
} from '@chirp/platform';
import type { HomeTimelineService } from '../domain/home-timeline.js';
import { avatarFor, type AuthorRecord, type TimelineCard } from '../domain/model.js';

export interface TimelineContext {
  viewer: Viewer | null;
  homeTimeline: HomeTimelineService;
}

/** Resolvers only translate between GraphQL and the domain services. */
export const resolvers: GraphQLResolverMap<TimelineContext> = {
  DateTime: DateTimeScalar,
  Query: {
    homeTimeline: async (_root, args: { first?: number | null; after?: string | null }, context: TimelineContext) => {
      const viewer = requireViewer(context.viewer);
      const size = pageSize(args.first);
      const page = await context.homeTimeline.page(viewer.id, size, args.after ? decodeIdCursor(args.after) : undefined);
      return toConnection({ items: page.items.map(toTweet), hasNextPage: page.hasNextPage }, (tweet) => encodeCursor([tweet.id]));
    },
  },
  Subscription: {
    homeTimelineTweetAdded: servedByGateway,
  },
  User: {
    displayName: (user: { firstName: string; lastName: string }) => `${user.firstName} ${user.lastName}`,
    avatarUrl: (user: Pick<AuthorRecord, 'avatarUrl' | 'avatarSizes'>, args: { size?: number | null }) => avatarFor(user, args.size),
  },
};

/** A card as the federated Tweet it stands for, with the fields this subgraph provides. */
function toTweet(card: TimelineCard) {
  return { __typename: 'Tweet', ...card, author: { __typename: 'User', ...card.author } };
}


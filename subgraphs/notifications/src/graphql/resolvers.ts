import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper/resolverMap.js';
import { DateTimeScalar, servedByGateway, decodeIdCursor, encodeCursor, pageSize, toConnection } from '@chirp/platform';
import type { Notification } from '../domain/model.js';
import type { NotificationsContext } from './context.js';

/** Resolvers only translate between GraphQL and the domain services. */
interface PageArgs {
  first?: number | null;
  after?: string | null;
}

export const resolvers: GraphQLResolverMap<NotificationsContext> = {
  DateTime: DateTimeScalar,
  Query: {
    notifications: async (_root, args: PageArgs, context: NotificationsContext) => {
      const size = pageSize(args.first);
      const page = await context.inbox.page(context.viewer, size, args.after ? decodeIdCursor(args.after) : undefined);
      return toConnection(page, (notification) => encodeCursor([notification.id]));
    },
    unreadNotificationCount: (_root, _args, context: NotificationsContext) => context.inbox.unreadCount(context.viewer),
    notification: (_root, args: { id: string }, context: NotificationsContext) => context.inbox.byId(context.viewer, args.id),
  },
  Mutation: {
    markNotificationsRead: (_root, _args, context: NotificationsContext) => context.inbox.markAllRead(context.viewer),
  },
  Subscription: {
    notificationAdded: servedByGateway,
  },
  Notification: {
    actor: (notification: Notification) => ({ __typename: 'User', id: notification.actorId }),
    tweet: (notification: Notification) => (notification.tweetId ? { __typename: 'Tweet', id: notification.tweetId } : null),
  },
};


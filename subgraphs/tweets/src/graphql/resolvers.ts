import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper/resolverMap.js';
import { DateTimeScalar, decodeIdCursor, encodeCursor, pageSize, toConnection, toPage } from '@chirp/platform';
import type { Tweet } from '../domain/model.js';
import type { TweetsContext } from './context.js';

/** Resolvers only translate between GraphQL and the domain services. */
interface PageArgs {
  first?: number | null;
  after?: string | null;
}

export const resolvers: GraphQLResolverMap<TweetsContext> = {
  DateTime: DateTimeScalar,
  Query: {
    tweet: (_root, args: { id: string }, context: TweetsContext) => context.loaders.tweetById.load(args.id),
  },
  Mutation: {
    postTweet: (_root, args: { text: string }, context: TweetsContext) => context.tweets.post(context.viewer, args.text),
    editTweet: (_root, args: { id: string; text: string }, context: TweetsContext) =>
      context.tweets.edit(context.viewer, args.id, args.text),
    deleteTweet: (_root, args: { id: string }, context: TweetsContext) => context.tweets.delete(context.viewer, args.id),
    likeTweet: (_root, args: { id: string }, context: TweetsContext) => context.likes.like(context.viewer, args.id),
    unlikeTweet: (_root, args: { id: string }, context: TweetsContext) => context.likes.unlike(context.viewer, args.id),
  },
  Tweet: {
    __resolveReference: (reference: { id: string }, context: TweetsContext) => context.loaders.tweetById.load(reference.id),
    author: (tweet: Tweet) => ({ __typename: 'User', id: tweet.authorId }),
    likedByViewer: (tweet: Tweet, _args, context: TweetsContext) => context.loaders.likedByViewer.load(tweet.id),
  },
  User: {
    tweets: async (user: { id: string }, args: PageArgs, context: TweetsContext) => {
      const size = pageSize(args.first);
      const beforeId = args.after ? decodeIdCursor(args.after) : undefined;
      const page = toPage(await context.tweets.listByAuthor(user.id, size + 1, beforeId), size);
      return toConnection(page, (tweet) => encodeCursor([tweet.id]));
    },
    tweetCount: (user: { id: string }, _args, context: TweetsContext) => context.loaders.tweetCount.load(user.id),
  },
};


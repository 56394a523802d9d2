import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper/resolverMap.js';
import {
  DateScalar,
  DateTimeScalar,
  InvalidInputError,
  decodeCursor,
  encodeCursor,
  pageSize,
  toConnection,
  toPage,
  type Connection,
} from '@chirp/platform';
import type { MediaKind } from '../domain/images.js';
import type { FollowCursor, FollowEdge, User } from '../domain/model.js';
import type { LogInInput, Session, SignUpInput } from '../domain/users.js';
import type { ProfileInput } from '../domain/validation.js';
import type { UsersContext } from './context.js';

/** Resolvers only translate between GraphQL and the domain services. */
interface PageArgs {
  first?: number | null;
  after?: string | null;
}

const isSelf = (user: User, context: UsersContext) => context.viewer?.id === user.id;

export const resolvers: GraphQLResolverMap<UsersContext> = {
  DateTime: DateTimeScalar,
  Date: DateScalar,
  Query: {
    me: (_root, _args, context: UsersContext) => context.users.me(context.viewer),
    user: (_root, args: { handle: string }, context: UsersContext) => context.users.byHandle(args.handle),
    _session: (_root, args: { userId: string }, context: UsersContext) => context.users.sessionGeneration(args.userId),
  },
  Mutation: {
    signUp: async (_root, args: { input: SignUpInput }, context: UsersContext) =>
      signedIn(context, await context.users.signUp(args.input, context.origin)),
    logIn: async (_root, args: { input: LogInInput }, context: UsersContext) =>
      signedIn(context, await context.users.logIn(args.input, context.origin)),
    logOutEverywhere: (_root, _args, context: UsersContext) => context.users.logOutEverywhere(context.viewer),
    updateProfile: (_root, args: { input: ProfileInput }, context: UsersContext) =>
      context.users.updateProfile(context.viewer, args.input),
    follow: (_root, args: { userId: string }, context: UsersContext) => context.follows.follow(context.viewer, args.userId),
    unfollow: (_root, args: { userId: string }, context: UsersContext) =>
      context.follows.unfollow(context.viewer, args.userId),
    createMediaUpload: async (_root, args: { kind: MediaKind; contentType: string; byteSize: number }, context: UsersContext) => {
      const { upload, form } = await context.media.createUpload(context.viewer, args.kind, args.contentType, args.byteSize);
      const fields = Object.entries(form.fields).map(([name, value]) => ({ name, value }));
      return { id: upload.id, url: form.url, fields, maxBytes: upload.byteSize, expiresAt: form.expiresAt };
    },
    setAvatar: (_root, args: { uploadId: string }, context: UsersContext) => context.media.setPicture(context.viewer, 'AVATAR', args.uploadId),
    setBanner: (_root, args: { uploadId: string }, context: UsersContext) => context.media.setPicture(context.viewer, 'BANNER', args.uploadId),
    removeAvatar: (_root, _args, context: UsersContext) => context.media.removePicture(context.viewer, 'AVATAR'),
    removeBanner: (_root, _args, context: UsersContext) => context.media.removePicture(context.viewer, 'BANNER'),
  },
  User: {
    __resolveReference: (reference: { id: string }, context: UsersContext) => context.loaders.userById.load(reference.id),
    displayName: (user: User) => `${user.firstName} ${user.lastName}`,
    avatarUrl: (user: User, args: { size?: number | null }, context: UsersContext) => context.pictures.url(user, 'AVATAR', args.size),
    bannerUrl: (user: User, args: { size?: number | null }, context: UsersContext) => context.pictures.url(user, 'BANNER', args.size),
    email: (user: User, _args, context: UsersContext) => (isSelf(user, context) ? user.email : null),
    birthDate: (user: User, _args, context: UsersContext) => (isSelf(user, context) ? user.birthDate : null),
    followersCount: (user: User, _args, context: UsersContext) => context.loaders.followersCount.load(user.id),
    followingCount: (user: User, _args, context: UsersContext) => context.loaders.followingCount.load(user.id),
    followedByViewer: (user: User, _args, context: UsersContext) => context.loaders.followedByViewer.load(user.id),
    followers: (user: User, args: PageArgs, context: UsersContext) =>
      followConnection(args, context, 'followerId', (limit, after) =>
        context.follows.listFollowers(user.id, limit, after),
      ),
    following: (user: User, args: PageArgs, context: UsersContext) =>
      followConnection(args, context, 'followeeId', (limit, after) =>
        context.follows.listFollowing(user.id, limit, after),
      ),
  },
};

/**
 * Whoever just signed up or logged in is, for the rest of this request, that
 * user: `signUp { user { email } }` shows them their own email.
 */
function signedIn(context: UsersContext, session: Session): Session {
  context.viewer = { id: session.user.id, handle: session.user.handle };
  return session;
}

async function followConnection(
  args: PageArgs,
  context: UsersContext,
  otherSide: 'followerId' | 'followeeId',
  list: (limit: number, after?: FollowCursor) => Promise<FollowEdge[]>,
): Promise<Connection<User>> {
  const size = pageSize(args.first);
  const page = toPage(await list(size + 1, args.after ? followCursor(args.after) : undefined), size);
  const users = await context.loaders.userById.loadMany(page.items.map((edge) => edge[otherSide]));
  const cursors = new Map(page.items.map((edge) => [edge[otherSide], encodeCursor([edge.changedAt.getTime(), edge[otherSide]])]));
  const found = users.filter((user): user is User => user !== null && !(user instanceof Error));
  return toConnection({ items: found, hasNextPage: page.hasNextPage }, (user) => cursors.get(user.id) as string);
}

function followCursor(after: string): FollowCursor {
  const [changedAt, userId] = decodeCursor(after);
  if (typeof changedAt !== 'number' || typeof userId !== 'string') {
    throw new InvalidInputError('after', 'The cursor is not valid; use an endCursor from a previous page.');
  }
  return { changedAt: new Date(changedAt), userId };
}

/**
 * Topics and event payloads are the contract between services: the producer
 * owns the topic, consumers depend only on what is written here.
 */
export const Topics = {
  /** Follow edges changing state. Key: follower id. Producer: users. */
  userFollows: 'users.follows',
  /** A user's public profile, created or changed. Key: user id. Producer: users. */
  userProfiles: 'users.profiles',
  /** Tweets posted, edited, deleted. Key: author id (one author's tweets stay in order). Producer: tweets. */
  tweets: 'tweets.tweets',
  /** Like edges changing state. Key: tweet id. Producer: tweets. */
  tweetLikes: 'tweets.likes',
} as const;

export type Topic = (typeof Topics)[keyof typeof Topics];

export const EventTypes = {
  userFollowed: 'user.followed',
  userUnfollowed: 'user.unfollowed',
  userProfileChanged: 'user.profile_changed',
  tweetPosted: 'tweet.posted',
  tweetEdited: 'tweet.edited',
  tweetDeleted: 'tweet.deleted',
  tweetLiked: 'tweet.liked',
  tweetUnliked: 'tweet.unliked',
} as const;

/**
 * The state of one follow edge after its `seq`-th change. Events carry state,
 * not deltas: a consumer keeps the highest `seq` it has applied per edge and
 * ignores anything older, so redelivery and reordering are harmless.
 */
export interface FollowChangedPayload {
  followerId: string;
  followeeId: string;
  active: boolean;
  seq: number;
  changedAt: string;
}

/** A user's public profile at `version` (never the email, birth date or password). */
export interface UserProfileChangedPayload {
  userId: string;
  version: number;
  handle: string;
  firstName: string;
  lastName: string;
  /** The default size's URL (what clients show without a size). */
  avatarUrl: string | null;
  bannerUrl: string | null;
  /** Every stored size of the avatar, narrowest first; absent in events from before pictures had sizes. */
  avatarSizes?: PictureSize[] | null;
  bio: string | null;
  createdAt: string;
}

/** One stored size of a picture, as events carry it. */
export interface PictureSize {
  width: number;
  url: string;
}

/**
 * A tweet at `version` (1 when posted, +1 per edit or delete). A deleted
 * tweet has `deleted: true` and no text. Consumers keep the highest version.
 */
export interface TweetChangedPayload {
  tweetId: string;
  authorId: string;
  version: number;
  text: string | null;
  createdAt: string;
  editedAt: string | null;
  deleted: boolean;
}

/** The state of one like edge after its `seq`-th change (see FollowChangedPayload). */
export interface LikeChangedPayload {
  tweetId: string;
  /** Who wrote the liked tweet: the one a LIKE notification is for. */
  tweetAuthorId: string;
  userId: string;
  active: boolean;
  seq: number;
  changedAt: string;
}

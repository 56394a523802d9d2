/** A tweet as the timeline knows it: its own projection of the tweets subgraph's events. */
export interface TweetRecord {
  id: string;
  authorId: string;
  text: string | null;
  createdAt: Date;
  editedAt: Date | null;
  deleted: boolean;
  version: number;
}

/** The part of a profile a timeline card shows, from the users subgraph's events. */
export interface AuthorRecord {
  id: string;
  handle: string;
  firstName: string;
  lastName: string;
  /** The avatar's default size. */
  avatarUrl: string | null;
  /** Every stored size, narrowest first (absent for profiles projected before avatars had sizes). */
  avatarSizes?: Array<{ width: number; url: string }> | null;
  version: number;
}

/** An avatar's URL for a width: the smallest stored size at least that wide, the largest when none is (as the users subgraph answers). */
export function avatarFor(author: Pick<AuthorRecord, 'avatarUrl' | 'avatarSizes'>, width?: number | null): string | null {
  const sizes = author.avatarSizes;
  if (!sizes || sizes.length === 0 || width === undefined || width === null) return author.avatarUrl;
  return (sizes.find((size) => size.width >= width) ?? sizes.at(-1))?.url ?? author.avatarUrl;
}

/** One like edge (tweet, user) at the `seq`-th change of its state, from the tweets subgraph's like events. */
export interface LikeEdgeState {
  tweetId: string;
  userId: string;
  active: boolean;
  /** 0 for an edge that never existed (a cached "does not like"). */
  seq: number;
}

/** A tweet's active likes, counted from the projected edges; `version` orders counts taken at different times. */
export interface LikeCount {
  tweetId: string;
  count: number;
  version: number;
}

/** What a timeline shows of a tweet's likes, for one viewer. */
export interface TweetLikes {
  likeCount: number;
  likedByViewer: boolean;
}

/** What a timeline shows for one tweet, served without asking another subgraph. */
export interface TimelineCard extends TweetLikes {
  id: string;
  text: string;
  createdAt: Date;
  editedAt: Date | null;
  author: Omit<AuthorRecord, 'version'>;
}

/** A tweet as the domain sees it. Deleted tweets are kept as tombstones (`deletedAt`) for their events. */
export interface Tweet {
  id: string;
  authorId: string;
  text: string;
  createdAt: Date;
  editedAt: Date | null;
  deletedAt: Date | null;
  likeCount: number;
  /** +1 per change of text or deletion; events carry it so consumers keep the newest. */
  version: number;
  /** +1 per change of any kind, like count included: caches keep the newest. */
  revision: number;
}

export interface NewTweet {
  id: string;
  authorId: string;
  text: string;
  createdAt: Date;
}

/** One user → tweet like. Never deleted: unliking sets `active` false; `seq` counts changes. */
export interface LikeEdge {
  tweetId: string;
  userId: string;
  active: boolean;
  seq: number;
  changedAt: Date;
}

/** Whether a user likes a tweet, at the `seq`-th change of that like (0: never liked). */
export interface LikeState {
  active: boolean;
  seq: number;
}

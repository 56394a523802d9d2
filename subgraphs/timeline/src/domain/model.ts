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
  avatarUrl: string | null;
  version: number;
}

/** What a timeline shows for one tweet, served without asking another subgraph. */
export interface TimelineCard {
  id: string;
  text: string;
  createdAt: Date;
  editedAt: Date | null;
  author: Omit<AuthorRecord, 'version'>;
}

/** One edge of the projected follow graph, at the `seq`-th change of its state. */
export interface EdgeState {
  followerId: string;
  followeeId: string;
  active: boolean;
  seq: number;
}

export interface FollowGraphRepository {
  /** Stores the state unless one with an equal or higher `seq` is there already; true when stored. */
  apply(edge: EdgeState): Promise<boolean>;
  /** Whom `userId` follows now. */
  followeesOf(userId: string): Promise<string[]>;
  /** Who follows `userId` now. */
  followersOf(userId: string): Promise<string[]>;
}

import { OUTBOX_SWEEP_SCATTER, type ShardingPlan } from '@chirp/platform';

/**
 * The users subgraph's collections on a sharded cluster (see
 * CollectionSharding). Ids are time-ordered, so every key on an id is
 * hashed: a ranged one would send every new document to the last chunk.
 */
export const SHARDING: ShardingPlan = {
  users: {
    key: { _id: 'hashed' },
    why: 'every entity resolution, profile change and session check goes by id',
    scatterGather: {
      handleKey: 'a profile by handle, and the handle check at sign-up: one unique-index probe per shard',
      emailKey: 'log-in by email: one unique-index probe per shard',
      pendingSince: OUTBOX_SWEEP_SCATTER,
      // Sharded, the unique handle and email indexes cannot stay (a unique index must start with the shard key):
      // they move to two reservation collections keyed by `_id` = the handle and the email, written before the user.
    },
  },
  follows: {
    key: { _id: 'hashed' },
    why: 'a follow or unfollow, "do I follow these", and its publishing go by the edge id (follower:followee)',
    scatterGather: {
      'active,followeeId': 'followers count: one index count per shard (the profile shows it; a counter document is the next step)',
      'active,followerId': 'following count: one index count per shard',
      '$or,active,followeeId': 'followers list, a page after a cursor: one indexed range per shard, merged by the router',
      '$or,active,followerId': 'following list, a page after a cursor: one indexed range per shard',
      pendingSince: OUTBOX_SWEEP_SCATTER,
    },
  },
  media_uploads: {
    key: { _id: 'hashed' },
    why: 'an upload is created, confirmed and settled by its id',
    scatterGather: { unsettled: 'the media sweep (uploads never confirmed, files to delete): in the background, every five minutes' },
  },
};

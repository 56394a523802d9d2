import { OUTBOX_SWEEP_SCATTER, type ShardingPlan } from '@chirp/platform';

/** The tweets subgraph's collections on a sharded cluster (see CollectionSharding); ids are time-ordered, so hashed. */
export const SHARDING: ShardingPlan = {
  tweets: {
    key: { _id: 'hashed' },
    why: 'a tweet is resolved, edited, deleted and counted by its id (every timeline card)',
    scatterGather: {
      'authorId,deletedAt': "a user's tweets, newest first, and their count: one indexed range per shard, merged by the router",
      pendingSince: OUTBOX_SWEEP_SCATTER,
    },
  },
  likes: {
    key: { _id: 'hashed' },
    why: 'a like or unlike, "did I like these", and its publishing go by the edge id (tweet:user)',
    scatterGather: {
      'active,tweetId': "a tweet's like count, recounted after a like changes: one index count per shard",
      pendingSince: OUTBOX_SWEEP_SCATTER,
    },
  },
};

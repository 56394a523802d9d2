import type { ShardingPlan } from '@chirp/platform';

/** The notifications subgraph's collections on a sharded cluster (see CollectionSharding). */
export const SHARDING: ShardingPlan = {
  notifications: {
    key: { recipientId: 'hashed' },
    why: "a recipient's list, unread count, mark-read, and every write and retraction name the recipient",
    scatterGather: {
      'kind,tweetId,visible': "a deleted tweet's LIKE notifications retracted: once per deleted tweet, one indexed update per shard",
    },
  },
  notification_edges: { key: { _id: 'hashed' }, why: 'an edge (follow or like) is read and advanced by its key' },
  deleted_tweets: { key: { _id: 'hashed' }, why: 'a deleted tweet is recorded and checked by its id' },
};

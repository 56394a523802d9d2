import type { ShardingPlan } from '@chirp/platform';

/** The timeline subgraph's projections on a sharded cluster (see CollectionSharding); ids are time-ordered, so hashed. */
export const SHARDING: ShardingPlan = {
  tweets: {
    key: { _id: 'hashed' },
    why: "a page's cards are fetched by tweet id",
    scatterGather: {
      'authorId,deleted': "an author's latest tweet ids, when Redis lost their list (a rebuild's refill): one indexed range per shard",
    },
  },
  authors: { key: { _id: 'hashed' }, why: "a card's author is fetched, and a profile change applied, by user id" },
  follow_graph: {
    key: { followeeId: 'hashed' },
    why: "the fan-out's read (an author's followers) and follower count go to one shard; a follow edge is written there too",
    scatterGather: {
      'active,followerId': "whom a reader follows, for a cold rebuild (their timeline expired): once per returning reader, one indexed read per shard",
    },
  },
  like_edges: { key: { tweetId: 'hashed' }, why: "a like's edge, a tweet's recount and a reader's like states all name the tweet" },
  like_counts: { key: { _id: 'hashed' }, why: "a tweet's count is settled and read by its id" },
};

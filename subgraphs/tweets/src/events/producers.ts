/**
 * What the tweets subgraph tells the others, and how its outbox finds what it
 * has not told them yet. Topics and payloads: @chirp/platform (topics.ts).
 */
import {
  EventTypes,
  Topics,
  type EventEnvelope,
  type LikeChangedPayload,
  type OutboxSource,
  type PendingEvent,
  type TweetChangedPayload,
} from '@chirp/platform';
import type { LikeEdge, Tweet } from '../domain/model.js';
import type { LikeRepository, TweetRepository } from '../repositories/types.js';

export function tweetChangedEvent(tweet: Tweet): EventEnvelope<TweetChangedPayload> {
  const deleted = tweet.deletedAt !== null;
  return {
    id: `tweet:${tweet.id}:v${tweet.version}`,
    type: deleted ? EventTypes.tweetDeleted : tweet.version === 1 ? EventTypes.tweetPosted : EventTypes.tweetEdited,
    occurredAt: (tweet.deletedAt ?? tweet.editedAt ?? tweet.createdAt).toISOString(),
    // Keyed by author: one author's posts, edits and deletes stay in order.
    key: tweet.authorId,
    payload: {
      tweetId: tweet.id,
      authorId: tweet.authorId,
      version: tweet.version,
      text: deleted ? null : tweet.text,
      createdAt: tweet.createdAt.toISOString(),
      editedAt: tweet.editedAt?.toISOString() ?? null,
      deleted,
    },
  };
}

export function likeChangedEvent(edge: LikeEdge, tweetAuthorId: string): EventEnvelope<LikeChangedPayload> {
  return {
    id: `like:${edge.tweetId}:${edge.userId}:${edge.seq}`,
    type: edge.active ? EventTypes.tweetLiked : EventTypes.tweetUnliked,
    occurredAt: edge.changedAt.toISOString(),
    key: edge.tweetId,
    payload: {
      tweetId: edge.tweetId,
      tweetAuthorId,
      userId: edge.userId,
      active: edge.active,
      seq: edge.seq,
      changedAt: edge.changedAt.toISOString(),
    },
  };
}

export function pendingTweetEvent(tweets: TweetRepository, tweet: Tweet): PendingEvent {
  return {
    topic: Topics.tweets,
    event: tweetChangedEvent(tweet),
    markPublished: () => tweets.markPublished(tweet.id, tweet.version),
  };
}

/**
 * A like's event, preceded by settling the tweet's like count, so the count
 * is right before anyone hears of the like, whoever publishes it.
 */
export function pendingLikeEvent(
  likes: LikeRepository,
  edge: LikeEdge,
  tweetAuthorId: string,
  settleLikeCount: (tweetId: string) => Promise<void>,
): PendingEvent {
  return {
    topic: Topics.tweetLikes,
    event: likeChangedEvent(edge, tweetAuthorId),
    prepare: () => settleLikeCount(edge.tweetId),
    markPublished: () => likes.markPublished(edge.tweetId, edge.userId, edge.seq),
  };
}

/** Where the outbox sweeper looks for changes whose events were not sent. */
export function outboxSources(
  tweets: TweetRepository,
  likes: LikeRepository,
  settleLikeCount: (tweetId: string) => Promise<void>,
): OutboxSource[] {
  return [
    {
      name: 'tweets',
      findPending: async (olderThan, limit) =>
        (await tweets.findUnpublished(olderThan, limit)).map((tweet) => pendingTweetEvent(tweets, tweet)),
    },
    {
      name: 'likes',
      findPending: async (olderThan, limit) => {
        const edges = await likes.findUnpublished(olderThan, limit);
        const authors = new Map((await tweets.findByIds(edges.map((edge) => edge.tweetId))).map((t) => [t.id, t.authorId]));
        return edges.flatMap((edge) => {
          const author = authors.get(edge.tweetId);
          return author ? [pendingLikeEvent(likes, edge, author, settleLikeCount)] : [];
        });
      },
    },
  ];
}

import { enforceRateLimit, isWellFormedId, requireViewer, type OutboxRelay, type RateLimiter, type Viewer } from '@chirp/platform';
import { pendingLikeEvent } from '../events/producers.js';
import type { LikeRepository, TweetRepository } from '../repositories/types.js';
import type { Tweet } from './model.js';
import { tweetNotFound } from './tweets.js';

export interface LikeServiceDependencies {
  tweets: TweetRepository;
  likes: LikeRepository;
  relay: OutboxRelay;
  /** Likes and unlikes per user. */
  likeLimit: RateLimiter;
  now: () => Date;
}

/**
 * Likes. Liking is idempotent (a repeat changes nothing). The count lives on
 * the tweet and is settled by counting the likes after each change, guarded
 * by a token so that a count taken before a later change is never stored:
 * retries and races can delay the exact count, never double it.
 */
export class LikeService {
  constructor(private readonly deps: LikeServiceDependencies) {}

  like(viewer: Viewer | null, tweetId: string): Promise<Tweet> {
    return this.setLiked(viewer, tweetId, true);
  }

  unlike(viewer: Viewer | null, tweetId: string): Promise<Tweet> {
    return this.setLiked(viewer, tweetId, false);
  }

  /** For each tweet id, whether the viewer likes it (DataLoader's contract: same order). */
  async likedBy(viewerId: string, tweetIds: readonly string[]): Promise<boolean[]> {
    const states = await this.deps.likes.likeStates(viewerId, tweetIds);
    return tweetIds.map((id) => states.get(id)?.active ?? false);
  }

  /** Counts the tweet's likes and stores the count, unless another like changed meanwhile (its own settle wins). */
  readonly settleLikeCount = async (tweetId: string): Promise<void> => {
    const token = await this.deps.tweets.markLikeCountStale(tweetId);
    const count = await this.deps.likes.countActive(tweetId);
    await this.deps.tweets.settleLikeCount(tweetId, token, count);
  };

  private async setLiked(viewer: Viewer | null, tweetId: string, active: boolean): Promise<Tweet> {
    const { id: userId } = requireViewer(viewer);
    await enforceRateLimit(this.deps.likeLimit, userId, 'You are liking and unliking too fast.');
    const tweet = isWellFormedId(tweetId) ? await this.deps.tweets.findById(tweetId) : null;
    if (!tweet || tweet.deletedAt) throw tweetNotFound(tweetId);
    const changed = await this.deps.likes.setActive(tweetId, userId, active, this.deps.now());
    if (!changed) return tweet;
    await this.deps.relay.publish([pendingLikeEvent(this.deps.likes, changed, tweet.authorId, this.settleLikeCount)]);
    return (await this.deps.tweets.findById(tweetId)) ?? tweet;
  }
}

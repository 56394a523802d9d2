import {
  ForbiddenError,
  NotFoundError,
  enforceRateLimit,
  isWellFormedId,
  requireViewer,
  type OutboxRelay,
  type RateLimiter,
  type Viewer,
} from '@chirp/platform';
import { pendingTweetEvent } from '../events/producers.js';
import { DuplicateTweetIdError, type TweetRepository } from '../repositories/types.js';
import type { Tweet } from './model.js';
import { checkTweetText, checkWeightedLength, cleanTweetText } from './text.js';

export interface TweetServiceDependencies {
  tweets: TweetRepository;
  relay: OutboxRelay;
  /** Posts per user. */
  postLimit: RateLimiter;
  newId: () => string;
  now: () => Date;
}

/** The id is echoed only when it could be one (not a client's 200 KB string). */
export const tweetNotFound = (id: string) => new NotFoundError(isWellFormedId(id) ? `There is no tweet with id "${id}".` : 'There is no tweet with that id.');

/** Posting, editing and deleting tweets; only authors change their own. */
export class TweetService {
  constructor(private readonly deps: TweetServiceDependencies) {}

  async post(viewer: Viewer | null, rawText: string): Promise<Tweet> {
    const author = requireViewer(viewer);
    const text = checkTweetText(rawText);
    // Counted once the text is valid: a rejected draft costs nothing.
    await enforceRateLimit(this.deps.postLimit, author.id, 'You are posting too fast.');
    const tweet = await this.createWithFreshId(author.id, text);
    await this.deps.relay.publish([pendingTweetEvent(this.deps.tweets, tweet)]);
    return tweet;
  }

  /** Ids are unique with overwhelming odds; on the rare clash between instances, draw another. */
  private async createWithFreshId(authorId: string, text: string, attempts = 3): Promise<Tweet> {
    try {
      return await this.deps.tweets.create({ id: this.deps.newId(), authorId, text, createdAt: this.deps.now() });
    } catch (error) {
      if (error instanceof DuplicateTweetIdError && attempts > 1) return this.createWithFreshId(authorId, text, attempts - 1);
      throw error;
    }
  }

  async edit(viewer: Viewer | null, id: string, rawText: string): Promise<Tweet> {
    const author = requireViewer(viewer);
    // The cheap checks first; twitter-text's count only once the tweet is known to be the viewer's.
    const cleaned = cleanTweetText(rawText);
    // Edits count with posts: each one is pushed to every timeline the tweet is on, as a post is.
    await enforceRateLimit(this.deps.postLimit, author.id, 'You are posting too fast.');
    await this.ownTweet(author, id, 'edit');
    const text = checkWeightedLength(cleaned);
    const tweet = await this.deps.tweets.edit(id, text, this.deps.now());
    if (!tweet) throw tweetNotFound(id); // deleted meanwhile
    await this.deps.relay.publish([pendingTweetEvent(this.deps.tweets, tweet)]);
    return tweet;
  }

  async delete(viewer: Viewer | null, id: string): Promise<string> {
    const author = requireViewer(viewer);
    await this.ownTweet(author, id, 'delete');
    const tweet = await this.deps.tweets.markDeleted(id, this.deps.now());
    if (tweet) await this.deps.relay.publish([pendingTweetEvent(this.deps.tweets, tweet)]);
    return id;
  }

  /** A visible tweet, or null (deleted tweets are not shown to anyone). */
  async byId(id: string): Promise<Tweet | null> {
    if (!isWellFormedId(id)) return null;
    const tweet = await this.deps.tweets.findById(id);
    return tweet && !tweet.deletedAt ? tweet : null;
  }

  /** Visible tweets in the order of `ids`, null where there is none (DataLoader's contract). */
  async byIds(ids: readonly string[]): Promise<Array<Tweet | null>> {
    const found = new Map((await this.deps.tweets.findByIds(ids)).map((tweet) => [tweet.id, tweet]));
    return ids.map((id) => {
      const tweet = found.get(id);
      return tweet && !tweet.deletedAt ? tweet : null;
    });
  }

  listByAuthor(authorId: string, limit: number, beforeId?: string): Promise<Tweet[]> {
    return this.deps.tweets.listByAuthor(authorId, limit, beforeId);
  }

  countByAuthor(authorId: string): Promise<number> {
    return this.deps.tweets.countByAuthor(authorId);
  }

  private async ownTweet(viewer: Viewer, id: string, action: 'edit' | 'delete'): Promise<Tweet> {
    const tweet = await this.byId(id);
    if (!tweet) throw tweetNotFound(id);
    if (tweet.authorId !== viewer.id) throw new ForbiddenError(`Only its author can ${action} this tweet.`);
    return tweet;
  }
}

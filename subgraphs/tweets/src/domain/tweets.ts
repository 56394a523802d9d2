import {
  ForbiddenError,
  NotFoundError,
  requireViewer,
  type OutboxRelay,
  type Viewer,
} from '@chirp/platform';
import { pendingTweetEvent } from '../events/producers.js';
import { DuplicateTweetIdError, type TweetRepository } from '../repositories/types.js';
import type { Tweet } from './model.js';
import { checkTweetText } from './text.js';

export interface TweetServiceDependencies {
  tweets: TweetRepository;
  relay: OutboxRelay;
  newId: () => string;
  now: () => Date;
}

const notFound = (id: string) => new NotFoundError(`There is no tweet with id "${id}".`);

/** Posting, editing and deleting tweets; only authors change their own. */
export class TweetService {
  constructor(private readonly deps: TweetServiceDependencies) {}

  async post(viewer: Viewer | null, rawText: string): Promise<Tweet> {
    const author = requireViewer(viewer);
    const text = checkTweetText(rawText);
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
    const text = checkTweetText(rawText);
    await this.ownTweet(author, id, 'edit');
    const tweet = await this.deps.tweets.edit(id, text, this.deps.now());
    if (!tweet) throw notFound(id); // deleted meanwhile
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
    if (!tweet) throw notFound(id);
    if (tweet.authorId !== viewer.id) throw new ForbiddenError(`Only its author can ${action} this tweet.`);
    return tweet;
  }
}

import {
  LiveStreams,
  type FollowChangedPayload,
  type LiveBus,
  type Logger,
  type Metrics,
  type TweetChangedPayload,
  type UserProfileChangedPayload,
} from '@chirp/platform';
import type { AuthorRepository, FollowGraphRepository, TweetProjectionRepository } from '../repositories/types.js';
import type { TimelineStore } from '../stores/types.js';
import type { CardService } from './cards.js';
import { refillRecent } from './recents.js';
import type { TweetRecord } from './model.js';
import type { TimelineSettings } from './settings.js';

const FANOUT_CHUNKS_IN_FLIGHT = 4;
/**
 * How long a follower count is trusted. Only the hybrid threshold reads it,
 * and either side of the threshold gives the same timelines, so an author
 * who crosses it is switched within this time rather than at once; in
 * exchange a post costs a cache read instead of counting up to the
 * threshold's worth of follow edges.
 */
const FOLLOWER_COUNT_TTL_SECONDS = 600;

export interface FanoutDependencies {
  store: TimelineStore;
  followGraph: FollowGraphRepository;
  tweets: TweetProjectionRepository;
  authors: AuthorRepository;
  cards: CardService;
  /** Where `homeTimelineTweetAdded` subscribers hear of new tweets. */
  live: LiveBus;
  settings: TimelineSettings;
  logger: Logger;
  /** Fan-out sizes and times, and live pushes (when given). */
  metrics?: Metrics;
}

/**
 * Fan-out on write: the write side of the timeline, fed by events. A new
 * tweet's id goes into its author's list of recent tweets, then into the
 * cached home timeline of its author and of every follower (hybrid: not for
 * authors too big to fan out; their tweets are merged at read time). Every step is idempotent, so a redelivered event, or
 * one replayed after a crash mid-fan-out, changes nothing twice.
 *
 * Each home a tweet enters is also announced to that user's open
 * subscriptions. The followers with one open when the fan-out starts are
 * served (and announced to) first; one who opens a socket later in the
 * fan-out finds the tweet in their timeline instead of hearing of it. A
 * replayed fan-out announces again; gateways drop an id a subscription has
 * already had.
 */
export class FanoutService {
  constructor(private readonly deps: FanoutDependencies) {}

  async onTweetChanged(change: TweetChangedPayload): Promise<void> {
    // The durable projection first: an author's list filled from it (where
    // Redis lost the list) holds this tweet too.
    const stored = await this.deps.tweets.apply(toRecord(change));
    // Edits and deletes only change the card: every timeline holding the id shows it.
    await this.deps.cards.refreshTweet(stored);
    if (change.version === 1 && !stored.deleted) await this.fanOut(stored);
  }

  async onFollowChanged(change: FollowChangedPayload): Promise<void> {
    const { followerId, followeeId, active, seq } = change;
    const applied = await this.deps.followGraph.apply({ followerId, followeeId, active, seq });
    // Following brings the followee's tweets in, unfollowing takes them out:
    // the follower's cached timeline is rebuilt on its next read (and an
    // unfollow is remembered, against a fan-out already under way).
    if (applied) await this.deps.store.followChanged(followerId, followeeId, active);
  }

  async onProfileChanged(change: UserProfileChangedPayload): Promise<void> {
    const author = {
      id: change.userId,
      handle: change.handle,
      firstName: change.firstName,
      lastName: change.lastName,
      avatarUrl: change.avatarUrl,
      avatarSizes: change.avatarSizes ?? null,
      version: change.version,
    };
    await this.deps.authors.apply(author);
    const [stored] = await this.deps.authors.findByIds([author.id]);
    if (stored) await this.deps.cards.refreshAuthor(stored);
  }

  private async fanOut(tweet: TweetRecord): Promise<void> {
    // The author's own list before any timeline: a timeline rebuilt from the
    // lists meanwhile reads them again after it is stored, and so finds
    // every tweet whose push to it came too early.
    await this.rememberRecent(tweet);
    // The author and the followers side by side: neither waits on the other,
    // and each round trip saved is latency saved for every live follower.
    const started = performance.now();
    const [, followers] = await Promise.all([this.serveAuthor(tweet), this.serveFollowers(tweet)]);
    this.deps.metrics?.record('fanoutFollowers', followers, {});
    this.deps.metrics?.record('fanoutMs', performance.now() - started, {});
  }

  /**
   * Every author's latest ids are kept in Redis, whoever reads them: home
   * timelines are rebuilt from them (so a timeline unread for weeks comes
   * back as fast as a warm one), and celebrities' followers merge them at
   * read. A list Redis does not have is filled from the projection, which
   * already holds this tweet.
   */
  private async rememberRecent(tweet: TweetRecord): Promise<void> {
    if (!(await this.deps.store.pushRecent(tweet.authorId, tweet.id))) await refillRecent(this.deps, tweet.authorId);
  }

  /** Returns how many followers the tweet was for. */
  private async serveFollowers(tweet: TweetRecord): Promise<number> {
    const [celebrity, followers] = await Promise.all([this.isCelebrity(tweet.authorId), this.deps.followGraph.followersOf(tweet.authorId)]);
    // Followers with a socket open go first, so they hear of the tweet within
    // the first chunk rather than after the whole fan-out; the others'
    // timelines follow. A celebrity's tweets are merged in at read time: only
    // those live followers hear of them now.
    const online = await this.listening(followers);
    const live = new Set(online);
    const offline = followers.filter((id) => !live.has(id));
    if (celebrity) {
      await this.inChunks(online, (homes) => this.announce(homes, tweet.id));
      return followers.length;
    }
    await this.inChunks(online, (homes) => this.addToHomes(homes, tweet.id));
    await this.inChunks(offline, (homes) => this.deps.store.addToHomes(homes, tweet.id));
    await this.takeBackFromUnfollowers(tweet, followers);
    return followers.length;
  }

  /** Runs `step` over chunks of users, a few chunks in flight: Redis stays busy while the next pipeline is encoded. */
  private async inChunks(userIds: readonly string[], step: (chunk: readonly string[]) => Promise<void>): Promise<void> {
    const { fanoutChunk } = this.deps.settings;
    const wave = fanoutChunk * FANOUT_CHUNKS_IN_FLIGHT;
    for (let start = 0; start < userIds.length; start += wave) {
      const chunks: Array<Promise<void>> = [];
      for (let chunk = start; chunk < Math.min(start + wave, userIds.length); chunk += fanoutChunk) {
        chunks.push(step(userIds.slice(chunk, chunk + fanoutChunk)));
      }
      await Promise.all(chunks);
    }
  }

  /** The author's own timeline, then their sockets if they have one open. */
  private async serveAuthor(tweet: TweetRecord): Promise<void> {
    await this.deps.store.addToHomes([tweet.authorId], tweet.id);
    await this.announce(await this.listening([tweet.authorId]), tweet.id);
  }

  /** Live followers' timelines, then their sockets. */
  private async addToHomes(userIds: readonly string[], tweetId: string): Promise<void> {
    await this.deps.store.addToHomes(userIds, tweetId);
    await this.announce(userIds, tweetId);
  }

  /**
   * A follower who unfollowed after `followersOf` read them may have had the
   * tweet pushed into the home rebuilt after the unfollow. Unfollows are
   * remembered before the home is dropped, so once the pushes are done one
   * read of the author's recent unfollowers finds every such follower, and
   * the tweet is taken out of their homes again: one set read per fan-out,
   * rather than a check in each of its inserts.
   */
  private async takeBackFromUnfollowers(tweet: TweetRecord, followers: readonly string[]): Promise<void> {
    const unfollowers = new Set(await this.deps.store.recentUnfollowers(tweet.authorId));
    if (unfollowers.size === 0) return;
    const pushedTo = followers.filter((id) => unfollowers.has(id));
    await this.deps.store.removeFromHomes(pushedTo, tweet.id);
  }

  /** Which of these users have a live subscription now; none when the bus cannot say (the fan-out goes on). */
  private async listening(userIds: readonly string[]): Promise<string[]> {
    try {
      return await this.deps.live.listening(LiveStreams.homeTimeline, userIds);
    } catch (error) {
      this.deps.logger.warn({ err: error }, 'could not ask which followers are live; no live pushes for this tweet');
      return [];
    }
  }

  /**
   * Tells users found listening (by `listening`) of the tweet. Live pushes
   * are best effort: the timeline itself is the truth, so a failed
   * announcement never fails the fan-out.
   */
  private async announce(userIds: readonly string[], tweetId: string): Promise<void> {
    try {
      await this.deps.live.publishToListening(LiveStreams.homeTimeline, userIds, tweetId);
      if (userIds.length > 0) this.deps.metrics?.record('pushes', userIds.length, { stream: 'homeTimeline' });
    } catch (error) {
      this.deps.logger.warn({ err: error, tweetId }, 'could not announce a tweet to live subscribers');
    }
  }

  /**
   * Whether an author is too big to fan out to. Once an author crosses the
   * threshold they stay a celebrity (so no timeline flips back and forth),
   * and their followers' cached timelines are rebuilt to merge them at read.
   */
  private async isCelebrity(authorId: string): Promise<boolean> {
    const [known] = await this.deps.store.isCelebrity([authorId]);
    if (known) return true;
    if ((await this.followerCount(authorId)) <= this.deps.settings.celebrityFollowers) return false;
    await this.deps.store.markCelebrity(authorId);
    await this.deps.store.invalidateHomes(await this.deps.followGraph.followersOf(authorId));
    this.deps.logger.info({ authorId }, 'author became a celebrity: their tweets are merged at read time from now on');
    return true;
  }

  /** Followers, counted up to one past the threshold (all the check needs), from the cache when fresh. */
  private async followerCount(authorId: string): Promise<number> {
    const cached = await this.deps.store.cachedFollowerCount(authorId);
    if (cached !== null) return cached;
    const counted = await this.deps.followGraph.countFollowers(authorId, this.deps.settings.celebrityFollowers + 1);
    await this.deps.store.cacheFollowerCount(authorId, counted, FOLLOWER_COUNT_TTL_SECONDS);
    return counted;
  }
}

function toRecord(change: TweetChangedPayload): TweetRecord {
  return {
    id: change.tweetId,
    authorId: change.authorId,
    text: change.text,
    createdAt: new Date(change.createdAt),
    editedAt: change.editedAt ? new Date(change.editedAt) : null,
    deleted: change.deleted,
    version: change.version,
  };
}

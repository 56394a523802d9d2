import { readThrough, type CachedRecords, type VersionedCache } from '@chirp/platform';
import type { AuthorRepository, TweetProjectionRepository } from '../repositories/types.js';
import type { LikesProjection } from './likes.js';
import type { AuthorRecord, TimelineCard, TweetRecord } from './model.js';

/** How long a card, an author or a like entry stays cached after it was written. */
export const CARD_TTL_SECONDS = 24 * 3600;

/** Cached records, each under `<prefix><id>` with the record's version. */
function cachedRecords<T extends { id: string; version: number }>(prefix: string): CachedRecords<T> {
  return {
    key: (id) => `${prefix}${id}`,
    entry: (record) => ({ key: `${prefix}${record.id}`, version: record.version, value: JSON.stringify(record), ttlSeconds: CARD_TTL_SECONDS }),
    revive: (value) => reviveDates(JSON.parse(value) as T),
  };
}

const TWEET_CARDS = cachedRecords<TweetRecord>('card:');
const AUTHORS = cachedRecords<AuthorRecord>('author:');

/**
 * The cards a timeline shows, from the hot-tweet and author caches in Redis,
 * filled from the timeline's own MongoDB projections on a miss. Events keep
 * them fresh: an edit or a profile change overwrites one entry, and every
 * timeline that holds the tweet id shows the change at once.
 *
 * Entries carry the record's version and a write lands only if it is newer
 * (VersionedCache): a read-through fill of an old record, or a fan-out
 * worker finishing late after a restart, can never put stale text back over
 * an edit.
 *
 * A card also shows the tweet's likes as the viewer sees them, from the
 * like projection, read beside the tweets so it costs the page no extra
 * round trip.
 */
export class CardService {
  constructor(
    private readonly cache: VersionedCache,
    private readonly tweets: TweetProjectionRepository,
    private readonly authors: AuthorRepository,
    private readonly likes: LikesProjection,
  ) {}

  /** Cards in the order of `ids`, as `viewerId` sees them; null where the tweet is deleted or unknown. */
  async cards(ids: readonly string[], viewerId: string): Promise<Array<TimelineCard | null>> {
    const [found, likes] = await Promise.all([
      readThrough(this.cache, TWEET_CARDS, ids, (missing) => this.tweets.findByIds(missing)),
      this.likes.forViewer(viewerId, ids),
    ]);
    const tweets = ids.map((id) => found.get(id) ?? null);
    const authorIds = [...new Set(tweets.flatMap((tweet) => (tweet && !tweet.deleted ? [tweet.authorId] : [])))];
    const authors = await readThrough(this.cache, AUTHORS, authorIds, (missing) => this.authors.findByIds(missing));
    return tweets.map((tweet) => {
      const author = tweet && authors.get(tweet.authorId);
      if (!tweet || tweet.deleted || tweet.text === null || !author) return null;
      const { version: _version, ...shown } = author;
      const { likeCount, likedByViewer } = likes.get(tweet.id) ?? { likeCount: 0, likedByViewer: false };
      return { id: tweet.id, text: tweet.text, createdAt: tweet.createdAt, editedAt: tweet.editedAt, author: shown, likeCount, likedByViewer };
    });
  }

  async refreshTweet(tweet: TweetRecord): Promise<void> {
    await this.cache.setManyIfNewer([TWEET_CARDS.entry(tweet)]);
  }

  async refreshAuthor(author: AuthorRecord): Promise<void> {
    await this.cache.setManyIfNewer([AUTHORS.entry(author)]);
  }
}

/** JSON turns dates into strings; these fields are dates again. */
function reviveDates<T>(value: T): T {
  const record = value as Record<string, unknown>;
  for (const field of ['createdAt', 'editedAt']) {
    if (typeof record[field] === 'string') record[field] = new Date(record[field] as string);
  }
  return value;
}

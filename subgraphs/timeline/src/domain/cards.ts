import type { VersionedCache } from '@chirp/platform';
import type { AuthorRepository, TweetProjectionRepository } from '../repositories/types.js';
import type { AuthorRecord, TimelineCard, TweetRecord } from './model.js';

const CARD_TTL_SECONDS = 24 * 3600;
const tweetKey = (id: string) => `card:${id}`;
const authorKey = (id: string) => `author:${id}`;

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
 */
export class CardService {
  constructor(
    private readonly cache: VersionedCache,
    private readonly tweets: TweetProjectionRepository,
    private readonly authors: AuthorRepository,
  ) {}

  /** Cards in the order of `ids`; null where the tweet is deleted or unknown. */
  async cards(ids: readonly string[]): Promise<Array<TimelineCard | null>> {
    const tweets = await this.readThrough(ids, tweetKey, (missing) => this.tweets.findByIds(missing));
    const authorIds = [...new Set(tweets.flatMap((tweet) => (tweet && !tweet.deleted ? [tweet.authorId] : [])))];
    const authors = new Map(
      (await this.readThrough(authorIds, authorKey, (missing) => this.authors.findByIds(missing))).flatMap((author) =>
        author ? [[author.id, author] as const] : [],
      ),
    );
    return tweets.map((tweet) => {
      const author = tweet && authors.get(tweet.authorId);
      if (!tweet || tweet.deleted || tweet.text === null || !author) return null;
      const { version: _version, ...shown } = author;
      return { id: tweet.id, text: tweet.text, createdAt: tweet.createdAt, editedAt: tweet.editedAt, author: shown };
    });
  }

  async refreshTweet(tweet: TweetRecord): Promise<void> {
    await this.store([tweet], tweetKey);
  }

  async refreshAuthor(author: AuthorRecord): Promise<void> {
    await this.store([author], authorKey);
  }

  private async store<T extends { id: string; version: number }>(records: readonly T[], key: (id: string) => string): Promise<void> {
    await this.cache.setManyIfNewer(
      records.map((record) => ({ key: key(record.id), version: record.version, value: JSON.stringify(record), ttlSeconds: CARD_TTL_SECONDS })),
    );
  }

  private async readThrough<T extends { id: string; version: number }>(
    ids: readonly string[],
    key: (id: string) => string,
    load: (missing: string[]) => Promise<T[]>,
  ): Promise<Array<T | null>> {
    if (ids.length === 0) return [];
    const cached = await this.cache.getMany(ids.map(key));
    const found = new Map<string, T>();
    cached.forEach((value, index) => {
      if (value !== null) found.set(ids[index] as string, reviveDates(JSON.parse(value.value) as T));
    });
    const missing = ids.filter((id) => !found.has(id));
    if (missing.length > 0) {
      const loaded = await load(missing);
      for (const item of loaded) found.set(item.id, item);
      await this.store(loaded, key);
    }
    return ids.map((id) => found.get(id) ?? null);
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

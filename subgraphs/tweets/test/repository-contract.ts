import { IdGenerator } from '@chirp/platform';
import type { LikeRepository, TweetRepository } from '../src/repositories/types.js';

const ids = new IdGenerator();
const at = (ms: number) => new Date(1_700_000_000_000 + ms);
export const newTweet = (authorId: string, text = 'hello') => ({ id: ids.next(), authorId, text, createdAt: at(0) });
const someone = () => `u${ids.next()}`;

/** What every TweetRepository must do, in memory and on MongoDB alike. */
export function describeTweetRepositoryContract(name: string, create: () => Promise<TweetRepository>): void {
  describe(`TweetRepository contract: ${name}`, () => {
    let tweets: TweetRepository;
    beforeAll(async () => {
      tweets = await create();
    });

    it('creates a tweet at version 1 and finds it', async () => {
      const input = newTweet(someone(), 'first');
      const created = await tweets.create(input);
      expect(created).toEqual({ ...input, editedAt: null, deletedAt: null, likeCount: 0, version: 1, revision: 1 });
      expect(await tweets.findById(input.id)).toEqual(created);
      expect(await tweets.findByIds([input.id, 'nope'])).toEqual([created]);
    });

    it('lists and counts an author’s tweets newest first, without deleted ones', async () => {
      const author = someone();
      const made = [];
      for (let n = 0; n < 5; n += 1) made.push(await tweets.create(newTweet(author, `t${n}`)));
      await tweets.markDeleted(made[2]!.id, at(1));
      expect(await tweets.countByAuthor(author)).toBe(4);
      const page = await tweets.listByAuthor(author, 2);
      expect(page.map((tweet) => tweet.text)).toEqual(['t4', 't3']);
      const next = await tweets.listByAuthor(author, 10, page[1]!.id);
      expect(next.map((tweet) => tweet.text)).toEqual(['t1', 't0']);
    });

    it('edits and deletes a tweet once, bumping the version', async () => {
      const tweet = await tweets.create(newTweet(someone()));
      expect(await tweets.edit(tweet.id, 'better', at(5))).toMatchObject({ text: 'better', editedAt: at(5), version: 2 });
      expect(await tweets.markDeleted(tweet.id, at(6))).toMatchObject({ deletedAt: at(6), version: 3 });
      expect(await tweets.markDeleted(tweet.id, at(7))).toBeNull();
      expect(await tweets.edit(tweet.id, 'too late', at(8))).toBeNull();
    });

    it('stores a like count only with the latest token', async () => {
      const tweet = await tweets.create(newTweet(someone()));
      const early = await tweets.markLikeCountStale(tweet.id);
      const late = await tweets.markLikeCountStale(tweet.id);
      expect(await tweets.settleLikeCount(tweet.id, early, 1)).toBe(false);
      expect(await tweets.settleLikeCount(tweet.id, late, 2)).toBe(true);
      expect(await tweets.settleLikeCount(tweet.id, late, 3)).toBe(false);
      expect(await tweets.findById(tweet.id)).toMatchObject({ likeCount: 2, revision: 2 });
    });

    it('bumps the revision with every change', async () => {
      const tweet = await tweets.create(newTweet(someone()));
      expect((await tweets.edit(tweet.id, 'x', at(1)))?.revision).toBe(2);
      await tweets.settleLikeCount(tweet.id, await tweets.markLikeCountStale(tweet.id), 1);
      expect((await tweets.markDeleted(tweet.id, at(2)))?.revision).toBe(4);
    });

    it('keeps each change pending until that version is published', async () => {
      const tweet = await tweets.create(newTweet(someone()));
      const pending = async () => (await tweets.findUnpublished(new Date(), 100_000)).find((t) => t.id === tweet.id);
      expect(await pending()).toMatchObject({ version: 1 });
      await tweets.edit(tweet.id, 'v2', at(10));
      await tweets.markPublished(tweet.id, 1);
      expect(await pending()).toMatchObject({ version: 2 });
      await tweets.markPublished(tweet.id, 2);
      expect(await pending()).toBeUndefined();
    });
  });
}

/** What every LikeRepository must do, in memory and on MongoDB alike. */
export function describeLikeRepositoryContract(name: string, create: () => Promise<LikeRepository>): void {
  describe(`LikeRepository contract: ${name}`, () => {
    let likes: LikeRepository;
    beforeAll(async () => {
      likes = await create();
    });

    it('changes an edge only when its state changes, and counts active likes', async () => {
      const [tweet, fan] = [ids.next(), someone()];
      expect(await likes.setActive(tweet, fan, false, at(0))).toBeNull();
      expect(await likes.setActive(tweet, fan, true, at(1))).toEqual({ tweetId: tweet, userId: fan, active: true, seq: 1, changedAt: at(1) });
      expect(await likes.setActive(tweet, fan, true, at(2))).toBeNull();
      await likes.setActive(tweet, someone(), true, at(3));
      expect(await likes.countActive(tweet)).toBe(2);
      expect(await likes.setActive(tweet, fan, false, at(4))).toMatchObject({ active: false, seq: 2 });
      expect(await likes.countActive(tweet)).toBe(1);
    });

    it('lets one of many racing identical likes through', async () => {
      const [tweet, fan] = [ids.next(), someone()];
      const results = await Promise.all(Array.from({ length: 10 }, () => likes.setActive(tweet, fan, true, at(1))));
      expect(results.filter(Boolean)).toHaveLength(1);
      expect(await likes.countActive(tweet)).toBe(1);
    });

    it('says whether a user likes each of some tweets, with the like’s seq', async () => {
      const [a, b, c, fan] = [ids.next(), ids.next(), ids.next(), someone()];
      await likes.setActive(a, fan, true, at(1));
      await likes.setActive(c, fan, true, at(1));
      await likes.setActive(c, fan, false, at(2));
      expect(await likes.likeStates(fan, [a, b, c])).toEqual(
        new Map([
          [a, { active: true, seq: 1 }],
          [c, { active: false, seq: 2 }],
        ]),
      );
      expect(await likes.likeStates(fan, [])).toEqual(new Map());
    });

    it('keeps each change pending until that seq is published', async () => {
      const [tweet, fan] = [ids.next(), someone()];
      const pending = async () => (await likes.findUnpublished(new Date(), 100_000)).some((e) => e.tweetId === tweet);
      await likes.setActive(tweet, fan, true, at(1));
      await likes.setActive(tweet, fan, false, at(2));
      await likes.markPublished(tweet, fan, 1);
      expect(await pending()).toBe(true);
      await likes.markPublished(tweet, fan, 2);
      expect(await pending()).toBe(false);
    });
  });
}

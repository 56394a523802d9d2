import type { RateLimitDecision, RateLimiter, RateLimitRule } from '@chirp/platform';
import { uniqueName } from './servers.js';

/** Makes a limiter for one rule; each test makes its own, under a name of its own. */
export type RateLimiterFactory = (name: string, rule: RateLimitRule) => RateLimiter;

const allowed = (decisions: RateLimitDecision[]) => decisions.filter((decision) => decision.allowed).length;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** What every RateLimiter must do, in memory and on Redis alike. */
export function describeRateLimiterContract(
  name: string,
  create: () => Promise<{ limiter: RateLimiterFactory; close(): Promise<void> }>,
): void {
  describe(`RateLimiter contract: ${name}`, () => {
    let limiter: RateLimiterFactory;
    let close: () => Promise<void>;
    beforeAll(async () => {
      ({ limiter, close } = await create());
    });
    afterAll(async () => {
      await close();
    });

    it('allows the rule’s points, then refuses, saying when to try again', async () => {
      const limit = limiter(uniqueName('seq'), { points: 3, durationSeconds: 60 });
      const key = uniqueName('k');
      for (let attempt = 0; attempt < 3; attempt += 1) expect(await limit.consume(key)).toEqual({ allowed: true });
      const refused = await limit.consume(key);
      expect(refused.allowed).toBe(false);
      expect(refused.allowed === false && refused.retryAfterSeconds).toBeGreaterThan(55);
      expect(refused.allowed === false && refused.retryAfterSeconds).toBeLessThanOrEqual(60);
    });

    it('counts each key apart', async () => {
      const limit = limiter(uniqueName('keys'), { points: 1, durationSeconds: 60 });
      const [a, b] = [uniqueName('a'), uniqueName('b')];
      expect((await limit.consume(a)).allowed).toBe(true);
      expect((await limit.consume(a)).allowed).toBe(false);
      expect((await limit.consume(b)).allowed).toBe(true);
    });

    it('counts each limit apart, even for the same key', async () => {
      const key = uniqueName('shared');
      const [one, two] = [limiter(uniqueName('one'), { points: 1, durationSeconds: 60 }), limiter(uniqueName('two'), { points: 1, durationSeconds: 60 })];
      expect((await one.consume(key)).allowed).toBe(true);
      expect((await two.consume(key)).allowed).toBe(true);
    });

    it('allows exactly the rule’s points of many concurrent attempts', async () => {
      const limit = limiter(uniqueName('race'), { points: 10, durationSeconds: 60 });
      const key = uniqueName('k');
      const decisions = await Promise.all(Array.from({ length: 50 }, () => limit.consume(key)));
      expect(allowed(decisions)).toBe(10);
    });

    it('takes a refunded point back into the budget', async () => {
      const limit = limiter(uniqueName('refund'), { points: 2, durationSeconds: 60 });
      const key = uniqueName('k');
      await limit.consume(key);
      await limit.consume(key);
      await limit.refund(key);
      expect((await limit.consume(key)).allowed).toBe(true);
      expect((await limit.consume(key)).allowed).toBe(false);
    });

    it('allows again once the window is over', async () => {
      const limit = limiter(uniqueName('window'), { points: 1, durationSeconds: 1 });
      const key = uniqueName('k');
      expect((await limit.consume(key)).allowed).toBe(true);
      expect((await limit.consume(key)).allowed).toBe(false);
      await sleep(1_100);
      expect((await limit.consume(key)).allowed).toBe(true);
    });

    it('keeps a key that went over refused for the block time, past its window', async () => {
      const limit = limiter(uniqueName('block'), { points: 1, durationSeconds: 1, blockSeconds: 3 });
      const key = uniqueName('k');
      await limit.consume(key);
      const refused = await limit.consume(key);
      expect(refused).toEqual({ allowed: false, retryAfterSeconds: 3 });
      await sleep(1_200);
      expect((await limit.consume(key)).allowed).toBe(false);
    });
  });
}

import { createHash } from 'node:crypto';
import { isIPv6 } from 'node:net';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { RedisClient } from './adapters/redis-client.js';
import { RateLimitedError } from './errors.js';

/** At most `points` attempts per key in a fixed window of `durationSeconds` that starts at the first. */
export interface RateLimitRule {
  points: number;
  durationSeconds: number;
  /** Once a key goes over, how long it stays refused; the rest of its window when absent. */
  blockSeconds?: number;
}

export type RateLimitDecision = { allowed: true } | { allowed: false; retryAfterSeconds: number };

/**
 * Counts attempts per key. `consume` takes a point and says whether the
 * attempt may go ahead, atomically (one Lua script in Redis): of any number
 * of concurrent attempts, at most `points` are allowed, so a limit holds
 * under concurrency, not just in sequence. The Redis adapter is shared by
 * every instance of a service; the in-memory one counts per process (the
 * embedded default). Both pass `testing/rate-limiter-contract.ts`.
 */
export interface RateLimiter {
  consume(key: string): Promise<RateLimitDecision>;
  /** Gives back a point `consume` took: the attempt succeeded (a right password), or was never made. */
  refund(key: string): Promise<void>;
}

const ALLOWED: RateLimitDecision = { allowed: true };

/** rate-limiter-flexible's limiters behind our interface: a refusal is a decision, not an exception. */
class FlexibleRateLimiter implements RateLimiter {
  constructor(private readonly limiter: RateLimiterAbstract) {}

  async consume(key: string): Promise<RateLimitDecision> {
    try {
      await this.limiter.consume(key);
      return ALLOWED;
    } catch (outcome) {
      // The library rejects with its result when over the limit, with an Error when the store fails.
      if (!(outcome instanceof RateLimiterRes)) throw outcome;
      return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(outcome.msBeforeNext / 1000)) };
    }
  }

  async refund(key: string): Promise<void> {
    await this.limiter.reward(key, 1);
  }
}

function libraryOptions(name: string, rule: RateLimitRule) {
  return {
    keyPrefix: `rate:${name}`,
    points: rule.points,
    duration: rule.durationSeconds,
    blockDuration: rule.blockSeconds ?? 0,
  };
}

/** Per process: the embedded default's limiter, and Redis's stand-in while Redis does not answer. */
export function memoryRateLimiter(name: string, rule: RateLimitRule): RateLimiter {
  return new FlexibleRateLimiter(new RateLimiterMemory(libraryOptions(name, rule)));
}

/**
 * Shared by every instance, under the client's key prefix (the service's
 * own space): `<prefix>rate:<name>:<key>`, one key per count, so a cluster
 * spreads the counts over its nodes. Should Redis stop answering, the
 * limit falls back to each process's memory rather than to refusing
 * everyone or to no limit at all.
 */
export function redisRateLimiter(redis: RedisClient, name: string, rule: RateLimitRule): RateLimiter {
  const options = libraryOptions(name, rule);
  return new FlexibleRateLimiter(
    new RateLimiterRedis({ ...options, storeClient: redis, insuranceLimiter: new RateLimiterMemory(options) }),
  );
}

/** A limit that is turned off. */
export const UNLIMITED: RateLimiter = {
  consume: async () => ALLOWED,
  refund: async () => undefined,
};

/** Redis when the service has it, memory otherwise; no limit for a rule that is turned off (null). */
export function createRateLimiter(name: string, rule: RateLimitRule | null, redis: RedisClient | undefined): RateLimiter {
  if (!rule) return UNLIMITED;
  return redis ? redisRateLimiter(redis, name, rule) : memoryRateLimiter(name, rule);
}

/** Takes a point for `key`, or throws RATE_LIMITED with `message` and when to try again. */
export async function enforceRateLimit(limiter: RateLimiter, key: string, message: string): Promise<void> {
  const decision = await limiter.consume(key);
  if (!decision.allowed) {
    throw new RateLimitedError(`${message} Try again in ${inWords(decision.retryAfterSeconds)}.`, decision.retryAfterSeconds);
  }
}

function inWords(seconds: number): string {
  if (seconds < 90) return seconds === 1 ? '1 second' : `${seconds} seconds`;
  const minutes = Math.ceil(seconds / 60);
  return `${minutes} minutes`;
}

/** A short fixed-size key for a value the client chose (an email): no personal data and no huge keys in Redis. */
export function hashedKey(value: string): string {
  return createHash('sha256').update(value).digest('base64url').slice(0, 22);
}

/**
 * The key of a client address. An IPv6 address counts by its /64: one
 * subscriber usually holds a whole /64, and could otherwise take a fresh
 * address, and a fresh budget, for every attempt.
 */
export function addressKey(address: string): string {
  const plain = address.startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address;
  if (!isIPv6(plain)) return plain;
  return `${expandIPv6(plain).slice(0, 4).join(':')}::/64`;
}

/** The eight groups of an IPv6 address, `::` expanded (a zone such as `%eth0` dropped). */
function expandIPv6(address: string): string[] {
  const [head = '', tail] = (address.split('%')[0] ?? '').split('::') as [string, string | undefined];
  const groups = (part: string) => (part === '' ? [] : part.split(':'));
  const left = groups(head);
  const right = tail === undefined ? [] : groups(tail);
  const zeros = Array.from({ length: Math.max(0, 8 - left.length - right.length) }, () => '0');
  return [...left, ...zeros, ...right].map((group) => group.toLowerCase().replace(/^0+(?=.)/, ''));
}

import { z } from 'zod';

/** The timeline's own knobs, from the environment (see the README's configuration table). */
export interface TimelineSettings {
  /** Tweet ids kept per cached timeline. */
  maxLength: number;
  /** A timeline unread this long expires from Redis, and fan-out skips it until it is read again. */
  activeWindowSeconds: number;
  /** Authors with more followers are not fanned out to; their tweets are merged at read time. */
  celebrityFollowers: number;
  /** Followers per Redis pipeline during fan-out. */
  fanoutChunk: number;
}

export const TIMELINE_ENVIRONMENT_VARIABLES = ['TIMELINE_MAX_LENGTH', 'TIMELINE_ACTIVE_DAYS', 'TIMELINE_CELEBRITY_FOLLOWERS'] as const;

const schema = z.object({
  TIMELINE_MAX_LENGTH: z.coerce.number().int().min(20).max(10_000).default(800),
  TIMELINE_ACTIVE_DAYS: z.coerce.number().positive().default(14),
  TIMELINE_CELEBRITY_FOLLOWERS: z.coerce.number().int().positive().default(50_000),
});

export function loadTimelineSettings(source: NodeJS.ProcessEnv = process.env): TimelineSettings {
  const env = schema.parse(source);
  return {
    maxLength: env.TIMELINE_MAX_LENGTH,
    activeWindowSeconds: Math.round(env.TIMELINE_ACTIVE_DAYS * 24 * 3600),
    celebrityFollowers: env.TIMELINE_CELEBRITY_FOLLOWERS,
    fanoutChunk: 1000,
  };
}

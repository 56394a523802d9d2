import { CombinedGraphQLErrors, ServerError, ServerParseError } from '@apollo/client/errors';

/** What went wrong, in words for the person using the app. */
export interface Problem {
  message: string;
  /** API.md's error code, or NETWORK when the server could not be reached. */
  code: string;
  /** The input field a BAD_USER_INPUT or CONFLICT is about (`handle`, `text`...). */
  field?: string;
  /** For RATE_LIMITED: when the same request may be tried again. */
  retryAt?: number;
}

const UNREACHABLE = "Can't reach Chirp right now. Check your connection; we'll keep trying.";
const OURS = 'Something went wrong on our side. Please try again in a moment.';

/**
 * Every error the API gives, as a person would want it said. The API's own
 * messages for input, conflicts and limits are already written for people
 * (they say what to change, and when to try again), so those are shown as
 * they are; the rest get a message of ours.
 */
export function describeError(error: unknown): Problem {
  if (CombinedGraphQLErrors.is(error)) {
    const first = error.errors[0];
    const extensions = first?.extensions ?? {};
    const code = typeof extensions.code === 'string' ? extensions.code : 'INTERNAL_SERVER_ERROR';
    return fromGraphQL(code, first?.message ?? OURS, extensions);
  }
  if (ServerError.is(error) || ServerParseError.is(error)) {
    // A proxy's 502/503 during a deploy, or a body that is not GraphQL at all.
    const status = error.statusCode;
    if (status === 429) return { code: 'RATE_LIMITED', message: 'Too many requests from your network. Wait a minute and try again.' };
    if (status >= 500) return { code: 'NETWORK', message: "Chirp isn't answering right now. Please try again in a moment." };
    return { code: 'INTERNAL_SERVER_ERROR', message: OURS };
  }
  // fetch's TypeError: offline, the server down, a refused connection.
  return { code: 'NETWORK', message: UNREACHABLE };
}

function fromGraphQL(code: string, message: string, extensions: Record<string, unknown>): Problem {
  switch (code) {
    case 'BAD_USER_INPUT':
    case 'CONFLICT': {
      const field = typeof extensions.field === 'string' ? fieldName(extensions.field) : undefined;
      return { code, message, ...(field ? { field } : {}) };
    }
    case 'RATE_LIMITED': {
      const seconds = typeof extensions.retryAfterSeconds === 'number' ? extensions.retryAfterSeconds : 60;
      return { code, message, retryAt: Date.now() + seconds * 1000 };
    }
    case 'UNAUTHENTICATED':
      return { code, message: 'Your session has ended. Please log in again.' };
    case 'FORBIDDEN':
    case 'NOT_FOUND':
      return { code, message };
    default:
      return { code, message: OURS };
  }
}

/** `input.handle` and `handle` both name the handle field. */
function fieldName(path: string): string {
  return path.split('.').pop() ?? path;
}

/** True when the problem is about this field of a form. */
export function isAbout(problem: Problem | null, field: string): boolean {
  return problem?.field === field;
}

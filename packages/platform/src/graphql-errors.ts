import type { GraphQLFormattedError } from 'graphql';
import { unwrapResolverError } from '@apollo/server/errors';
import { DomainError, type ErrorCode } from './errors.js';

/** The codes API.md promises; anything else is translated or hidden. */
const PUBLIC_CODES: ReadonlySet<string> = new Set<ErrorCode>([
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'BAD_USER_INPUT',
  'NOT_FOUND',
  'CONFLICT',
  'RATE_LIMITED',
  'INTERNAL_SERVER_ERROR',
]);

/** Apollo's own codes for a request the client got wrong. */
const REQUEST_CODES: ReadonlySet<string> = new Set([
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_REQUEST',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
  'OPERATION_RESOLUTION_FAILURE',
]);

const INTERNAL_MESSAGE = 'Something went wrong on our side. Please try again later.';

export interface ErrorFormatterOptions {
  /** Development only: keep internal messages and stack traces for the developer. */
  exposeInternals: boolean;
}

/**
 * Every error leaves with an `extensions.code` from API.md. Domain errors keep
 * their message and field; unknown errors become INTERNAL_SERVER_ERROR and,
 * outside development, say nothing about our internals.
 */
export function createErrorFormatter(options: ErrorFormatterOptions) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const original = unwrapResolverError(error);
    if (original instanceof DomainError) {
      return withExtensions(formatted, original.message, {
        code: original.code,
        ...(original.field ? { field: original.field } : {}),
        ...(retryAfter(original) ?? {}),
      });
    }
    const code = formatted.extensions?.code;
    if (typeof code === 'string' && PUBLIC_CODES.has(code) && code !== 'INTERNAL_SERVER_ERROR') {
      const field = formatted.extensions?.field ?? fieldOfVariableError(formatted.message);
      return withExtensions(formatted, formatted.message, {
        ...publicExtensions(formatted, options),
        code,
        ...(field ? { field } : {}),
      });
    }
    if (typeof code === 'string' && REQUEST_CODES.has(code)) {
      // An operation over one of the gateway's limits says which, the maximum and what it found.
      const limit = formatted.extensions?.limit;
      return withExtensions(formatted, formatted.message, { code: 'BAD_USER_INPUT', reason: code, ...(limit ? { limit } : {}) });
    }
    if (options.exposeInternals) {
      return withExtensions(formatted, formatted.message, { ...formatted.extensions, code: 'INTERNAL_SERVER_ERROR' });
    }
    return withExtensions(formatted, INTERNAL_MESSAGE, { code: 'INTERNAL_SERVER_ERROR' });
  };
}

function withExtensions(
  formatted: GraphQLFormattedError,
  message: string,
  extensions: Record<string, unknown>,
): GraphQLFormattedError {
  return {
    message,
    ...(formatted.locations ? { locations: formatted.locations } : {}),
    ...(formatted.path ? { path: formatted.path } : {}),
    extensions,
  };
}

/**
 * What a gateway passes on from a subgraph's expected error. A stack trace
 * says nothing useful about an expected error, so it never goes; which
 * subgraph answered is an internal detail outside development.
 */
function publicExtensions(formatted: GraphQLFormattedError, options: ErrorFormatterOptions): Record<string, unknown> {
  const { stacktrace: _stacktrace, exception: _exception, serviceName, ...rest } = formatted.extensions ?? {};
  return options.exposeInternals && serviceName ? { ...rest, serviceName } : rest;
}

function retryAfter(error: DomainError): { retryAfterSeconds: number } | undefined {
  return 'retryAfterSeconds' in error && typeof error.retryAfterSeconds === 'number'
    ? { retryAfterSeconds: error.retryAfterSeconds }
    : undefined;
}

/** `Variable "$input" got invalid value … at "input.handle"` → `input.handle`. */
function fieldOfVariableError(message: string): string | undefined {
  const at = /at "([^"]+)"/.exec(message);
  if (at?.[1]) return at[1];
  return /^Variable "\$([^"]+)"/.exec(message)?.[1];
}

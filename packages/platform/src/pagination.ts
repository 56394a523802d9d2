import { InvalidInputError } from './errors.js';
import { isWellFormedId } from './ids.js';

/**
 * Relay-style cursor pagination. A cursor is opaque to clients: base64url of
 * the JSON of the sort key of the last item they saw.
 */
export const MAX_PAGE_SIZE = 100;

export function encodeCursor(key: readonly (string | number)[]): string {
  return Buffer.from(JSON.stringify(key), 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string, field = 'after'): Array<string | number> {
  if (cursor.length > MAX_CURSOR_LENGTH) throw invalidCursor(field);
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(value) && value.every((part) => typeof part === 'string' || typeof part === 'number')) {
      return value as Array<string | number>;
    }
  } catch {
    // fall through to the error below
  }
  throw invalidCursor(field);
}

/** A cursor that names one id (`encodeCursor([id])`), as the lists ordered by id hand out; the id, checked. */
export function decodeIdCursor(cursor: string, field = 'after'): string {
  const [id] = decodeCursor(cursor, field);
  if (typeof id !== 'string' || !isWellFormedId(id)) throw invalidCursor(field);
  return id;
}

function invalidCursor(field: string): InvalidInputError {
  return new InvalidInputError(field, 'The cursor is not valid; use an endCursor from a previous page.');
}

/**
 * Checks `first` (1..100). An empty page is refused rather than served: it
 * would say there is more (`hasNextPage`) with no `endCursor` to page from.
 */
export function pageSize(first: number | null | undefined, fallback = 20): number {
  const size = first ?? fallback;
  if (!Number.isInteger(size) || size < 1 || size > MAX_PAGE_SIZE) {
    throw new InvalidInputError('first', `"first" must be between 1 and ${MAX_PAGE_SIZE}.`);
  }
  return size;
}

/** Longer than any cursor this service hands out; a longer one is refused before it is decoded. */
const MAX_CURSOR_LENGTH = 512;

export interface Page<T> {
  items: T[];
  hasNextPage: boolean;
}

/** Stores fetch `size + 1` rows; the extra row only says whether there is a next page. */
export function toPage<T>(rows: readonly T[], size: number): Page<T> {
  return { items: rows.slice(0, size), hasNextPage: rows.length > size };
}

export interface Connection<T> {
  edges: Array<{ cursor: string; node: T }>;
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
}

export function toConnection<T>(page: Page<T>, cursorOf: (item: T) => string): Connection<T> {
  const edges = page.items.map((node) => ({ cursor: cursorOf(node), node }));
  return {
    edges,
    pageInfo: { hasNextPage: page.hasNextPage, endCursor: edges.at(-1)?.cursor ?? null },
  };
}

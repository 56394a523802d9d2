import { CombinedGraphQLErrors, ServerError } from '@apollo/client/errors';
import { describeError } from '../src/errors.js';
import { linkify } from '../src/text.js';

function graphQLError(code: string, message: string, extensions: Record<string, unknown> = {}) {
  return new CombinedGraphQLErrors({ data: null, errors: [{ message, extensions: { code, ...extensions } }] });
}

describe('describeError: every error the API gives, in words for a person', () => {
  it('keeps the API message for input, and names the field without its input path', () => {
    expect(describeError(graphQLError('BAD_USER_INPUT', 'A handle is 1 to 15 letters.', { field: 'input.handle' }))).toEqual({
      code: 'BAD_USER_INPUT',
      message: 'A handle is 1 to 15 letters.',
      field: 'handle',
    });
    expect(describeError(graphQLError('CONFLICT', 'That handle is taken.', { field: 'handle' }))).toMatchObject({ field: 'handle' });
  });

  it('says when to retry a RATE_LIMITED request', () => {
    const before = Date.now();
    const problem = describeError(graphQLError('RATE_LIMITED', 'You are posting too fast. Try again in 2 minutes.', { retryAfterSeconds: 120 }));
    expect(problem.message).toBe('You are posting too fast. Try again in 2 minutes.');
    expect(problem.retryAt).toBeGreaterThanOrEqual(before + 120_000);
    expect(problem.retryAt).toBeLessThanOrEqual(Date.now() + 120_000);
  });

  it('ends a refused session with a plain message, and hides internals', () => {
    expect(describeError(graphQLError('UNAUTHENTICATED', 'jwt expired')).message).toBe('Your session has ended. Please log in again.');
    expect(describeError(graphQLError('INTERNAL_SERVER_ERROR', 'TypeError: x is undefined')).message).toBe('Something went wrong on our side. Please try again in a moment.');
    expect(describeError(graphQLError('GRAPHQL_VALIDATION_FAILED', 'Cannot query field')).code).toBe('GRAPHQL_VALIDATION_FAILED');
  });

  it('tells an unreachable or failing server from a bad request', () => {
    expect(describeError(new TypeError('Failed to fetch'))).toMatchObject({ code: 'NETWORK', message: expect.stringMatching(/Can't reach Chirp/) });
    const unavailable = new ServerError('Response not successful', { response: new Response('', { status: 503 }), bodyText: '' });
    expect(describeError(unavailable)).toMatchObject({ code: 'NETWORK', message: expect.stringMatching(/isn't answering/) });
  });
});

describe('linkify: links typed in full, as React elements, never HTML', () => {
  it('splits text and links, leaving sentence punctuation out of the link', () => {
    expect(linkify('See https://example.com/a?b=1, then <b>this</b>.')).toEqual([
      { kind: 'text', text: 'See ' },
      { kind: 'link', text: 'https://example.com/a?b=1', href: 'https://example.com/a?b=1' },
      { kind: 'text', text: ', then <b>this</b>.' },
    ]);
  });

  it('links nothing that is not http(s)', () => {
    expect(linkify('javascript:alert(1) and example.com')).toEqual([{ kind: 'text', text: 'javascript:alert(1) and example.com' }]);
  });
});

import { GraphQLError } from 'graphql';
import { ConflictError, InvalidInputError, createErrorFormatter } from '@chirp/platform';

const production = createErrorFormatter({ exposeInternals: false });
const development = createErrorFormatter({ exposeInternals: true });
const resolverError = (original: Error) => new GraphQLError(original.message, { originalError: original, path: ['signUp'] });

describe('error formatting', () => {
  it('gives a domain error its code and field', () => {
    const error = resolverError(new InvalidInputError('handle', 'A handle is 1 to 15 letters.'));
    expect(production({ message: error.message, path: ['signUp'] }, error)).toEqual({
      message: 'A handle is 1 to 15 letters.',
      path: ['signUp'],
      extensions: { code: 'BAD_USER_INPUT', field: 'handle' },
    });
    const conflict = resolverError(new ConflictError('taken', 'email'));
    expect(production({ message: 'taken' }, conflict).extensions).toEqual({ code: 'CONFLICT', field: 'email' });
  });

  it('hides internals in production', () => {
    const error = resolverError(new Error('connection to mongodb://secret@db refused'));
    const formatted = production({ message: error.message, extensions: { stacktrace: ['at x'] } }, error);
    expect(formatted.message).not.toContain('mongodb');
    expect(formatted.extensions).toEqual({ code: 'INTERNAL_SERVER_ERROR' });
  });

  it('keeps the message for developers outside production', () => {
    const error = resolverError(new Error('boom'));
    expect(development({ message: 'boom' }, error)).toMatchObject({ message: 'boom', extensions: { code: 'INTERNAL_SERVER_ERROR' } });
  });

  it('maps a malformed request to BAD_USER_INPUT', () => {
    const formatted = production({ message: 'Cannot query field "x"', extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } }, new GraphQLError('x'));
    expect(formatted.extensions).toEqual({ code: 'BAD_USER_INPUT', reason: 'GRAPHQL_VALIDATION_FAILED' });
  });

  it('names the field of a variable that does not fit its type', () => {
    const message = 'Variable "$input" got invalid value 5 at "input.handle"; String cannot represent a non string value: 5';
    const formatted = production({ message, extensions: { code: 'BAD_USER_INPUT' } }, new GraphQLError(message));
    expect(formatted.extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'input.handle' });
  });

  it('passes a subgraph error on without its stack trace or service name', () => {
    const formatted = production(
      { message: 'taken', extensions: { code: 'CONFLICT', field: 'handle', serviceName: 'users', stacktrace: ['at y'] } },
      new GraphQLError('taken'),
    );
    expect(formatted.extensions).toEqual({ code: 'CONFLICT', field: 'handle' });
  });
});

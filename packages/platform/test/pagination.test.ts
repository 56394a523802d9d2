import { InvalidInputError, decodeCursor, encodeCursor, pageSize, toConnection, toPage } from '@chirp/platform';

describe('pagination', () => {
  it('round-trips cursors', () => {
    expect(decodeCursor(encodeCursor([1700000000000, '123']))).toEqual([1700000000000, '123']);
  });

  it('refuses a cursor it did not make, naming the field', () => {
    for (const bad of ['garbage', encodeCursor([]).slice(1), Buffer.from('{"a":1}').toString('base64url')]) {
      expect(() => decodeCursor(bad)).toThrow(InvalidInputError);
    }
    try {
      decodeCursor('!!!');
    } catch (error) {
      expect((error as InvalidInputError).field).toBe('after');
    }
  });

  it('refuses a cursor longer than any it hands out, before decoding it', () => {
    expect(() => decodeCursor(encodeCursor(['x'.repeat(1000)]))).toThrow('The cursor is not valid');
  });

  it('checks page sizes', () => {
    expect(pageSize(undefined)).toBe(20);
    expect(pageSize(1)).toBe(1);
    expect(pageSize(100)).toBe(100);
    expect(() => pageSize(0)).toThrow('"first" must be between 1 and 100.');
    expect(() => pageSize(101)).toThrow('"first" must be between 1 and 100.');
    expect(() => pageSize(-1)).toThrow(InvalidInputError);
  });

  it('builds a connection from one row more than the page', () => {
    const connection = toConnection(toPage(['a', 'b', 'c'], 2), (item) => `c-${item}`);
    expect(connection).toEqual({
      edges: [
        { cursor: 'c-a', node: 'a' },
        { cursor: 'c-b', node: 'b' },
      ],
      pageInfo: { hasNextPage: true, endCursor: 'c-b' },
    });
    expect(toConnection(toPage([], 2), String).pageInfo).toEqual({ hasNextPage: false, endCursor: null });
  });
});

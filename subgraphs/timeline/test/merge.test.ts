import { IdGenerator, isNewerId } from '@chirp/platform';
import { randomSource } from '@chirp/testing';
import { mergeNewestFirst } from '../src/domain/merge.js';

describe('mergeNewestFirst', () => {
  const newestFirst = (ids: string[]) => [...ids].sort((a, b) => (isNewerId(a, b) ? -1 : 1));

  it('equals sorting the union, cut at the lowest id and the limit, for random lists', () => {
    const random = randomSource(7);
    const ids = new IdGenerator();
    const pool = Array.from({ length: 300 }, () => ids.next());
    for (let round = 0; round < 200; round += 1) {
      const lists = Array.from({ length: random.int(12) }, () => newestFirst([...new Set(Array.from({ length: random.int(40) }, () => random.pick(pool)))]));
      const lowest = random.int(3) === 0 ? '0' : random.pick(pool);
      const limit = random.int(2) === 0 ? undefined : 1 + random.int(120);
      const expected = newestFirst([...new Set(lists.flat())]).filter((id) => !isNewerId(lowest, id)).slice(0, limit);
      expect(mergeNewestFirst(lists, lowest, limit)).toEqual(expected);
    }
  });

  it('merges nothing into nothing', () => {
    expect(mergeNewestFirst([])).toEqual([]);
    expect(mergeNewestFirst([[], []])).toEqual([]);
  });
});

import { IdGenerator, timeOfId } from '@chirp/platform';

describe('IdGenerator', () => {
  it('makes unique 19-digit ids whose string order is their time order', () => {
    const generator = new IdGenerator(7);
    const ids = Array.from({ length: 20_000 }, () => generator.next());
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(/^\d{19}$/);
    expect([...ids].sort()).toEqual(ids);
  });

  it('records when the id was made', () => {
    const before = Date.now();
    const id = new IdGenerator().next();
    expect(timeOfId(id).getTime()).toBeGreaterThanOrEqual(before);
    expect(timeOfId(id).getTime()).toBeLessThanOrEqual(Date.now());
  });
});

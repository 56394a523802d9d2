import { IdGenerator, isWellFormedId, timeOfId } from '@chirp/platform';

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

  it('tells an id this service could have made from anything else, without parsing it', () => {
    expect(isWellFormedId(new IdGenerator().next())).toBe(true);
    expect(isWellFormedId('0')).toBe(true);
    for (const junk of ['', 'abc', '12 3', '1'.repeat(21), '-1', '١٢٣', 'x'.repeat(200_000)]) expect(isWellFormedId(junk)).toBe(false);
  });
});

import type { ExecutionResult } from 'graphql';
import { LiveFeed } from '../src/live/feed.js';

function feed(capacity = 3, resolve: (id: string) => Promise<ExecutionResult | null> = async (id) => ({ data: { id } })) {
  const events = { dropped: 0, ended: 0 };
  const live = new LiveFeed({
    capacity,
    resolve,
    onDrop: () => (events.dropped += 1),
    onEnd: async () => void (events.ended += 1),
  });
  return { live, events };
}

const ids = async (live: LiveFeed, count: number) => {
  const got: unknown[] = [];
  for (let index = 0; index < count; index += 1) got.push((await live.next()).value?.data?.id);
  return got;
};

describe('LiveFeed', () => {
  it('yields events in arrival order, each id once', async () => {
    const { live } = feed();
    live.push('1');
    live.push('2');
    live.push('1');
    const next = ids(live, 3);
    live.push('3');
    expect(await next).toEqual(['1', '2', '3']);
  });

  it('drops the oldest waiting event when a slow reader lets the queue fill', async () => {
    const { live, events } = feed(2);
    for (const id of ['1', '2', '3', '4']) live.push(id);
    expect(events.dropped).toBe(2);
    expect(await ids(live, 2)).toEqual(['3', '4']);
  });

  it('skips events that resolve to nothing', async () => {
    const { live } = feed(3, async (id) => (id === 'gone' ? null : { data: { id } }));
    live.push('gone');
    live.push('kept');
    expect(await ids(live, 1)).toEqual(['kept']);
  });

  it('ends at once on return(), even while waiting, and only once', async () => {
    const { live, events } = feed();
    const waiting = live.next();
    await live.return();
    await live.return();
    expect(await waiting).toEqual({ value: undefined, done: true });
    expect(events.ended).toBe(1);
    live.push('late');
    expect(await live.next()).toEqual({ value: undefined, done: true });
  });
});

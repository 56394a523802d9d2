import { WebSocket } from 'ws';
import { LiveFeed, nextFrames, writeNext, type FeedOptions } from '../src/live/feed.js';

function feed(overrides: Partial<FeedOptions> = {}) {
  const seen = { delivered: [] as string[], dropped: 0, ended: 0 };
  const live = new LiveFeed({
    capacity: 3,
    resolve: async (id) => `{"data":{"id":"${id}"}}`,
    settled: () => undefined,
    deliver: (payload) => {
      seen.delivered.push(JSON.parse(payload).data.id);
      return true;
    },
    onDrop: () => (seen.dropped += 1),
    onEnd: async () => void (seen.ended += 1),
    ...overrides,
  });
  return { live, seen };
}

/** A resolver whose lookups all wait until `release()`. */
function gated() {
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  const resolve = async (id: string) => {
    await gate;
    return `{"data":{"id":"${id}"}}`;
  };
  return { resolve, release };
}

/** Lets every queued resolution and delivery run. */
const settled = () => new Promise((resolve) => setImmediate(resolve));

describe('LiveFeed', () => {
  it('delivers events in arrival order, each id once, even when a later one resolves first', async () => {
    const slowFirst = async (id: string) => {
      if (id === '1') await settled();
      return `{"data":{"id":"${id}"}}`;
    };
    const { live, seen } = feed({ resolve: slowFirst });
    live.push('1');
    live.push('2');
    live.push('1');
    live.push('3');
    await settled();
    await settled();
    expect(seen.delivered).toEqual(['1', '2', '3']);
  });

  it('writes an event whose payload is already settled at once, unless another is still ahead of it', async () => {
    const { resolve, release } = gated();
    const { live, seen } = feed({
      resolve,
      settled: (id) => (id === '1' ? undefined : `{"data":{"id":"${id}"}}`),
    });
    live.push('2');
    expect(seen.delivered).toEqual(['2']); // no await in between
    live.push('1'); // still resolving
    live.push('3'); // settled, but behind '1'
    expect(seen.delivered).toEqual(['2']);
    release();
    await settled();
    expect(seen.delivered).toEqual(['2', '1', '3']);
  });

  it('drops the oldest waiting event when resolutions fall behind', async () => {
    const { resolve, release } = gated();
    const { live, seen } = feed({ capacity: 2, resolve });
    for (const id of ['1', '2', '3', '4', '5']) live.push(id); // '1' is being resolved; 2..5 wait
    expect(seen.dropped).toBe(2);
    release();
    await settled();
    expect(seen.delivered).toEqual(['1', '4', '5']);
  });

  it('counts an event the socket could not take as dropped, and goes on', async () => {
    const { live, seen } = feed({ deliver: (payload) => !payload.includes('"full"') });
    live.push('full');
    live.push('fine');
    await settled();
    expect(seen.dropped).toBe(1);
  });

  it('skips events that resolve to nothing', async () => {
    const { live, seen } = feed({ resolve: async (id) => (id === 'gone' ? null : `{"data":{"id":"${id}"}}`) });
    live.push('gone');
    live.push('kept');
    await settled();
    expect(seen.delivered).toEqual(['kept']);
  });

  it('yields nothing to its reader, and finishes at once on return(), only once', async () => {
    const { live, seen } = feed();
    const reading = live.next();
    await live.return();
    await live.return();
    expect(await reading).toEqual({ value: undefined, done: true });
    expect(seen.ended).toBe(1);
    live.push('late');
    await settled();
    expect(seen.delivered).toEqual([]);
  });

  it('ends and rejects its reader when a resolution fails, so the client is told', async () => {
    const { live, seen } = feed({ resolve: async () => Promise.reject(new Error('supergraph unreachable')) });
    const reading = live.next();
    live.push('1');
    await expect(reading).rejects.toThrow('supergraph unreachable');
    expect(live.isEnded).toBe(true);
    expect(seen.ended).toBe(1);
  });
});

describe('writeNext', () => {
  const socket = (readyState: WebSocket['readyState'], bufferedAmount: number) => {
    const sent: string[] = [];
    return { sent, readyState, bufferedAmount, send: (data: string) => void sent.push(data) };
  };

  it('writes the message graphql-ws would write, with the subscription id', () => {
    const open = socket(WebSocket.OPEN, 0);
    const payload = JSON.stringify({ data: { homeTimelineTweetAdded: { id: '7' } } });
    expect(writeNext(nextFrames(open, 'sub "1"'), payload, 1024)).toBe(true);
    expect(JSON.parse(open.sent[0]!)).toEqual({ id: 'sub "1"', type: 'next', payload: JSON.parse(payload) });
  });

  it('refuses (a drop) while the socket holds more unsent bytes than the limit', () => {
    const backedUp = socket(WebSocket.OPEN, 2048);
    expect(writeNext(nextFrames(backedUp, '1'), '{}', 1024)).toBe(false);
    expect(backedUp.sent).toEqual([]);
  });

  it('sends nothing to a closing socket, and does not count it as a drop', () => {
    const closing = socket(WebSocket.CLOSING, 0);
    expect(writeNext(nextFrames(closing, '1'), '{}', 1024)).toBe(true);
    expect(closing.sent).toEqual([]);
  });
});

import { InMemoryEventBus, OutboxRelay, createLogger, type EventBus, type PendingEvent } from '@chirp/platform';

const logger = createLogger('test', 'silent');
const options = { sweepIntervalMs: 10, graceMs: 0 };

function pending(id: string, published: string[]): PendingEvent {
  return {
    topic: 'things',
    event: { id, type: 'thing.changed', occurredAt: new Date().toISOString(), key: id, payload: {} },
    markPublished: async () => void published.push(id),
  };
}

describe('OutboxRelay', () => {
  it('publishes, then marks published', async () => {
    const bus = new InMemoryEventBus();
    const seen: string[] = [];
    await bus.subscribe({ group: 'g', topics: ['things'], handler: async (event) => void seen.push(event.id) });
    const marked: string[] = [];
    const relay = new OutboxRelay(bus, [], options, logger);
    await expect(relay.publish([pending('a', marked), pending('b', marked)])).resolves.toBe(true);
    await bus.drain();
    expect(seen).toEqual(['a', 'b']);
    expect(marked).toEqual(['a', 'b']);
  });

  it('leaves events pending when the broker fails, for the sweeper to send', async () => {
    const broken: EventBus = {
      publish: async () => Promise.reject(new Error('broker down')),
      subscribe: async () => ({ stop: async () => {} }),
      ping: async () => {},
      close: async () => {},
    };
    const marked: string[] = [];
    const relay = new OutboxRelay(broken, [], options, logger);
    await expect(relay.publish([pending('a', marked)])).resolves.toBe(false);
    expect(marked).toEqual([]);
  });

  it('sweeps what a crashed command left pending, page after page', async () => {
    const bus = new InMemoryEventBus();
    const marked: string[] = [];
    let backlog = Array.from({ length: 450 }, (_, n) => `e${n}`);
    const relay = new OutboxRelay(
      bus,
      [
        {
          name: 'things',
          findPending: async (_olderThan, limit) => {
            const page = backlog.slice(0, limit);
            backlog = backlog.slice(limit);
            return page.map((id) => pending(id, marked));
          },
        },
      ],
      options,
      logger,
    );
    await expect(relay.sweepOnce()).resolves.toBe(450);
    expect(marked).toHaveLength(450);
  });
});

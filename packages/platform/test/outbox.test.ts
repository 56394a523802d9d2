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

  describe('when it sweeps', () => {
    /** A broker that refuses the first `failures` publishes, and a source that holds what is not yet marked published. */
    function flakyWorld(failures: number) {
      let refusals = failures;
      const sent: string[] = [];
      const bus: EventBus = {
        publish: async (_topic, events) => {
          if (refusals > 0) {
            refusals -= 1;
            throw new Error('broker down');
          }
          sent.push(...events.map((event) => event.id));
        },
        subscribe: async () => ({ stop: async () => {} }),
        ping: async () => {},
        close: async () => {},
      };
      const marked: string[] = [];
      const held = new Map<string, PendingEvent>();
      const source = { name: 'things', findPending: async () => [...held.values()].filter((item) => !marked.includes(item.event.id)) };
      const hold = (id: string) => {
        const item = pending(id, marked);
        held.set(id, item);
        return item;
      };
      return { bus, source, sent, marked, hold };
    }
    const eventually = async (check: () => boolean, ms = 3_000) => {
      const deadline = Date.now() + ms;
      while (!check()) {
        if (Date.now() > deadline) throw new Error('not in time');
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    };

    it('sweeps soon after a publish of its own fails, though its interval is long, backing off while the broker stays away', async () => {
      const world = flakyWorld(3); // the publish, then the first two retries
      const relay = new OutboxRelay(world.bus, [world.source], { sweepIntervalMs: 60_000, graceMs: 0 }, logger);
      relay.start();
      await expect(relay.publish([world.hold('a')])).resolves.toBe(false);
      await eventually(() => world.marked.includes('a'));
      expect(world.sent).toEqual(['a']);
      await relay.stop();
    });

    it('sweeps at start what the instance left pending when it stopped', async () => {
      const world = flakyWorld(0);
      world.hold('left-behind');
      const relay = new OutboxRelay(world.bus, [world.source], { sweepIntervalMs: 60_000, graceMs: 0 }, logger);
      relay.start();
      await eventually(() => world.marked.includes('left-behind'));
      await relay.stop();
    });
  });
});

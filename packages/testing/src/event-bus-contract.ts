import type { EventBus, EventEnvelope } from '@chirp/platform';
import { eventually, uniqueName } from './servers.js';

/**
 * What every EventBus must do, run against the in-process bus and Kafka
 * alike: deliver to every group, keep each key in order, redeliver when a
 * handler fails, and replay history to a group that joins late.
 */
export function describeEventBusContract(name: string, createBus: () => Promise<EventBus>): void {
  describe(`EventBus contract: ${name}`, () => {
    let bus: EventBus;

    beforeAll(async () => {
      bus = await createBus();
    });

    afterAll(async () => {
      await bus.close();
    });

    const event = (key: string, n: number): EventEnvelope => ({
      id: `${key}-${n}`,
      type: 'test.happened',
      occurredAt: new Date(1_700_000_000_000 + n).toISOString(),
      key,
      payload: { n, text: 'héllo ✓' },
    });

    it('delivers each event to every group, envelope intact', async () => {
      const topic = uniqueName('topic');
      const seenByA: EventEnvelope[] = [];
      const seenByB: EventEnvelope[] = [];
      const a = await bus.subscribe({ group: uniqueName('a'), topics: [topic], handler: async (e) => void seenByA.push(e) });
      const b = await bus.subscribe({ group: uniqueName('b'), topics: [topic], handler: async (e) => void seenByB.push(e) });
      await bus.publish(topic, [event('k', 1)]);
      await eventually(() => {
        expect(seenByA).toEqual([event('k', 1)]);
        expect(seenByB).toEqual([event('k', 1)]);
      });
      await Promise.all([a.stop(), b.stop()]);
    });

    it('keeps the events of one key in the order they were published', async () => {
      const topic = uniqueName('topic');
      const seen: number[] = [];
      const subscription = await bus.subscribe({
        group: uniqueName('ordered'),
        topics: [topic],
        handler: async (e) => void seen.push((e.payload as { n: number }).n),
      });
      const events = Array.from({ length: 50 }, (_, n) => event('same-key', n));
      await bus.publish(topic, events.slice(0, 25));
      await bus.publish(topic, events.slice(25));
      await eventually(() => expect(seen).toEqual(events.map((_, n) => n)));
      await subscription.stop();
    });

    it('delivers an event again when its handler fails', async () => {
      const topic = uniqueName('topic');
      let attempts = 0;
      const handled: string[] = [];
      const subscription = await bus.subscribe({
        group: uniqueName('flaky'),
        topics: [topic],
        handler: async (e) => {
          attempts += 1;
          if (attempts === 1) throw new Error('transient failure');
          handled.push(e.id);
        },
      });
      await bus.publish(topic, [event('k', 7)]);
      await eventually(() => expect(handled).toEqual(['k-7']));
      expect(attempts).toBe(2);
      await subscription.stop();
    });

    it('gives a group that joins late everything published before it joined', async () => {
      const topic = uniqueName('topic');
      await bus.publish(topic, [event('early', 1), event('early', 2)]);
      const seen: string[] = [];
      const subscription = await bus.subscribe({
        group: uniqueName('late'),
        topics: [topic],
        handler: async (e) => void seen.push(e.id),
      });
      await eventually(() => expect(seen).toEqual(['early-1', 'early-2']));
      await subscription.stop();
    });

    it('answers ping', async () => {
      await expect(bus.ping()).resolves.toBeUndefined();
    });
  });
}

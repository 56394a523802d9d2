import { LiveStreams, type LiveBus } from '@chirp/platform';
import { eventually, uniqueName } from './servers.js';

/**
 * What every LiveBus must do, run against the in-process twin and Redis
 * alike. `createBuses` gives a publisher and two listeners that may be
 * separate connections (separate gateways) or one object.
 */
export function describeLiveBusContract(
  name: string,
  createBuses: () => Promise<{ publisher: LiveBus; gatewayA: LiveBus; gatewayB: LiveBus; close(): Promise<void> }>,
): void {
  describe(`LiveBus contract: ${name}`, () => {
    let publisher: LiveBus;
    let gatewayA: LiveBus;
    let gatewayB: LiveBus;
    let close: () => Promise<void>;

    beforeAll(async () => {
      ({ publisher, gatewayA, gatewayB, close } = await createBuses());
    });

    afterAll(async () => {
      await close();
    });

    it('delivers to each listener of the user, on every gateway, and only there', async () => {
      const [alice, bob] = [uniqueName('alice'), uniqueName('bob')];
      const got = { a: [] as string[], b: [] as string[], bob: [] as string[] };
      const stops = await Promise.all([
        gatewayA.listen(LiveStreams.homeTimeline, alice, (id) => got.a.push(id)),
        gatewayB.listen(LiveStreams.homeTimeline, alice, (id) => got.b.push(id)),
        gatewayB.listen(LiveStreams.homeTimeline, bob, (id) => got.bob.push(id)),
      ]);
      expect(await publisher.publish(LiveStreams.homeTimeline, [alice, uniqueName('nobody')], 't1')).toBe(1);
      await eventually(() => expect(got).toEqual({ a: ['t1'], b: ['t1'], bob: [] }));
      await Promise.all(stops.map((stop) => stop()));
    });

    it('keeps streams apart', async () => {
      const carol = uniqueName('carol');
      const timeline: string[] = [];
      const stop = await gatewayA.listen(LiveStreams.homeTimeline, carol, (id) => timeline.push(id));
      expect(await publisher.publish(LiveStreams.notifications, [carol], 'n1')).toBe(0);
      expect(await publisher.publish(LiveStreams.homeTimeline, [carol], 't2')).toBe(1);
      await eventually(() => expect(timeline).toEqual(['t2']));
      await stop();
    });

    it('publishes nothing once the last listener of a user has stopped', async () => {
      const dave = uniqueName('dave');
      const got: string[] = [];
      const first = await gatewayA.listen(LiveStreams.notifications, dave, (id) => got.push(`first:${id}`));
      const second = await gatewayA.listen(LiveStreams.notifications, dave, (id) => got.push(`second:${id}`));
      await first();
      expect(await publisher.publish(LiveStreams.notifications, [dave], 'n2')).toBe(1);
      await eventually(() => expect(got).toEqual(['second:n2']));
      await second();
      await eventually(async () => expect(await publisher.publish(LiveStreams.notifications, [dave], 'n3')).toBe(0));
      expect(got).toEqual(['second:n2']);
    });

    it('publishes to many users in one call, wherever their channels live (on a cluster: every node)', async () => {
      const users = Array.from({ length: 24 }, (_, index) => uniqueName(`many${index}`));
      const got = new Map<string, string[]>(users.map((user) => [user, []]));
      const stops = await Promise.all(
        users.map((user, index) => (index % 2 === 0 ? gatewayA : gatewayB).listen(LiveStreams.homeTimeline, user, (id) => got.get(user)!.push(id))),
      );
      expect(await publisher.publish(LiveStreams.homeTimeline, [...users, uniqueName('nobody')], 't5')).toBe(users.length);
      await eventually(() => expect([...got.values()]).toEqual(users.map(() => ['t5'])));
      await Promise.all(stops.map((stop) => stop()));
      await eventually(async () => expect(await publisher.listening(LiveStreams.homeTimeline, users)).toEqual([]));
    });

    it('checks many users at once, in chunks', async () => {
      const users = Array.from({ length: 1_234 }, (_, index) => uniqueName(`crowd${index}`));
      const got: string[] = [];
      const stop = await gatewayB.listen(LiveStreams.homeTimeline, users[1_100]!, (id) => got.push(id));
      const other = await gatewayA.listen(LiveStreams.homeTimeline, users[7]!, () => {});
      expect(await publisher.listening(LiveStreams.homeTimeline, users)).toEqual([users[7], users[1_100]]);
      expect(await publisher.listening(LiveStreams.notifications, users)).toEqual([]);
      await other();
      await eventually(async () => expect(await publisher.listening(LiveStreams.homeTimeline, [users[7]!])).toEqual([]));
      expect(await publisher.publish(LiveStreams.homeTimeline, users, 't3')).toBe(1);
      await eventually(() => expect(got).toEqual(['t3']));
      // What `listening` found is sent to without asking again.
      await publisher.publishToListening(LiveStreams.homeTimeline, [users[1_100]!], 't4');
      await eventually(() => expect(got).toEqual(['t3', 't4']));
      await stop();
    });
  });
}

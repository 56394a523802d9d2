import { jest } from '@jest/globals';
import { InMemoryEventBus, KafkaEventBus, createLogger, type EventEnvelope } from '@chirp/platform';
import { describeEventBusContract, realServers, uniqueName } from '@chirp/testing';

const logger = createLogger('test', 'error');

const kafkaBus = () =>
  new KafkaEventBus(
    { brokers: realServers().kafkaBrokers.split(','), clientId: 'contract-test', topicPrefix: `${uniqueName('bus')}.` },
    logger,
  );

describeEventBusContract('in-process', async () => new InMemoryEventBus(logger));

describeEventBusContract('Kafka', async () => kafkaBus());

describe('KafkaEventBus at rest', () => {
  it('leaves the event loop alone once its requests are answered (no kafkajs 1 ms polling)', async () => {
    const bus = kafkaBus();
    const heard: string[] = [];
    const subscription = await bus.subscribe({ group: 'idle', topics: ['idle'], handler: async (event) => void heard.push(event.id) });
    const event: EventEnvelope = { id: 'e1', type: 'test.idle', occurredAt: new Date().toISOString(), key: 'k', payload: {} };
    // The test's own waits use the real timer, so only kafkajs's timers are counted.
    const realSetTimeout = globalThis.setTimeout;
    const sleep = (ms: number) => new Promise((resolve) => realSetTimeout(resolve, ms));
    const timers = jest.spyOn(globalThis, 'setTimeout');
    try {
      await bus.publish('idle', [event]);
      for (let waited = 0; heard.length === 0 && waited < 15_000; waited += 50) await sleep(50);
      expect(heard).toEqual(['e1']);
      timers.mockClear();
      await sleep(1_000);
      // kafkajs 2.2.4 as released: some 1,750 timers of 1 ms a second for a producer and an admin.
      const immediate = timers.mock.calls.filter(([, delay]) => !(Number(delay) > 1));
      expect(immediate.length).toBeLessThan(20);
    } finally {
      timers.mockRestore();
      await subscription.stop();
      await bus.close();
    }
  }, 60_000);
});

import { InMemoryLiveBus, RedisLiveBus } from '@chirp/platform';
import { REDIS_TARGETS, describeLiveBusContract, uniqueName } from '@chirp/testing';

describeLiveBusContract('in-process', async () => {
  const bus = new InMemoryLiveBus();
  return { publisher: bus, gatewayA: bus, gatewayB: bus, close: () => bus.close() };
});

for (const target of REDIS_TARGETS) {
  describeLiveBusContract(target.name, async () => {
    // Three connections, as a subgraph and two gateways would have.
    const prefix = `${uniqueName('live')}:`;
    const [publisher, gatewayA, gatewayB] = [0, 1, 2].map(() => new RedisLiveBus(target.connection(), prefix)) as [
      RedisLiveBus,
      RedisLiveBus,
      RedisLiveBus,
    ];
    return {
      publisher,
      gatewayA,
      gatewayB,
      close: async () => void (await Promise.all([publisher, gatewayA, gatewayB].map((bus) => bus.close()))),
    };
  });
}

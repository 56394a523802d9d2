import { InMemoryEventBus, KafkaEventBus, createLogger } from '@chirp/platform';
import { describeEventBusContract, realServers, uniqueName } from '@chirp/testing';

const logger = createLogger('test', 'error');

describeEventBusContract('in-process', async () => new InMemoryEventBus(logger));

describeEventBusContract('Kafka', async () =>
  new KafkaEventBus(
    { brokers: realServers().kafkaBrokers.split(','), clientId: 'contract-test', topicPrefix: `${uniqueName('bus')}.` },
    logger,
  ),
);

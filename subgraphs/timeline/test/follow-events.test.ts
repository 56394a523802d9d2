import { MongoClient } from 'mongodb';
import {
  EventTypes,
  KafkaEventBus,
  Topics,
  createLogger,
  type EventEnvelope,
  type EventSubscription,
  type FollowChangedPayload,
} from '@chirp/platform';
import { eventually, realServers, uniqueName } from '@chirp/testing';
import { consumeFollowEvents } from '../src/events/consumers.js';
import { MongoFollowGraphRepository, type EdgeState, type FollowGraphRepository } from '../src/repositories/index.js';

/** Counts what the real repository actually stored, so "applied once" can be seen. */
class CountingGraph implements FollowGraphRepository {
  readonly applied: EdgeState[] = [];
  constructor(private readonly inner: FollowGraphRepository) {}
  async apply(edge: EdgeState): Promise<boolean> {
    const stored = await this.inner.apply(edge);
    if (stored) this.applied.push(edge);
    return stored;
  }
  followeesOf(userId: string) {
    return this.inner.followeesOf(userId);
  }
  followersOf(userId: string) {
    return this.inner.followersOf(userId);
  }
  countFollowers(userId: string, atMost: number) {
    return this.inner.countFollowers(userId, atMost);
  }
}

function followEvent(followerId: string, followeeId: string, seq: number): EventEnvelope<FollowChangedPayload> {
  const active = seq % 2 === 1;
  return {
    id: `follow:${followerId}:${followeeId}:${seq}`,
    type: active ? EventTypes.userFollowed : EventTypes.userUnfollowed,
    occurredAt: new Date().toISOString(),
    key: followerId,
    payload: { followerId, followeeId, active, seq, changedAt: new Date().toISOString() },
  };
}

describe('the timeline consumes follow events from Kafka', () => {
  const logger = createLogger('test', 'error');
  const database = uniqueName('timeline_consumer');
  let client: MongoClient;
  let bus: KafkaEventBus;
  let graph: CountingGraph;
  let subscription: EventSubscription;

  beforeAll(async () => {
    const servers = realServers();
    client = await MongoClient.connect(servers.mongoUrl);
    const repository = new MongoFollowGraphRepository(client.db(database));
    await repository.ensureIndexes();
    graph = new CountingGraph(repository);
    bus = new KafkaEventBus(
      { brokers: servers.kafkaBrokers.split(','), clientId: 'consumer-test', topicPrefix: `${uniqueName('tl')}.` },
      logger,
    );
    subscription = await consumeFollowEvents(
      bus,
      async ({ followerId, followeeId, active, seq }) => void (await graph.apply({ followerId, followeeId, active, seq })),
      logger,
    );
  });

  afterAll(async () => {
    await subscription.stop();
    await bus.close();
    await client.db(database).dropDatabase();
    await client.close();
  });

  it('applies a follow once when Kafka delivers it twice', async () => {
    const event = followEvent('100', '200', 1);
    await bus.publish(Topics.userFollows, [event]);
    await bus.publish(Topics.userFollows, [event]); // the outbox sweeper republishing, or a redelivery
    const marker = followEvent('100', '999', 1); // published last: once it is seen, both copies were handled
    await bus.publish(Topics.userFollows, [marker]);
    await eventually(async () => expect(await graph.followeesOf('100')).toEqual(expect.arrayContaining(['200', '999'])));
    expect(graph.applied.filter((edge) => edge.followeeId === '200')).toEqual([
      { followerId: '100', followeeId: '200', active: true, seq: 1 },
    ]);
  });

  it('ends in the latest state when changes arrive late and out of order', async () => {
    await bus.publish(Topics.userFollows, [followEvent('300', '400', 2), followEvent('300', '400', 1), followEvent('300', '400', 3)]);
    await bus.publish(Topics.userFollows, [followEvent('300', '400', 2)]);
    await bus.publish(Topics.userFollows, [followEvent('300', '998', 1)]);
    await eventually(async () => expect(await graph.followeesOf('300')).toEqual(expect.arrayContaining(['998'])));
    expect(await graph.followeesOf('300')).toEqual(expect.arrayContaining(['400']));
    expect(graph.applied.filter((edge) => edge.followeeId === '400').map((edge) => edge.seq)).toEqual([2, 3]);
  });
});

import { askEachKeysNode, connectRedis, pipelineByNode, type RedisClient, type RedisConnection } from './redis-client.js';
import { liveChannel, type LiveBus, type LiveHandler, type LiveStream } from '../live.js';
import type { Logger } from '../logger.js';

/** How many channels one membership check asks about. */
const CHECK_CHUNK = 500;

/**
 * Live pushes over Redis sharded pub/sub (SPUBLISH / SSUBSCRIBE, Redis 7):
 * in a cluster each user's channel lives on one shard, so publishing scales
 * with the shards instead of being broadcast to every node.
 *
 * Publishing asks Redis first which of the users have a listener
 * (`PUBSUB SHARDNUMSUB`): a tweet fanned out to 10,000 followers of whom 12
 * have a socket open publishes 12 messages. Connections are opened on first
 * use, so a publisher never holds a subscriber connection and vice versa.
 *
 * On a Redis Cluster (`REDIS_CLUSTER`) a channel lives on the node that
 * serves its slot (the user id is its hash tag): the membership check asks
 * each node about its own channels, the publishes go in one pipeline per
 * node, and the subscriber keeps one connection per master, each holding the
 * channels of its slots (ioredis's sharded subscribers, which move them when
 * slots move).
 */
export class RedisLiveBus implements LiveBus {
  private publisher: RedisClient | undefined;
  private subscriber: RedisClient | undefined;
  private readonly connection: RedisConnection;
  private readonly channels = new Map<string, { handlers: Set<LiveHandler>; subscribed: Promise<unknown> }>();

  /** `prefix` must be the same for every publisher and gateway of one deployment. */
  constructor(
    connection: string | RedisConnection,
    private readonly prefix: string,
    private readonly logger?: Logger,
  ) {
    this.connection = typeof connection === 'string' ? { url: connection, cluster: false } : connection;
  }

  async publish(stream: LiveStream, userIds: readonly string[], id: string): Promise<number> {
    const listened = await this.listening(stream, userIds);
    await this.publishToListening(stream, listened, id);
    return listened.length;
  }

  async publishToListening(stream: LiveStream, userIds: readonly string[], id: string): Promise<void> {
    if (userIds.length === 0) return;
    const channels = userIds.map((userId) => this.channel(stream, userId));
    await pipelineByNode(this.publishing(), channels.map((channel) => [channel, (pipeline) => pipeline.spublish(channel, id)] as const));
  }

  async listening(stream: LiveStream, userIds: readonly string[]): Promise<string[]> {
    // A node counts only its own subscribers, so each is asked about the
    // channels it serves. Sent back to back on each node's connection: one
    // round trip per node for all the chunks, not one each.
    const counts = await askEachKeysNode(
      this.publishing(),
      userIds.map((userId) => this.channel(stream, userId)),
      CHECK_CHUNK,
      async (node, channels) => {
        const answer = (await node.call('PUBSUB', 'SHARDNUMSUB', ...channels)) as Array<string | number>;
        return channels.map((_, index) => Number(answer[index * 2 + 1]));
      },
    );
    return userIds.filter((_, index) => counts[index]! > 0);
  }

  async listen(stream: LiveStream, userId: string, handler: LiveHandler): Promise<() => Promise<void>> {
    const name = this.channel(stream, userId);
    const redis = this.subscribing();
    let channel = this.channels.get(name);
    if (!channel) {
      // Commands on one connection run in order, so a subscribe sent after an
      // unsubscribe of the same channel always wins.
      channel = { handlers: new Set(), subscribed: redis.ssubscribe(name) };
      this.channels.set(name, channel);
    }
    channel.handlers.add(handler);
    const mine = channel;
    try {
      await channel.subscribed;
    } catch (error) {
      // Forget the channel so that the next listener subscribes afresh.
      if (this.channels.get(name) === mine) this.channels.delete(name);
      throw error;
    }
    return async () => {
      mine.handlers.delete(handler);
      if (mine.handlers.size > 0 || this.channels.get(name) !== mine) return;
      this.channels.delete(name);
      await redis.sunsubscribe(name);
    };
  }

  async ping(): Promise<void> {
    await this.publishing().ping();
  }

  async close(): Promise<void> {
    this.channels.clear();
    await Promise.allSettled([this.publisher?.quit(), this.subscriber?.quit()]);
  }

  private channel(stream: LiveStream, userId: string): string {
    return `${this.prefix}${liveChannel(stream, userId)}`;
  }

  private publishing(): RedisClient {
    if (!this.publisher) {
      this.publisher = connectRedis(this.connection, { maxRetriesPerRequest: 2, enableAutoPipelining: true });
      this.reportErrors(this.publisher, 'publisher');
    }
    return this.publisher;
  }

  private subscribing(): RedisClient {
    if (!this.subscriber) {
      // ioredis re-subscribes every channel by itself after a reconnect. It
      // also writes SSUBSCRIBE before the connection is ready (the command
      // may run while Redis loads), which puts the connection in subscriber
      // mode under its own ready check (INFO) and CLIENT SETINFO: both fail
      // and the connection loops. A connection that only subscribes needs
      // neither. On a cluster, SSUBSCRIBE goes to the subscriber connection
      // of the master that serves the channel's slot.
      this.subscriber = connectRedis(
        this.connection,
        { maxRetriesPerRequest: null, enableReadyCheck: false, disableClientInfo: true },
        { shardedSubscribers: true },
      );
      this.reportErrors(this.subscriber, 'subscriber');
      this.subscriber.on('smessage', (channel: string, message: string) => {
        for (const handler of this.channels.get(channel)?.handlers ?? []) handler(message);
      });
    }
    return this.subscriber;
  }

  /** ioredis reconnects by itself; an error is worth a log line, never a crash. */
  private reportErrors(connection: RedisClient, role: string): void {
    connection.on('error', (error: unknown) => this.logger?.warn({ err: error, role }, 'live bus connection error'));
  }
}

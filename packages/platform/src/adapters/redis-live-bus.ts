import { Redis } from 'ioredis';
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
 */
export class RedisLiveBus implements LiveBus {
  private publisher: Redis | undefined;
  private subscriber: Redis | undefined;
  private readonly channels = new Map<string, { handlers: Set<LiveHandler>; subscribed: Promise<unknown> }>();

  /** `prefix` must be the same for every publisher and gateway of one deployment. */
  constructor(
    private readonly url: string,
    private readonly prefix: string,
    private readonly logger?: Logger,
  ) {}

  async publish(stream: LiveStream, userIds: readonly string[], id: string): Promise<number> {
    const listened = await this.listening(stream, userIds);
    await this.publishToListening(stream, listened, id);
    return listened.length;
  }

  async publishToListening(stream: LiveStream, userIds: readonly string[], id: string): Promise<void> {
    if (userIds.length === 0) return;
    const pipeline = this.publishing().pipeline();
    for (const userId of userIds) pipeline.spublish(this.channel(stream, userId), id);
    await pipeline.exec();
  }

  async listening(stream: LiveStream, userIds: readonly string[]): Promise<string[]> {
    const redis = this.publishing();
    const chunks: string[][] = [];
    for (let start = 0; start < userIds.length; start += CHECK_CHUNK) chunks.push(userIds.slice(start, start + CHECK_CHUNK));
    // Sent back to back on one connection: one round trip for all the chunks, not one each.
    const answers = await Promise.all(
      chunks.map((chunk) => redis.call('PUBSUB', 'SHARDNUMSUB', ...chunk.map((userId) => this.channel(stream, userId))) as Promise<Array<string | number>>),
    );
    return chunks.flatMap((chunk, n) => chunk.filter((_, index) => Number(answers[n]![index * 2 + 1]) > 0));
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

  private publishing(): Redis {
    if (!this.publisher) {
      this.publisher = new Redis(this.url, { maxRetriesPerRequest: 2, enableAutoPipelining: true });
      this.reportErrors(this.publisher, 'publisher');
    }
    return this.publisher;
  }

  private subscribing(): Redis {
    if (!this.subscriber) {
      // ioredis re-subscribes every channel by itself after a reconnect. It
      // also writes SSUBSCRIBE before the connection is ready (the command
      // may run while Redis loads), which puts the connection in subscriber
      // mode under its own ready check (INFO) and CLIENT SETINFO: both fail
      // and the connection loops. A connection that only subscribes needs
      // neither.
      this.subscriber = new Redis(this.url, { maxRetriesPerRequest: null, enableReadyCheck: false, disableClientInfo: true });
      this.reportErrors(this.subscriber, 'subscriber');
      this.subscriber.on('smessage', (channel: string, message: string) => {
        for (const handler of this.channels.get(channel)?.handlers ?? []) handler(message);
      });
    }
    return this.subscriber;
  }

  /** ioredis reconnects by itself; an error is worth a log line, never a crash. */
  private reportErrors(connection: Redis, role: string): void {
    connection.on('error', (error: unknown) => this.logger?.warn({ err: error, role }, 'live bus connection error'));
  }
}

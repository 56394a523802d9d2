import { liveChannel, type LiveBus, type LiveHandler, type LiveStream } from '../live.js';

/** Live pushes within one process: the embedded default, where the gateway and the subgraphs share it. */
export class InMemoryLiveBus implements LiveBus {
  private readonly listeners = new Map<string, Set<LiveHandler>>();

  async publish(stream: LiveStream, userIds: readonly string[], id: string): Promise<number> {
    const listened = await this.listening(stream, userIds);
    await this.publishToListening(stream, listened, id);
    return listened.length;
  }

  async publishToListening(stream: LiveStream, userIds: readonly string[], id: string): Promise<void> {
    for (const userId of userIds) {
      // Delivered after the publisher's turn, as a message from Redis would be.
      for (const handler of this.listeners.get(liveChannel(stream, userId)) ?? []) queueMicrotask(() => handler(id));
    }
  }

  async listening(stream: LiveStream, userIds: readonly string[]): Promise<string[]> {
    return userIds.filter((userId) => this.listeners.has(liveChannel(stream, userId)));
  }

  async listen(stream: LiveStream, userId: string, handler: LiveHandler): Promise<() => Promise<void>> {
    const channel = liveChannel(stream, userId);
    const handlers = this.listeners.get(channel) ?? new Set<LiveHandler>();
    this.listeners.set(channel, handlers.add(handler));
    return async () => {
      handlers.delete(handler);
      if (handlers.size === 0 && this.listeners.get(channel) === handlers) this.listeners.delete(channel);
    };
  }

  async ping(): Promise<void> {}

  async close(): Promise<void> {
    this.listeners.clear();
  }
}

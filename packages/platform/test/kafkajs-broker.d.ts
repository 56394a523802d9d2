// kafkajs ships no types for its internals; event-bus.test.ts wraps one method of its Broker.
declare module 'kafkajs/src/broker/index.js' {
  const Broker: { prototype: { produce(this: unknown, ...args: unknown[]): Promise<unknown> } };
  export default Broker;
}

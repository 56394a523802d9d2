// kafkajs ships no types for its internals; the idle fix needs one class (kafkajs-idle-fix.ts).
declare module 'kafkajs/src/network/requestQueue/index.js' {
  const RequestQueue: { prototype: unknown };
  export default RequestQueue;
}

// Child process of the live push step (measure-live.js): the floor of a
// live push on this box. A bare `ws` server that speaks just enough of
// graphql-transport-ws for the bench's graphql-ws subscribers
// (`connection_ack`, `subscribe`, `complete`), with no token check, GraphQL,
// Redis or Kafka. Asked to broadcast, it writes one `next` message (the
// tweet as the subscriptions select it, serialised once) to every
// subscription, one socket after another: what the gateway does once an
// event is resolved, and nothing else. The subscriber processes time the
// receipt as they time the gateway's pushes, so the time from the start of
// the broadcast to the last socket is what this box's cores take to move one
// frame through N sockets and N graphql-ws clients, whatever the server.
//
//   → { type: 'ready', url }
//   ← { id, type: 'broadcast', tweetId }  → { id, startedAt, writeMs, cpuMs, subscriptions }
//        startedAt: epoch ms just before the first write; writeMs: until the last socket took its
//        frame; cpuMs: this process's CPU for the writes
//   ← { type: 'stop' }                    closes every socket and exits

import http from 'node:http';
import { WebSocketServer } from 'ws';

/** Epoch milliseconds, sub-millisecond resolution, comparable across processes. */
const now = () => performance.timeOrigin + performance.now();

/** Each open subscription: its socket and the opening of its `next` messages. @type {Map<import('ws').WebSocket, Map<string, string>>} */
const subscriptions = new Map();

const server = http.createServer((_, response) => response.writeHead(426).end());
const sockets = new WebSocketServer({ server, perMessageDeflate: false, handleProtocols: () => 'graphql-transport-ws' });
sockets.on('connection', (socket) => {
  const mine = new Map();
  subscriptions.set(socket, mine);
  socket.on('close', () => subscriptions.delete(socket));
  socket.on('message', (data) => {
    const message = JSON.parse(String(data));
    if (message.type === 'connection_init') socket.send('{"type":"connection_ack"}');
    else if (message.type === 'ping') socket.send('{"type":"pong"}');
    else if (message.type === 'subscribe') mine.set(message.id, `{"id":${JSON.stringify(message.id)},"type":"next","payload":`);
    else if (message.type === 'complete') mine.delete(message.id);
  });
});

/** @param {string} tweetId */
function broadcast(tweetId) {
  const payload = JSON.stringify({ data: { homeTimelineTweetAdded: { id: tweetId, text: `the floor, ${tweetId}`, author: { handle: 'bare', displayName: 'Bare Broadcast' } } } });
  let count = 0;
  const cpu = process.cpuUsage();
  const startedAt = now();
  for (const [socket, mine] of subscriptions) {
    for (const frameStart of mine.values()) {
      socket.send(`${frameStart}${payload}}`);
      count += 1;
    }
  }
  const used = process.cpuUsage(cpu);
  return { startedAt, writeMs: Math.round((now() - startedAt) * 100) / 100, cpuMs: Math.round((used.user + used.system) / 10) / 100, subscriptions: count };
}

process.on('message', (/** @type {any} */ message) => {
  if (message.type === 'broadcast') {
    process.send?.({ id: message.id, ...broadcast(message.tweetId) });
  } else if (message.type === 'stop') {
    for (const socket of subscriptions.keys()) socket.terminate();
    server.close(() => process.exit(0));
  }
});
process.on('disconnect', () => process.exit(0));

server.listen(0, '127.0.0.1', () => {
  const address = /** @type {import('node:net').AddressInfo} */ (server.address());
  process.send?.({ type: 'ready', url: `ws://127.0.0.1:${address.port}/graphql` });
});

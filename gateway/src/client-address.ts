import type http from 'node:http';

/**
 * The caller's address, which the subgraphs count log-in and sign-up
 * attempts by. With no proxy in front (`trustedProxies` 0) it is the
 * socket's peer, and an X-Forwarded-For the caller sent is ignored: anyone
 * can write one. Behind N proxies the gateway trusts (a load balancer, say),
 * each appended the address it saw, so the client is the entry N places
 * from the right of the list followed by the peer; entries further left
 * were written by the client and are never believed.
 */
export function clientAddress(request: http.IncomingMessage, trustedProxies: number): string {
  const peer = request.socket.remoteAddress ?? 'unknown';
  if (trustedProxies <= 0) return peer;
  const header = request.headers['x-forwarded-for'];
  const forwarded = (Array.isArray(header) ? header.join(',') : (header ?? ''))
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean);
  const chain = [...forwarded, peer];
  return chain[Math.max(0, chain.length - 1 - trustedProxies)] as string;
}

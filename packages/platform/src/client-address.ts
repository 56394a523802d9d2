/**
 * A client's address from the X-Forwarded-For chain and the peer that
 * handed the request over. With no proxy trusted (`trustedProxies` 0) it
 * is the peer, and an X-Forwarded-For the caller sent is ignored: anyone
 * can write one. Behind N proxies we trust (a load balancer, say), each
 * appended the address it saw, so the client is the entry N places from
 * the right of the list followed by the peer; entries further left were
 * written by the client and are never believed.
 */
export function forwardedClientAddress(forwardedFor: string | undefined, peer: string, trustedProxies: number): string {
  if (trustedProxies <= 0) return peer;
  const chain = [...splitForwardedFor(forwardedFor), peer];
  return chain[Math.max(0, chain.length - 1 - trustedProxies)] as string;
}

/**
 * The same on AWS Lambda behind an API Gateway HTTP API, whose source IP
 * is the peer it accepted the connection from. API Gateway also appends
 * that address to the X-Forwarded-For it passes on: it is counted once.
 */
export function lambdaClientAddress(forwardedFor: string | undefined, sourceIp: string, trustedProxies: number): string {
  const entries = splitForwardedFor(forwardedFor);
  if (entries.at(-1) === sourceIp) entries.pop();
  return forwardedClientAddress(entries.join(','), sourceIp, trustedProxies);
}

function splitForwardedFor(header: string | undefined): string[] {
  return (header ?? '')
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean);
}

import type http from 'node:http';
import { forwardedClientAddress } from '@chirp/platform';

/**
 * The caller's address, which the subgraphs count log-in and sign-up
 * attempts by: the socket's peer, or behind `trustedProxies` proxies the
 * entry of X-Forwarded-For they vouch for (see forwardedClientAddress).
 */
export function clientAddress(request: http.IncomingMessage, trustedProxies: number): string {
  const header = request.headers['x-forwarded-for'];
  return forwardedClientAddress(Array.isArray(header) ? header.join(',') : header, request.socket.remoteAddress ?? 'unknown', trustedProxies);
}

import { existsSync } from 'node:fs';
import path from 'node:path';
import type http from 'node:http';
import sirv from 'sirv';
import type { Logger, StaticRoutes } from '@chirp/platform';

/**
 * What the page may do: scripts and styles only from this origin (no
 * inline code, so an injected tag cannot run), pictures from anywhere over
 * HTTP(S) (media may be on a CDN), and connections to this origin, its
 * WebSocket, and upload forms on a storage origin.
 */
const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data: blob: https: http:",
  "connect-src 'self' ws: wss: https: http:",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/**
 * The built web client at `/`: its hashed assets cached for a year, the
 * page itself revalidated every time (so a deploy is seen at once), and
 * every other path the page too, for the client's own routes (/u/ada).
 * Precompressed .br/.gz files are sent to browsers that take them.
 */
export function webClientRoutes(dir: string, logger: Logger): StaticRoutes {
  if (!existsSync(path.join(dir, 'index.html'))) {
    logger.warn({ dir }, 'the web client is not built (npm run build builds it): / answers with how to build it');
    return async (request, response) => notBuilt(request, response);
  }
  const serve = sirv(dir, {
    single: true,
    etag: true,
    gzip: true,
    brotli: true,
    dotfiles: false,
    setHeaders: (response, pathname) => {
      const hashed = pathname.startsWith('/assets/');
      response.setHeader('cache-control', hashed ? 'public, max-age=31536000, immutable' : 'no-cache');
      response.setHeader('x-content-type-options', 'nosniff');
      response.setHeader('referrer-policy', 'no-referrer');
      // The page (whatever path it is served at): what it may load and who may frame it.
      if (!hashed) {
        response.setHeader('content-security-policy', CONTENT_SECURITY_POLICY);
        response.setHeader('x-frame-options', 'DENY');
      }
    },
  });
  return (request, response) =>
    new Promise<boolean>((resolve) => {
      if (request.method !== 'GET' && request.method !== 'HEAD') return resolve(false);
      // 'close' also comes when the client goes away mid-file, which 'finish' would not.
      response.once('close', () => resolve(true));
      serve(request, response, () => resolve(false));
    });
}

function notBuilt(request: http.IncomingMessage, response: http.ServerResponse): boolean {
  if (request.method !== 'GET' && request.method !== 'HEAD') return false;
  const text = 'The Chirp web client is not built here: run `npm run build` (or `npm start`, which builds it). The API is at /graphql.\n';
  response.writeHead(404, { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  response.end(request.method === 'HEAD' ? undefined : text);
  return true;
}

import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { brotliCompressSync } from 'node:zlib';
import { createHttpServer, createLogger, listen, type ChirpHttpServer } from '@chirp/platform';
import { webClientRoutes } from '../src/web-client.js';

const logger = createLogger('gateway', 'silent');
const PAGE = '<!doctype html><title>Chirp</title><script type="module" src="/assets/index-abc123.js"></script>';
const SCRIPT = 'console.log("chirp");'.repeat(50);

let dir: string;
let web: ChirpHttpServer;
let base: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'chirp-web-'));
  await mkdir(path.join(dir, 'assets'));
  await writeFile(path.join(dir, 'index.html'), PAGE);
  await writeFile(path.join(dir, 'assets/index-abc123.js'), SCRIPT);
  await writeFile(path.join(dir, 'assets/index-abc123.js.br'), brotliCompressSync(SCRIPT));
  await writeFile(path.join(dir, '.env'), 'SECRET=1');
  web = createHttpServer({ logger, checkReady: async () => undefined });
  web.serveStatic(webClientRoutes(dir, logger));
  base = `http://127.0.0.1:${await listen(web.server, '127.0.0.1', 0)}`;
});

afterAll(async () => {
  await new Promise((resolve) => web.server.close(resolve));
  await rm(dir, { recursive: true, force: true });
});

describe('the web client at /', () => {
  it('serves the page, revalidated every time, with a policy that allows no inline or foreign script', async () => {
    const response = await fetch(`${base}/`);
    expect(response.status).toBe(200);
    expect(await response.text()).toBe(PAGE);
    expect(response.headers.get('content-type')).toMatch(/text\/html/);
    expect(response.headers.get('cache-control')).toBe('no-cache');
    expect(response.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(response.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it("answers the client's own routes with the page", async () => {
    for (const route of ['/u/ada', '/u/ada/followers', '/notifications', '/settings/profile']) {
      const response = await fetch(`${base}${route}`);
      expect({ route, status: response.status, body: await response.text() }).toEqual({ route, status: 200, body: PAGE });
    }
  });

  it('sends hashed assets as immutable, precompressed for browsers that take it', async () => {
    const response = await fetch(`${base}/assets/index-abc123.js`, { headers: { 'accept-encoding': 'br' } });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-encoding')).toBe('br');
    expect(response.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(await response.text()).toBe(SCRIPT); // fetch decodes it
  });

  it('serves nothing outside its folder, and no dotfiles', async () => {
    for (const attempt of ['/../../etc/passwd', '/%2e%2e/%2e%2e/etc/passwd', '/assets/..%2f..%2f..%2fetc%2fpasswd', '/.env']) {
      const body = await (await fetch(`${base}${attempt}`)).text();
      expect({ attempt, leaked: /root:|SECRET/.test(body) }).toEqual({ attempt, leaked: false });
    }
  });

  it('answers hostile paths with the page, never an error: bad percent-encoding, a NUL, 6,000 characters', async () => {
    for (const attempt of ['/%E0%A4%A', '/u/%zz', '/%00', `/u/${'a/'.repeat(3000)}`]) {
      const response = await fetch(`${base}${attempt}`);
      expect({ attempt: attempt.slice(0, 20), status: response.status, body: await response.text() }).toEqual({ attempt: attempt.slice(0, 20), status: 200, body: PAGE });
    }
  });

  it('leaves what is not a GET to the API routes (a POST to / is not found)', async () => {
    const response = await fetch(`${base}/`, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } });
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ error: expect.stringMatching(/GraphQL is at \/graphql/) });
  });
});

describe('without a built client', () => {
  it('says how to build it', async () => {
    const bare = createHttpServer({ logger, checkReady: async () => undefined });
    bare.serveStatic(webClientRoutes(path.join(dir, 'missing'), logger));
    const port = await listen(bare.server, '127.0.0.1', 0);
    try {
      const response = await fetch(`http://127.0.0.1:${port}/`);
      expect(response.status).toBe(404);
      expect(await response.text()).toMatch(/npm run build/);
    } finally {
      await new Promise((resolve) => bare.server.close(resolve));
    }
  });
});

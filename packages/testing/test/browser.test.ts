import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser } from 'playwright-core';
import { launchChromium, leavesLoopback, loopbackOnly } from '@chirp/testing';

// 192.0.2.0/24 is TEST-NET-1 (RFC 5737): never routed, so nothing leaves even if the guard failed.
const OFF_LOOPBACK = ['http://example.com/pixel.png', 'http://192.0.2.1/api', 'ws://192.0.2.1/live'];

/** A page that reaches for a host name, a literal IP address and a WebSocket off loopback, then says it is done. */
const PROBE_PAGE = `<!doctype html>
<title>probe</title>
<img src="${OFF_LOOPBACK[0]}">
<script>
  const socket = new WebSocket('${OFF_LOOPBACK[2]}');
  const closed = new Promise((resolve) => { socket.onclose = resolve; socket.onerror = resolve; });
  const fetched = fetch('${OFF_LOOPBACK[1]}').catch(() => 'refused');
  Promise.all([closed, fetched]).then(() => { document.body.dataset.done = 'yes'; });
</script>`;

/** Serves the probe page on loopback, and a page that reaches for nothing at /plain. */
async function startPageServer(): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer((request, response) => {
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    response.end(request.url === '/plain' ? '<!doctype html><title>plain</title>' : PROBE_PAGE);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe('the browser harness', () => {
  let browser: Browser;

  beforeAll(async () => {
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
  });

  it('refuses and records every request off loopback, and lets loopback through', async () => {
    const server = await startPageServer();
    const context = await browser.newContext();
    try {
      const guard = await loopbackOnly(context);
      const attempted: string[] = [];
      context.on('request', (request) => attempted.push(request.url()));
      const page = await context.newPage();

      const response = await page.goto(server.url);
      await page.waitForSelector('body[data-done="yes"]');

      expect(response?.status()).toBe(200);
      expect([...guard.refused].sort()).toEqual([...OFF_LOOPBACK].sort());
      // Nothing but the page itself and the refused requests (WebSockets are not `request` events).
      expect([...new Set(attempted)].sort()).toEqual([server.url, ...OFF_LOOPBACK.filter((url) => !url.startsWith('ws'))].sort());
    } finally {
      await context.close();
      await server.close();
    }
  });

  it('reaches loopback by name and by address despite the host-resolver rule', async () => {
    const server = await startPageServer();
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      const plain = new URL('/plain', server.url);
      for (const host of ['127.0.0.1', 'localhost']) {
        plain.hostname = host;
        const response = await page.goto(plain.href);
        expect(response?.status()).toBe(200);
        expect(await page.title()).toBe('plain');
      }
    } finally {
      await context.close();
      await server.close();
    }
  });
});

describe('the browser harness without a browser', () => {
  it('tells loopback from the rest', () => {
    const leaves = (url: string) => leavesLoopback(new URL(url));
    expect(['http://127.0.0.1:4000/', 'http://localhost/', 'ws://[::1]:9/graphql', 'data:text/plain,hi', 'about:blank'].map(leaves))
      .toEqual([false, false, false, false, false]);
    expect(['http://example.com/', 'https://10.0.0.1/', 'wss://127.0.0.2/'].map(leaves)).toEqual([true, true, true]);
  });

  it('says how to get Chromium when it is missing', async () => {
    await expect(launchChromium({ executablePath: '/nonexistent/chromium' })).rejects.toThrow('run the tests with npm test, which installs Chromium');
  });
});

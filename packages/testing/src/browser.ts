import { existsSync } from 'node:fs';
import { chromium, type Browser, type BrowserContext } from 'playwright-core';

/**
 * How every test and the bench start Chromium (scripts/browser/README.md says
 * why each flag): headless, no sandbox (root in containers), and nothing that
 * calls Google's services; the host-resolver rule lets only localhost and
 * 127.0.0.1 resolve, so a page can reach loopback only.
 */
export const CHROMIUM_FLAGS: readonly string[] = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-default-apps',
  '--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE localhost , EXCLUDE 127.0.0.1',
];

/** Debian's package's launcher, the default when CHROMIUM_PATH is not set. */
const DEFAULT_CHROMIUM = '/usr/bin/chromium';

export interface LaunchOptions {
  /** The browser to run; CHROMIUM_PATH, else /usr/bin/chromium. */
  executablePath?: string;
}

/**
 * Starts the machine's Chromium through playwright-core (never a downloaded
 * browser). `npm test` finds or installs it first (scripts/browser/chromium.js)
 * and passes its path as CHROMIUM_PATH.
 */
export async function launchChromium(options: LaunchOptions = {}): Promise<Browser> {
  const executablePath = options.executablePath ?? process.env.CHROMIUM_PATH ?? DEFAULT_CHROMIUM;
  if (!existsSync(executablePath)) {
    throw new Error(`Chromium not found at ${executablePath}: run the tests with npm test, which installs Chromium (or set CHROMIUM_PATH; see scripts/browser/README.md).`);
  }
  return chromium.launch({ executablePath, args: [...CHROMIUM_FLAGS], headless: true });
}

/** Hosts a page may reach: loopback, by name or address (URL.hostname keeps IPv6's brackets). */
const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);
/** Schemes that go over the network; data:, blob: and about: never leave the browser. */
const NETWORK_SCHEMES = new Set(['http:', 'https:', 'ws:', 'wss:']);

/** Whether a request to `url` would leave the machine. */
export function leavesLoopback(url: URL): boolean {
  return NETWORK_SCHEMES.has(url.protocol) && !LOOPBACK_HOSTS.has(url.hostname);
}

export interface LoopbackGuard {
  /** Every URL a page of the context tried to reach off loopback (each was refused), in order. */
  readonly refused: string[];
}

/**
 * Refuses every request of the context (pages, workers, WebSockets) to a host
 * other than 127.0.0.1, localhost or [::1], and records it, so a test can
 * assert that none was attempted. The resolver rule in CHROMIUM_FLAGS already
 * stops host names; this also stops literal IP addresses.
 *
 * Playwright's routing turns the context's HTTP cache off: measure cached
 * loads without it.
 */
export async function loopbackOnly(context: BrowserContext): Promise<LoopbackGuard> {
  const refused: string[] = [];
  await context.route(leavesLoopback, async (route) => {
    refused.push(route.request().url());
    await route.abort('blockedbyclient');
  });
  await context.routeWebSocket(leavesLoopback, async (socket) => {
    refused.push(socket.url());
    await socket.close({ code: 1008, reason: 'loopback only' });
  });
  return { refused };
}

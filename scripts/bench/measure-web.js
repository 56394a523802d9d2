// The web step: the client's bundle (web-bundle.js) and how long a browser
// takes from navigation to the first home timeline painted, on the embedded
// default (`startStack`, data in memory; its gateway serves the built client
// at `/`), in Chromium driven by playwright-core (scripts/browser).
//
// A reader follows a few authors who posted about 60 tweets; the reader's
// session is written into localStorage before any script of the page runs
// (`chirp.session`, the client's session contract), so each load goes
// straight to the home timeline. The client marks `chirp:timeline-painted`
// once its first page of tweets is on screen; every figure comes from the
// page's own performance timeline (navigation start = 0), not from Node's
// clocks. Each cold load is a new browser context (empty HTTP cache, no
// connections), then a second navigation in the same context is the warm one.

import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { launchChromium, leavesLoopback } from '@chirp/testing';
import { chromiumVersion, ensureChromium } from '../browser/chromium.js';
import { startChild } from './children.js';
import { postTweet } from './requests.js';
import { tweetText } from './content.js';
import { percentile, round, sleep } from './stats.js';

/** The client's session key and the mark it sets once the first home page is painted (web/src). */
const SESSION_KEY = 'chirp.session';
const TIMELINE_PAINTED = 'chirp:timeline-painted';
const TWEET_SELECTOR = 'article[data-testid="tweet"]';

export const DESKTOP = { viewport: { width: 1280, height: 800 } };
export const PHONE = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 3, isMobile: true, hasTouch: true };

const AUTHORS = 4;
const POSTS = 60;
const PAGE_SIZE = 20;
const NAVIGATION_TIMEOUT_MS = 30_000;

const SIGN_UP = 'mutation SignUp($input: SignUpInput!) { signUp(input: $input) { token user { id handle } } }';
const FOLLOW = 'mutation Follow($userId: ID!) { follow(userId: $userId) { id } }';
const HOME_PAGE = `query { homeTimeline(first: ${PAGE_SIZE}) { edges { node { id } } } }`;

/** The figures read from each load, in the report's order. */
export const LOAD_FIGURES = ['paintedMs', 'firstContentfulPaintMs', 'responseStartMs', 'domContentLoadedMs', 'loadMs', 'transferBytes', 'documentTransferBytes', 'requests', 'tweets'];

/** @typedef {{ token: string, userId: string, handle: string }} Session */
/** @typedef {Record<string, number | null> & { fetched?: string[] }} Load  one navigation's figures (LOAD_FIGURES) and what it fetched */

/**
 * One GraphQL operation through the gateway; throws on any error.
 * @param {string} url @param {string} query @param {Record<string, unknown>} variables @param {string} [token]
 */
async function graphql(url, query, variables = {}, token) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  const answer = /** @type {any} */ (await response.json().catch(() => ({ status: response.status })));
  if (answer.errors || !answer.data) throw new Error(`${query.split('(')[0]} failed: ${JSON.stringify(answer.errors ?? answer).slice(0, 300)}`);
  return answer.data;
}

/** @param {string} url @param {string} name  a handle's stem @param {string} suffix */
async function signUp(url, name, suffix) {
  const handle = `${name}_${suffix}`;
  const input = { handle, email: `${handle}@bench.example.com`, password: 'bench-password', firstName: name, lastName: 'Bench' };
  const { signUp: answer } = await graphql(url, SIGN_UP, { input });
  return { token: answer.token, userId: answer.user.id, handle: answer.user.handle };
}

/**
 * A reader who follows AUTHORS authors, who post POSTS tweets between them;
 * resolves once the reader's first home page is full.
 * @param {string} graphqlUrl
 * @returns {Promise<Session>}
 */
async function seedReader(graphqlUrl) {
  const suffix = Date.now().toString(36).slice(-6);
  const reader = await signUp(graphqlUrl, 'reader', suffix);
  const authors = [];
  for (let i = 0; i < AUTHORS; i += 1) authors.push(await signUp(graphqlUrl, `author${i}`, suffix));
  for (const author of authors) await graphql(graphqlUrl, FOLLOW, { userId: author.userId }, reader.token);
  for (let k = 0; k < POSTS; k += 1) await postTweet(graphqlUrl, authors[k % AUTHORS].token, tweetText(k));
  await waitForFullPage(graphqlUrl, reader.token);
  return reader;
}

/** Fan-out is asynchronous: polls until the reader's first page has PAGE_SIZE tweets. @param {string} url @param {string} token */
async function waitForFullPage(url, token) {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const { homeTimeline } = await graphql(url, HOME_PAGE, {}, token);
    if (homeTimeline.edges.length >= PAGE_SIZE) return;
    if (Date.now() > deadline) throw new Error(`the reader's home timeline had ${homeTimeline.edges.length} of ${PAGE_SIZE} tweets after 30 s`);
    await sleep(100);
  }
}

/**
 * Checks that the gateway serves the built client at `/`, and whether it is the same index.html as the bundle measured.
 * @param {string} baseUrl @param {string} indexHtml  the bundle's
 */
async function checkServed(baseUrl, indexHtml) {
  const response = await fetch(`${baseUrl}/`);
  const body = await response.text();
  if (!response.ok || !/<html|<!doctype html/i.test(body)) {
    throw new Error(`the gateway does not serve the web client at ${baseUrl}/ (GET / answered ${response.status} ${response.headers.get('content-type') ?? ''})`);
  }
  return { status: response.status, cacheControl: response.headers.get('cache-control'), sameAsBundle: body === indexHtml };
}

/**
 * Runs in the page (serialized by Playwright: no closure): whether the timeline
 * is painted and the load event is over, so every figure below is final.
 * @param {string} mark
 */
function paintedAndLoaded(mark) {
  const navigation = /** @type {PerformanceNavigationTiming | undefined} */ (performance.getEntriesByType('navigation')[0]);
  return performance.getEntriesByName(mark).length > 0 && (navigation?.loadEventEnd ?? 0) > 0;
}

/**
 * Runs in the page: this navigation's figures, in ms from its start (performance.now's origin).
 * @param {{ mark: string, tweetSelector: string }} names
 */
function readLoad({ mark, tweetSelector }) {
  const navigation = /** @type {PerformanceNavigationTiming} */ (performance.getEntriesByType('navigation')[0]);
  const paintedMs = performance.getEntriesByName(mark)[0].startTime;
  // What the first paint needed: requests started before it (what the client fetches after painting does not count).
  const resources = /** @type {PerformanceResourceTiming[]} */ (performance.getEntriesByType('resource')).filter((entry) => entry.startTime <= paintedMs);
  const fcp = performance.getEntriesByName('first-contentful-paint')[0];
  return {
    paintedMs,
    firstContentfulPaintMs: fcp ? fcp.startTime : null,
    responseStartMs: navigation.responseStart,
    domContentLoadedMs: navigation.domContentLoadedEventEnd,
    loadMs: navigation.loadEventEnd,
    // Bytes over the wire (headers included; 0 for what the HTTP cache served): the document and every request before the paint.
    transferBytes: navigation.transferSize + resources.reduce((sum, entry) => sum + entry.transferSize, 0),
    documentTransferBytes: navigation.transferSize,
    requests: 1 + resources.length,
    tweets: document.querySelectorAll(tweetSelector).length,
    // What the page fetched besides the document before the paint, in order: which chunks it needed, how many GraphQL requests.
    fetched: resources.map((entry) => `${new URL(entry.name).pathname} (${entry.initiatorType}${entry.transferSize === 0 ? ', from the cache' : ''})`),
  };
}

/**
 * Navigates the page to the client and reads its figures once the timeline is painted.
 * @param {import('playwright-core').Page} page @param {string} baseUrl
 * @returns {Promise<Load>}
 */
async function loadHome(page, baseUrl) {
  await page.goto(`${baseUrl}/`, { timeout: NAVIGATION_TIMEOUT_MS });
  try {
    // Polled every 50 ms, not every frame, to stay out of the page's way; the figures are the page's own timestamps.
    await page.waitForFunction(paintedAndLoaded, TIMELINE_PAINTED, { polling: 50, timeout: NAVIGATION_TIMEOUT_MS });
  } catch (error) {
    // Say what the page shows instead (a log-in form, an error), which says more than a timeout.
    const shown = await page.evaluate(() => document.body?.innerText ?? '').catch(() => '');
    throw new Error(`the client did not mark ${TIMELINE_PAINTED} within ${NAVIGATION_TIMEOUT_MS / 1000} s at ${page.url()} (the page shows: ${JSON.stringify(shown.slice(0, 300))}): ${error instanceof Error ? error.message.split('\n')[0] : error}`);
  }
  return page.evaluate(readLoad, { mark: TIMELINE_PAINTED, tweetSelector: TWEET_SELECTOR });
}

/**
 * A fresh context (cold HTTP cache) signed in as the reader, with what it reached off loopback and its page errors recorded.
 * @param {import('playwright-core').Browser} browser @param {object} device  DESKTOP or PHONE @param {Session} session
 * @param {{ offLoopback: string[], pageErrors: string[] }} seen
 */
async function signedInContext(browser, device, session, seen) {
  const context = await browser.newContext(device);
  // Before any script of the page: the client reads its session once, at start.
  await context.addInitScript(([key, value]) => localStorage.setItem(key, value), [SESSION_KEY, JSON.stringify(session)]);
  // Recorded, not routed: Playwright's routing would turn the HTTP cache off (the resolver rule stops host names anyway).
  context.on('request', (request) => {
    if (leavesLoopback(new URL(request.url()))) seen.offLoopback.push(request.url());
  });
  const page = await context.newPage();
  page.on('websocket', (socket) => {
    if (leavesLoopback(new URL(socket.url()))) seen.offLoopback.push(socket.url());
  });
  page.on('pageerror', (error) => seen.pageErrors.push(error.message));
  return { context, page };
}

/**
 * Cold loads, each in a new context; with `warm`, a second navigation in the same context after each.
 * @param {{ browser: import('playwright-core').Browser, device: object, session: Session, baseUrl: string, runs: number, warm: boolean,
 *   seen: { offLoopback: string[], pageErrors: string[] } }} options
 */
async function loads({ browser, device, session, baseUrl, runs, warm, seen }) {
  /** @type {Load[]} */
  const cold = [];
  /** @type {Load[]} */
  const warmLoads = [];
  for (let run = 0; run < runs; run += 1) {
    const { context, page } = await signedInContext(browser, device, session, seen);
    try {
      cold.push(await loadHome(page, baseUrl));
      if (warm) warmLoads.push(await loadHome(page, baseUrl));
    } finally {
      await context.close();
    }
  }
  return { cold: describeLoads(cold), ...(warm ? { warm: describeLoads(warmLoads) } : {}) };
}

/**
 * Each figure's median, p90, min and max over the loads (nearest rank), the loads' figures, and what the first one fetched.
 * @param {Load[]} samples
 */
export function describeLoads(samples) {
  /** @type {Record<string, { count: number, p50: number, p90: number, min: number, max: number }>} */
  const figures = {};
  for (const key of LOAD_FIGURES) {
    const values = samples.map((sample) => sample[key]).filter((value) => typeof value === 'number' && Number.isFinite(value));
    if (values.length === 0) continue;
    const sorted = Float64Array.from(/** @type {number[]} */ (values)).sort();
    figures[key] = { count: sorted.length, p50: round(percentile(sorted, 50), 1), p90: round(percentile(sorted, 90), 1), min: round(sorted[0], 1), max: round(sorted[sorted.length - 1], 1) };
  }
  const figuresOf = (/** @type {Load} */ sample) => Object.fromEntries(LOAD_FIGURES.map((key) => [key, typeof sample[key] === 'number' ? round(sample[key], 1) : null]));
  return { runs: samples.length, figures, samples: samples.map(figuresOf), fetched: samples[0]?.fetched ?? [] };
}

/**
 * The embedded stack, in memory, as `npm start` runs it with no servers; its gateway serves the build at `/`.
 * @param {{ here: string, root: string, distDir: string }} paths
 */
function startEmbeddedStack({ here, root, distDir }) {
  return startChild(resolve(here, 'web-stack-process.js'), {
    name: 'embedded stack',
    cwd: root,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      LOG_LEVEL: 'warn',
      METRICS_EMF: 'off',
      HOST: '127.0.0.1',
      PORT: '0',
      // The seeded authors post 60 tweets in a few seconds, more than the write limits allow a person.
      RATE_LIMITS: 'off',
      // The build the step measured (the gateway's default is the same folder; named so the two cannot differ).
      WEB_DIR: distDir,
    },
  });
}

/**
 * The navigation half of the step: the embedded stack, a seeded reader, and the loads in Chromium.
 *
 * @param {{ here: string, root: string, distDir: string, runs: number, log: (line: string) => void }} options
 *   distDir: the measured bundle, to check that the gateway serves that build
 */
export async function measureNavigation({ here, root, distDir, runs, log }) {
  const started = Date.now();
  const indexHtml = await readFile(resolve(distDir, 'index.html'), 'utf8');
  const executablePath = await ensureChromium({ log: (line) => log(`  ${line}`) });
  const chromium = { path: executablePath, version: await chromiumVersion(executablePath) };
  log(`  Chromium: ${chromium.path} (${chromium.version})`);
  const stack = await startEmbeddedStack({ here, root, distDir });
  /** @type {import('playwright-core').Browser | undefined} */
  let browser;
  try {
    const graphqlUrl = /** @type {string} */ (stack.ready.url);
    const baseUrl = new URL(graphqlUrl).origin;
    const served = await checkServed(baseUrl, indexHtml);
    log(`  embedded stack at ${baseUrl} (${stack.ready.description}); seeding a reader, ${AUTHORS} authors and ${POSTS} tweets...`);
    const session = await seedReader(graphqlUrl);
    browser = await launchChromium({ executablePath });
    const seen = { offLoopback: /** @type {string[]} */ ([]), pageErrors: /** @type {string[]} */ ([]) };
    // The browser's and the stack's first load (process start-up, the gateway's first query plans): shown, not counted.
    const firstLoad = await loads({ browser, device: DESKTOP, session, baseUrl, runs: 1, warm: false, seen });
    log(`  ${runs} cold loads at ${DESKTOP.viewport.width}×${DESKTOP.viewport.height}, each followed by a warm one...`);
    const desktop = await loads({ browser, device: DESKTOP, session, baseUrl, runs, warm: true, seen });
    log(`  ${runs} cold loads at ${PHONE.viewport.width}×${PHONE.viewport.height} (phone)...`);
    const phone = await loads({ browser, device: PHONE, session, baseUrl, runs, warm: false, seen });
    return {
      chromium,
      stack: { description: stack.ready.description, baseUrl },
      served,
      seed: { authors: AUTHORS, posts: POSTS, pageSize: PAGE_SIZE },
      runs,
      devices: { desktop: DESKTOP, phone: PHONE },
      firstLoad: firstLoad.cold.samples[0],
      desktop,
      phone,
      offLoopback: seen.offLoopback,
      pageErrors: seen.pageErrors.slice(0, 20),
      seconds: round((Date.now() - started) / 1000, 1),
    };
  } finally {
    await browser?.close().catch(() => {});
    await stack.stop();
  }
}

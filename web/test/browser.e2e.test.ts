/**
 * The web client in a real browser (Debian's Chromium through
 * playwright-core), over the whole stack on the real servers, as people use
 * it: two people in two browser contexts sign up, follow, post, see each
 * other's tweets arrive live, like, get notified, edit, delete, page to the
 * end of a timeline, meet errors in plain words, and keep going through a
 * gateway restart. Screenshots of the main screens go to
 * test-results/screenshots/ (the README's come from there).
 */
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import type { Browser, BrowserContext, BrowserContextOptions, Page } from 'playwright-core';
import { GraphQLClient, isolatedEnvironment, launchChromium, loopbackOnly, signUpThroughGateway, type Account, type LoopbackGuard } from '@chirp/testing';
import { startStack, type RunningStack } from '@chirp/stack';

const SCREENSHOTS = fileURLToPath(new URL('../../test-results/screenshots/', import.meta.url));
const AXE = readFileSync(fileURLToPath(new URL('../../node_modules/axe-core/axe.min.js', import.meta.url)), 'utf8');
const PAGE_SIZE = 20;
const SEEDED = 45;

const POST = 'mutation ($text: String!) { postTweet(text: $text) { id } }';
const FOLLOW = 'mutation ($id: ID!) { follow(userId: $id) { id } }';
const LOG_IN = 'mutation ($input: LogInInput!) { logIn(input: $input) { token } }';

let stack: RunningStack;
let browser: Browser;
let base: string;
let anonymous: GraphQLClient;
const guards: LoopbackGuard[] = [];
const contexts: BrowserContext[] = [];
let ada: Page;
let bob: Page;
let carol: Account;
// Each run has databases of its own (isolatedEnvironment), so handles need only be unique within it.
const adaHandle = 'ada';
const bobHandle = 'bob';

beforeAll(async () => {
  mkdirSync(SCREENSHOTS, { recursive: true });
  stack = await startStack({ ...isolatedEnvironment(), PORT: '0' });
  // The origin the stack gives its media (MEDIA_BASE_URL), so uploads are same-origin.
  base = `http://localhost:${stack.port}`;
  anonymous = new GraphQLClient(stack.url);
  browser = await launchChromium();
  ada = await newPerson();
  bob = await newPerson();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

afterEach(() => {
  // Nothing but loopback was ever asked for, by any page.
  expect(guards.flatMap((guard) => guard.refused)).toEqual([]);
});

describe('the web client in a real browser', () => {
  it('signs two people up, and says next to the field that a handle is taken', async () => {
    await signUp(ada, { handle: adaHandle, firstName: 'Ada', lastName: 'Lovelace' });
    await ada.getByRole('heading', { name: 'Home' }).waitFor();

    await fillSignUp(bob, { handle: adaHandle, firstName: 'Bob', lastName: 'Babbage' });
    await bob.getByRole('button', { name: 'Sign up' }).click();
    const taken = bob.locator('.field-problem');
    await taken.waitFor();
    expect(await taken.textContent()).toMatch(/taken/i);
    expect(await bob.getByLabel('Handle').getAttribute('aria-invalid')).toBe('true');
    await shot(bob, 'sign-up-error');

    await bob.getByLabel('Handle').fill(bobHandle);
    await bob.getByRole('button', { name: 'Sign up' }).click();
    await bob.getByRole('heading', { name: 'Home' }).waitFor();
  });

  it('follows from a profile, with the counts updated', async () => {
    await bob.goto(`${base}/u/${adaHandle}`);
    await bob.getByRole('heading', { name: /Ada Lovelace/ }).waitFor();
    await bob.getByRole('button', { name: `Follow @${adaHandle}`, pressed: false }).click();
    await bob.getByRole('button', { name: `Following @${adaHandle}`, pressed: true }).waitFor();
    await waitForText(bob.getByTestId('followers-count'), /^1 Follower$/);

    await bob.getByTestId('followers-count').click();
    await bob.getByTestId('user-row').filter({ hasText: `@${bobHandle}` }).waitFor();
  });

  it('shows a new tweet live: at once to its author, as "1 new tweet" to a follower', async () => {
    await bob.goto(`${base}/`);
    await bob.getByText("Nothing here yet").waitFor();
    await waitForLive(bob);

    await ada.getByLabel("What's happening?").fill('Hello from the Analytical Engine');
    await ada.getByRole('button', { name: 'Post' }).click();
    await tweets(ada).filter({ hasText: 'Hello from the Analytical Engine' }).waitFor();

    const banner = bob.getByTestId('new-tweets');
    await waitForText(banner, 'Show 1 new tweet');
    expect(await tweets(bob).count()).toBe(0); // waiting, not pushed under the reader
    await banner.click();
    await tweets(bob).filter({ hasText: 'Hello from the Analytical Engine' }).waitFor();
    await shot(bob, 'home-timeline');
  });

  it('counts a tweet as twitter-text does, and will not post past 280', async () => {
    const composer = ada.getByLabel("What's happening?");
    await composer.fill(`${'a'.repeat(250)} https://example.com/${'x'.repeat(200)}`); // a link counts 23
    await waitForText(ada.getByTestId('tweet-length'), '6 left');
    await composer.fill('界'.repeat(141)); // a CJK character counts 2
    await waitForText(ada.getByTestId('tweet-length'), '2 over the limit');
    expect(await ada.getByRole('button', { name: 'Post' }).isDisabled()).toBe(true);
    await shot(ada, 'compose-over-limit');
    await composer.fill('');
  });

  it('likes, and the author sees the badge rise live, then reads and clears it', async () => {
    await waitForText(ada.getByTestId('unread-badge'), /^,\s*1\s*unread$/); // Bob's follow
    const tweet = tweets(bob).filter({ hasText: 'Hello from the Analytical Engine' });
    await tweet.getByTestId('like').click();
    await waitForText(tweet.getByTestId('like-count'), '1');
    expect(await tweet.getByTestId('like').getAttribute('aria-pressed')).toBe('true');

    await waitForText(ada.getByTestId('unread-badge'), /^,\s*2\s*unread$/);
    await ada.getByTestId('notifications-link').click();
    const notes = ada.getByTestId('notification');
    await notes.filter({ hasText: 'liked your tweet' }).waitFor();
    await notes.filter({ hasText: 'followed you' }).waitFor();
    await shot(ada, 'notifications');
    await ada.getByRole('button', { name: 'Mark all as read' }).click();
    await ada.getByTestId('unread-badge').waitFor({ state: 'detached' });
    expect(await ada.locator('[data-testid=notification][data-read=false]').count()).toBe(0);
  });

  it('edits a tweet, and a reader sees the new text', async () => {
    await ada.goto(`${base}/`);
    const id = await tweets(ada).filter({ hasText: 'Hello from the Analytical Engine' }).getAttribute('data-tweet-id');
    const tweet = ada.locator(`article[data-tweet-id="${id}"]`);
    await tweet.getByRole('button', { name: 'Edit' }).click();
    await tweet.getByLabel('Tweet text').fill('Hello from the Difference Engine');
    await tweet.getByRole('button', { name: 'Save' }).click();
    await tweet.getByText('edited').waitFor();
    expect(await tweet.getByTestId('tweet-text').textContent()).toBe('Hello from the Difference Engine');

    await bob.reload();
    await tweets(bob).filter({ hasText: 'Hello from the Difference Engine' }).waitFor();
    expect(await tweets(bob).filter({ hasText: 'Analytical' }).count()).toBe(0);
  });

  it('deletes a tweet after asking, and it is gone for its readers', async () => {
    const tweet = tweets(ada).filter({ hasText: 'Difference Engine' });
    await tweet.getByRole('button', { name: 'Delete' }).click();
    await tweet.getByRole('group', { name: 'Delete this tweet?' }).getByRole('button', { name: 'Delete' }).click();
    await tweet.waitFor({ state: 'detached' });

    await bob.reload();
    await bob.getByText('Nothing here yet').waitFor();
  });

  it('pages a timeline to its end as the reader scrolls, each tweet once', async () => {
    carol = await signUpThroughGateway(anonymous, { handle: 'carol', email: 'carol@example.com', firstName: 'Carol', lastName: 'Shaw' });
    const bobAccount = await accountOf(bob);
    await bobAccount.client.data(FOLLOW, { id: carol.id });
    for (let index = 1; index <= SEEDED; index += 1) await carol.client.data(POST, { text: `Seeded tweet number ${index}` });

    await bob.reload();
    await waitForCount(tweets(bob), PAGE_SIZE);
    // Scrolling to the end brings the next page, until there is no more.
    while ((await bob.getByTestId('list-end').count()) === 0) {
      await bob.mouse.wheel(0, 20_000);
      await bob.waitForTimeout(100);
    }
    const ids = await tweets(bob).evaluateAll((articles) => articles.map((article) => article.getAttribute('data-tweet-id')));
    expect(ids).toHaveLength(SEEDED);
    expect(new Set(ids).size).toBe(SEEDED);
    expect(await tweets(bob).first().textContent()).toContain(`Seeded tweet number ${SEEDED}`);
    expect(await tweets(bob).last().textContent()).toContain('Seeded tweet number 1');
  });

  it('says when to retry after too many failed log-ins', async () => {
    const visitor = await newPerson();
    const erin = await signUpThroughGateway(anonymous);
    for (let attempt = 0; attempt < 15; attempt += 1) {
      const { code } = await anonymous.error(LOG_IN, { input: { email: erin.email, password: 'not the password' } });
      if (code === 'RATE_LIMITED') break;
    }
    await visitor.goto(`${base}/login`);
    await visitor.getByLabel('Email').fill(erin.email);
    await visitor.getByLabel('Password').fill('not the password');
    await visitor.getByRole('button', { name: 'Log in' }).click();
    const problem = visitor.locator('.problem[data-code=RATE_LIMITED]');
    await waitForText(problem, /Too many failed log-ins for this account\. Try again in .+ You can try again in \d+ s\./);
    expect(await visitor.getByRole('button', { name: 'Log in' }).isDisabled()).toBe(true);
    await shot(visitor, 'rate-limited');
  });

  it('uploads an avatar with a preview and a progress bar, and shows it on the profile', async () => {
    await ada.goto(`${base}/settings/profile`);
    const avatar = ada.getByRole('group', { name: 'Avatar' });
    const picture = await sharp({ create: { width: 600, height: 600, channels: 3, background: { r: 30, g: 110, b: 200 } } }).png().toBuffer();
    await avatar.getByLabel(/Choose a picture/).setInputFiles({ name: 'me.png', mimeType: 'image/png', buffer: picture });
    await avatar.getByRole('img', { name: 'Preview of your new avatar' }).waitFor();
    // The storage's answer held back a moment, long enough to see the progress bar.
    await ada.route((url) => url.pathname === '/media', async (route) => {
      await new Promise((resolve) => setTimeout(resolve, 800));
      await route.continue();
    });
    await avatar.getByRole('button', { name: 'Upload avatar' }).click();
    await avatar.getByRole('progressbar').waitFor();
    await shot(ada, 'avatar-upload');
    await avatar.getByText('Your new avatar is saved.').waitFor();

    await ada.goto(`${base}/u/${adaHandle}`);
    const shown = ada.locator('.profile-head img.avatar');
    await shown.waitFor();
    expect(await shown.getAttribute('src')).toMatch(/\/media\//);
    // Once the picture has loaded: its width is the rendition's.
    const width = await shown.evaluate(async (image) => {
      const picture = image as unknown as { decode(): Promise<void>; naturalWidth: number };
      await picture.decode();
      return picture.naturalWidth;
    });
    expect(width).toBe(400);
    await shot(ada, 'profile');
  });

  it('reconnects after the gateway restarts, and catches up on what it missed', async () => {
    await bob.goto(`${base}/`);
    await waitForCount(tweets(bob), PAGE_SIZE);
    await waitForLive(bob);

    await stack.gateway.close();
    await waitForText(bob.locator('.connection'), /Connection lost\. Reconnecting/);
    await shot(bob, 'reconnecting');
    // Posted while the reader's gateway is down, through another one.
    const other = await stack.startGateway();
    await new GraphQLClient(other.url, carol.token).data(POST, { text: 'Posted while you were away' });

    await stack.startGateway(stack.port);
    await waitForText(bob.locator('.connection'), '');
    await waitForText(bob.getByTestId('new-tweets'), 'Show 1 new tweet');
    await bob.getByTestId('new-tweets').click();
    await waitForText(tweets(bob).first().getByTestId('tweet-text'), 'Posted while you were away');

    // And live again: the next tweet arrives over the new connection.
    await waitForLive(bob);
    await carol.client.data(POST, { text: 'Back live' });
    await waitForText(bob.getByTestId('new-tweets'), 'Show 1 new tweet');
  });

  it('lets a visitor read a profile signed out, with the way in', async () => {
    const visitor = await newPerson();
    await visitor.goto(`${base}/u/carol`);
    await visitor.getByRole('heading', { name: /Carol Shaw/ }).waitFor();
    await waitForCount(tweets(visitor), PAGE_SIZE);
    expect(await visitor.getByRole('button', { name: /Follow/ }).count()).toBe(0);
    expect(await visitor.getByTestId('like').count()).toBe(0);
    await visitor.getByRole('link', { name: 'Sign up' }).waitFor();
  });

  it('passes axe-core on every main screen, light and dark, and posts by keyboard alone', async () => {
    const bobAccount = await accountOf(bob);
    const session = JSON.stringify({ token: bobAccount.token, userId: bobAccount.id, handle: bobHandle });
    for (const colorScheme of ['light', 'dark'] as const) {
      // axe runs as a script of the page, which the page's CSP would refuse.
      const page = await newPerson({ width: 1100, height: 900 }, { bypassCSP: true, colorScheme });
      await page.goto(`${base}/signup`);
      await page.getByRole('heading', { name: 'Join Chirp' }).waitFor();
      expect({ colorScheme, screen: 'sign-up', violations: await axeViolations(page) }).toEqual({ colorScheme, screen: 'sign-up', violations: [] });
      await page.evaluate((value) => localStorage.setItem('chirp.session', value), session);
      const screens: Array<[string, string, string]> = [
        ['home', '/', 'Home'],
        ['profile', `/u/${adaHandle}`, 'Ada Lovelace'],
        ['followers', `/u/${adaHandle}/followers`, 'Ada Lovelace'],
        ['notifications', '/notifications', 'Notifications'],
        ['edit profile', '/settings/profile', 'Edit profile'],
      ];
      for (const [screen, path, heading] of screens) {
        await page.goto(`${base}${path}`);
        await page.getByRole('heading', { name: heading }).first().waitFor();
        await page.waitForLoadState('networkidle');
        expect({ colorScheme, screen, violations: await axeViolations(page) }).toEqual({ colorScheme, screen, violations: [] });
      }
    }

    // Keyboard only: from the skip link to the composer, then the Post button.
    await bob.goto(`${base}/`);
    await bob.getByRole('heading', { name: 'Home' }).waitFor();
    await bob.keyboard.press('Tab');
    expect(await bob.evaluate(() => document.activeElement?.textContent)).toBe('Skip to content');
    const composer = bob.getByLabel("What's happening?");
    for (let step = 0; step < 15 && !(await composer.evaluate((element) => element === document.activeElement)); step += 1) await bob.keyboard.press('Tab');
    await bob.keyboard.type('Typed without a mouse');
    // The Post button takes focus once the counter's rules have loaded (it is disabled until then).
    await bob.getByRole('button', { name: 'Post' }).and(bob.locator(':enabled')).waitFor();
    await bob.keyboard.press('Tab');
    await bob.keyboard.press('Enter');
    await tweets(bob).filter({ hasText: 'Typed without a mouse' }).waitFor();
  });

  it('fits a phone-sized screen', async () => {
    const phone = await newPerson({ width: 390, height: 844 });
    const bobAccount = await accountOf(bob);
    await phone.addInitScript((session) => localStorage.setItem('chirp.session', session), JSON.stringify({ token: bobAccount.token, userId: bobAccount.id, handle: bobHandle }));
    await phone.goto(`${base}/`);
    await waitForCount(tweets(phone), PAGE_SIZE);
    // Nothing wider than the screen: no sideways scrolling.
    expect(await phone.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await shot(phone, 'phone-home');
  });
});

// ---- helpers

async function newPerson(viewport = { width: 1100, height: 900 }, options: BrowserContextOptions = {}): Promise<Page> {
  const context = await browser.newContext({ viewport, ...(viewport.width < 500 ? { deviceScaleFactor: 2, isMobile: true, hasTouch: true } : {}), ...options });
  guards.push(await loopbackOnly(context));
  contexts.push(context);
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  return page;
}

async function fillSignUp(page: Page, person: { handle: string; firstName: string; lastName: string }): Promise<void> {
  await page.goto(`${base}/signup`);
  await page.getByLabel('First name').fill(person.firstName);
  await page.getByLabel('Last name').fill(person.lastName);
  await page.getByLabel('Handle').fill(person.handle);
  await page.getByLabel('Email').fill(`${person.handle}-${Date.now()}@example.com`);
  await page.getByLabel('Password').fill('correct horse battery');
}

async function signUp(page: Page, person: { handle: string; firstName: string; lastName: string }): Promise<void> {
  await fillSignUp(page, person);
  await page.getByRole('button', { name: 'Sign up' }).click();
}

/** The signed-in person of a page, for what the test does through the API on their behalf. */
async function accountOf(page: Page): Promise<{ id: string; token: string; client: GraphQLClient }> {
  const session = JSON.parse((await page.evaluate(() => localStorage.getItem('chirp.session'))) ?? 'null') as { token: string; userId: string } | null;
  if (!session) throw new Error('not signed in');
  return { id: session.userId, token: session.token, client: new GraphQLClient(stack.url, session.token) };
}

function tweets(page: Page) {
  return page.locator('article[data-testid=tweet]');
}

/** The live connection is up: what is posted from now on reaches this page. */
async function waitForLive(page: Page): Promise<void> {
  await page.locator('.connection[data-state=connected]').waitFor({ state: 'attached' });
}

async function waitForText(locator: ReturnType<Page['locator']>, expected: string | RegExp): Promise<void> {
  const deadline = Date.now() + 15_000;
  let last: string | null = null;
  while (Date.now() < deadline) {
    last = (await locator.count()) > 0 ? ((await locator.first().textContent()) ?? '').trim() : null;
    if (last !== null && (typeof expected === 'string' ? last === expected : expected.test(last))) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`expected ${String(expected)}, still ${JSON.stringify(last)}`);
}

async function waitForCount(locator: ReturnType<Page['locator']>, count: number): Promise<void> {
  const deadline = Date.now() + 15_000;
  while ((await locator.count()) < count) {
    if (Date.now() > deadline) throw new Error(`expected ${count}, have ${await locator.count()}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * axe-core's WCAG 2.1 A and AA rules (labels, names, contrast, landmarks...)
 * on the page as it is: each violation as its rule and the elements it found.
 */
async function axeViolations(page: Page): Promise<Array<{ rule: string; impact: string | null; targets: string[] }>> {
  await page.addScriptTag({ content: AXE });
  return page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(options: object): Promise<{ violations: Array<{ id: string; impact: string | null; nodes: Array<{ target: string[] }> }> }> } }).axe;
    const { violations } = await axe.run({ runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } });
    return violations.map((violation) => ({ rule: violation.id, impact: violation.impact, targets: violation.nodes.map((node) => node.target.join(' ')) }));
  });
}

async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`) });
}


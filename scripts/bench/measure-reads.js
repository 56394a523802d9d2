// Read path: the home timeline through the gateway (the card-only query,
// and the README's Home query on pages 1 and 5) and the card page from the
// bare handler, at fixed concurrency and at fixed arrival rates.

import { closedLoop, openLoop } from './load.js';
import { HOME_QUERY, bareHome, fetchPage, gatewayHome, homePage } from './requests.js';
import { round } from './stats.js';

/** @typedef {import('./requests.js').Viewer} Viewer */
/** @typedef {() => Promise<object>} Probe  runtime figures of the processes since its last call */

/**
 * Runs `run` between two probes and attaches what the processes went through.
 *
 * @template {object} T
 * @param {Probe} probe
 * @param {() => Promise<T>} run
 * @returns {Promise<T & { runtime: object }>}
 */
async function probed(probe, run) {
  await probe();
  const result = await run();
  return { ...result, runtime: await probe() };
}

/**
 * Same viewer, both paths: do they show the same page? (Right after the
 * load they must: nothing has been posted yet.)
 *
 * @param {string} gatewayUrl @param {string} bareUrl @param {Viewer[]} viewers
 */
export async function samePages(gatewayUrl, bareUrl, viewers) {
  let same = 0;
  let edges = 0;
  for (const viewer of viewers) {
    const [viaGateway, bare] = await Promise.all([fetchPage(gatewayHome(gatewayUrl, [viewer])), fetchPage(bareHome(bareUrl, [viewer]))]);
    edges += viaGateway.length;
    if (JSON.stringify(viaGateway) === JSON.stringify(bare)) same += 1;
  }
  return { checked: viewers.length, identical: same, meanEdges: round(edges / Math.max(viewers.length, 1), 1) };
}

/**
 * Each viewer with the cursor of page `page` of the Home query, found as a
 * client finds it: reading pages 1 to page - 1 and following each
 * endCursor. Viewers whose timeline ends sooner are left out.
 *
 * @param {string} gatewayUrl @param {Viewer[]} viewers @param {number} page @param {number} concurrency
 */
export async function cursorsForPage(gatewayUrl, viewers, page, concurrency) {
  /** The viewer's cursor for the page, or null when the timeline ends before it. @param {Viewer} viewer */
  const cursorOf = async (viewer) => {
    /** @type {string | undefined} */
    let after;
    for (let n = 1; n < page; n += 1) {
      const read = await homePage(gatewayUrl, viewer, after);
      if (!read.hasNextPage || !read.endCursor) return null;
      after = read.endCursor;
    }
    return after ?? null;
  };
  /** @type {Viewer[]} */
  const found = [];
  let next = 0;
  const walk = async () => {
    while (next < viewers.length) {
      const viewer = viewers[next++];
      const after = await cursorOf(viewer);
      if (after) found.push({ ...viewer, after });
    }
  };
  await Promise.all(Array.from({ length: concurrency }, walk));
  return found;
}

/** The open loops: the Home query at a fixed rate and at a share of its throughput, the card-only query at that share of its own. */
const OPEN_RUNS = [
  { query: 'home', rate: 'fixed' },
  { query: 'home', rate: 'share' },
  { query: 'card', rate: 'share' },
];

/**
 * The read path at fixed concurrency (closed loop), after a warm-up: the
 * card-only query and the bare handler serving the same page, then the
 * README's Home query (likes included) on page 1 and on page 5; then the
 * Home query at fixed arrival rates (open loop), and the card-only query at
 * the same share of its throughput.
 *
 * @param {{ gatewayUrl: string, bareUrl: string, viewers: Viewer[], connections: number, seconds: number,
 *   openRate: number, rateShare: number, probe: Probe, log: (line: string) => void }} options
 *   openRate: the fixed arrival rate (pages/s); rateShare: the other rate, as a share of the query's closed-loop throughput
 */
export async function measureReads({ gatewayUrl, bareUrl, viewers, connections, seconds, openRate, rateShare, probe, log }) {
  const card = gatewayHome(gatewayUrl, viewers);
  const home = gatewayHome(gatewayUrl, viewers, HOME_QUERY);
  const bare = bareHome(bareUrl, viewers);
  // One read per viewer first: the gateway checks a viewer's session with the users subgraph (and so FerretDB) the
  // first time it sees the viewer, which a timed warm-up may not reach for all of them before the measured runs.
  log('warming up the three reads');
  await closedLoop({ ...card, connections, seconds, amount: viewers.length });
  for (const target of [card, home, bare]) await closedLoop({ ...target, connections, seconds: Math.min(3, seconds) });

  log(`closed loop, ${connections} connections, ${seconds}s each`);
  const closed = async (/** @type {string} */ name, /** @type {ReturnType<typeof gatewayHome>} */ target) => {
    const run = await probed(probe, () => closedLoop({ ...target, connections, seconds }));
    log(`  ${name}: ${run.throughput} req/s, p99 ${run.latency.p99} ms`);
    return run;
  };
  const cardClosed = await closed('card-only query', card);
  const bareClosed = await closed('bare handler   ', bare);
  const homeClosed = await closed('Home, page 1   ', home);

  // Page 5: four endCursors per viewer first (they double as the page's warm-up), then page 5 again and again.
  const walkStarted = Date.now();
  const paged = await cursorsForPage(gatewayUrl, viewers, 5, connections);
  const walkSeconds = round((Date.now() - walkStarted) / 1000, 1);
  log(`  ${paged.length} of ${viewers.length} viewers have a page 5 (cursors in ${walkSeconds}s)`);
  const page5 = paged.length > 0 ? await closed('Home, page 5   ', gatewayHome(gatewayUrl, paged, HOME_QUERY)) : null;

  const targets = { home: { target: home, closed: homeClosed }, card: { target: card, closed: cardClosed } };
  const open = [];
  for (const { query, rate: kind } of OPEN_RUNS) {
    const { target, closed: max } = targets[/** @type {'home' | 'card'} */ (query)];
    const rate = kind === 'fixed' ? openRate : Math.max(1, Math.round(max.throughput * rateShare));
    const share = kind === 'fixed' ? null : rateShare;
    log(`open loop, ${query === 'home' ? 'Home' : 'card-only'} at ${rate} req/s (${share === null ? 'fixed' : `${Math.round(share * 100)}% of its throughput`}), ${seconds}s`);
    const run = await probed(probe, () => openLoop({ ...target, rate, seconds }));
    log(`  p50 ${run.latency.p50} ms, p99 ${run.latency.p99} ms`);
    open.push({ query, share, rate, gateway: run });
  }
  return {
    closed: { gateway: cardClosed, bare: bareClosed, throughputRatio: round(cardClosed.throughput / bareClosed.throughput, 3) },
    home: { closed: homeClosed, page5: page5 && { ...page5, viewers: paged.length, cursorSeconds: walkSeconds } },
    open,
  };
}

/**
 * Read latency at a fixed rate with and without an author posting once a
 * second meanwhile (the posts go through the gateway like any client's).
 *
 * @param {{ gatewayUrl: string, viewers: Viewer[], rate: number, seconds: number,
 *   posters: Array<{ label: string, short: string, post: (n: number) => Promise<unknown> }>, probe: Probe,
 *   log: (line: string) => void }} options
 */
export async function measureReadsDuringPosts({ gatewayUrl, viewers, rate, seconds, posters, probe, log }) {
  const gateway = gatewayHome(gatewayUrl, viewers);
  // A short run first, so the baseline is not the first load after a quiet spell.
  await openLoop({ ...gateway, rate, seconds: Math.min(3, seconds) });
  const runs = [];
  // The baseline runs first and again last: a difference between the two is noise to weigh the others against.
  const baseline = { label: 'no posts', short: 'no posts', post: null };
  for (const poster of [baseline, ...posters, { ...baseline, label: 'no posts (again, after the others)', short: 'no posts, again' }]) {
    let posts = 0;
    let failures = 0;
    let stop = false;
    const posting = (async () => {
      if (!poster.post) return;
      for (let n = 0; !stop && n < seconds + 1; n += 1) {
        const started = Date.now();
        try {
          await poster.post(n);
          posts += 1;
        } catch {
          failures += 1; // e.g. a postTweet that timed out: counted, the reads go on
        }
        await new Promise((resolve) => setTimeout(resolve, Math.max(0, 1000 - (Date.now() - started))));
      }
    })();
    const reads = await probed(probe, () => openLoop({ ...gateway, rate, seconds }));
    stop = true;
    await posting;
    log(`  reads at ${rate} req/s, ${poster.label}: p99 ${reads.latency.p99} ms (${posts} posts${failures ? `, ${failures} failed` : ''})`);
    runs.push({ label: poster.label, short: poster.short, posts, failedPosts: failures, reads });
  }
  // Against the mean of the two baselines.
  const base = (runs[0].reads.latency.p99 + runs[runs.length - 1].reads.latency.p99) / 2;
  return runs.map((run) => ({ ...run, p99Ratio: round(run.reads.latency.p99 / base, 3) }));
}

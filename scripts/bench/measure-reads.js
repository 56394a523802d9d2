// Read path: the first page of the home timeline through the gateway and
// from the bare handler, at fixed concurrency and at a fixed arrival rate.

import { closedLoop, openLoop } from './load.js';
import { bareHome, fetchPage, gatewayHome } from './requests.js';
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
 * Both paths at fixed concurrency, after a warm-up, then the gateway (and
 * the bare handler, for comparison) at fixed arrival rates below its
 * throughput.
 *
 * @param {{ gatewayUrl: string, bareUrl: string, viewers: Viewer[], connections: number, seconds: number,
 *   rateShares: number[], probe: Probe, log: (line: string) => void }} options
 */
export async function measureReads({ gatewayUrl, bareUrl, viewers, connections, seconds, rateShares, probe, log }) {
  const gateway = gatewayHome(gatewayUrl, viewers);
  const bare = bareHome(bareUrl, viewers);
  log('warming up both paths');
  await closedLoop({ ...gateway, connections, seconds: Math.min(5, seconds) });
  await closedLoop({ ...bare, connections, seconds: Math.min(3, seconds) });

  log(`closed loop, ${connections} connections, ${seconds}s each`);
  const gatewayClosed = await probed(probe, () => closedLoop({ ...gateway, connections, seconds }));
  log(`  gateway: ${gatewayClosed.throughput} req/s, p99 ${gatewayClosed.latency.p99} ms`);
  const bareClosed = await probed(probe, () => closedLoop({ ...bare, connections, seconds }));
  log(`  bare:    ${bareClosed.throughput} req/s, p99 ${bareClosed.latency.p99} ms`);

  const openRuns = [];
  for (const share of rateShares) {
    const rate = Math.max(1, Math.round(gatewayClosed.throughput * share));
    log(`open loop at ${rate} req/s (${Math.round(share * 100)}% of the gateway's throughput), ${seconds}s each`);
    const viaGateway = await probed(probe, () => openLoop({ ...gateway, rate, seconds }));
    const viaBare = await probed(probe, () => openLoop({ ...bare, rate, seconds }));
    log(`  gateway p99 ${viaGateway.latency.p99} ms · bare p99 ${viaBare.latency.p99} ms`);
    openRuns.push({ share, rate, gateway: viaGateway, bare: viaBare });
  }
  return {
    closed: { gateway: gatewayClosed, bare: bareClosed, throughputRatio: round(gatewayClosed.throughput / bareClosed.throughput, 3) },
    open: openRuns,
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

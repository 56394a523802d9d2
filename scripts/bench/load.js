// The two load drivers. Both send what `makeRequest` builds (a new viewer
// each time) and check each answer with `isGood`.
//   closedLoop: autocannon, N connections each sending its next request as
//     soon as the answer arrives: the most the server can do.
//   openLoop: requests on a fixed schedule whatever the answers, latency
//     counted from when each was due (no coordinated omission): what a user
//     sees at that arrival rate.

import http from 'node:http';
import autocannon from 'autocannon';
import { round, sleep, summarize } from './stats.js';

const MAX_SAMPLES = 2_000_000;
const REQUEST_TIMEOUT_MS = 10_000;

/**
 * @typedef {object} RequestSpec
 * @property {string} method
 * @property {string} path
 * @property {Record<string, string>} headers
 * @property {string} [body]
 */

/**
 * @param {{ url: string, connections: number, seconds: number, amount?: number, makeRequest: () => RequestSpec,
 *   isGood: (status: number, body: string) => boolean, samples?: number[] }} options
 *   amount: stop after this many requests instead of after `seconds`; samples: where the latencies go (another
 *   run's too: closedLoopSpread)
 */
export async function closedLoop({ url, connections, seconds, amount, makeRequest, isGood, samples }) {
  /** @type {number[]} */
  const latencies = samples ?? [];
  let bad = 0;
  const instance = autocannon({
    url,
    connections,
    ...(amount ? { amount } : { duration: seconds }),
    timeout: REQUEST_TIMEOUT_MS / 1000,
    requests: [{
      setupRequest: (request) => ({ ...request, ...makeRequest() }),
      onResponse: (status, body) => {
        if (!isGood(status, String(body))) bad += 1;
      },
    }],
  });
  instance.on('response', (_client, _status, _bytes, responseTime) => {
    if (latencies.length < MAX_SAMPLES) latencies.push(responseTime);
  });
  const result = await instance;
  return {
    connections,
    seconds,
    requests: result.requests.total,
    throughput: round(result.requests.total / result.duration, 1),
    errors: result.errors + result.timeouts + result.non2xx + bad,
    latency: summarize(latencies),
  };
}

/**
 * One closed loop over several copies of a service at once: the connections
 * spread evenly over the targets (one autocannon instance each, side by
 * side), as a load balancer in front of them would spread clients. The
 * figures are the sums (requests, throughput, errors), the latencies of all
 * of them together, and each target's throughput.
 *
 * @param {{ targets: Array<{ url: string, makeRequest: () => RequestSpec, isGood: (status: number, body: string) => boolean }>,
 *   connections: number, seconds: number }} options
 */
export async function closedLoopSpread({ targets, connections, seconds }) {
  /** @type {number[]} */
  const samples = [];
  const share = (/** @type {number} */ i) => Math.floor(connections / targets.length) + (i < connections % targets.length ? 1 : 0);
  const runs = await Promise.all(targets.map((target, i) => closedLoop({ ...target, connections: share(i), seconds, samples })));
  return {
    connections,
    seconds,
    requests: runs.reduce((sum, run) => sum + run.requests, 0),
    throughput: round(runs.reduce((sum, run) => sum + run.throughput, 0), 1),
    errors: runs.reduce((sum, run) => sum + run.errors, 0),
    latency: summarize(samples),
    byTarget: runs.map((run) => ({ connections: run.connections, throughput: run.throughput })),
  };
}

/**
 * @param {{ url: string, rate: number, seconds: number, makeRequest: () => RequestSpec,
 *   isGood: (status: number, body: string) => boolean }} options
 */
export async function openLoop({ url, rate, seconds, makeRequest, isGood }) {
  const target = new URL(url);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
  const total = Math.floor(rate * seconds);
  /** @type {number[]} */
  const latencies = [];
  let errors = 0;
  let sent = 0;
  const inFlight = new Set();
  const started = performance.now();
  // Fire whatever is due, then yield; each request's latency runs from its due time.
  while (sent < total) {
    const due = Math.min(total, Math.floor(((performance.now() - started) * rate) / 1000) + 1);
    for (; sent < due; sent += 1) {
      const dueAt = started + (sent * 1000) / rate;
      const done = send(agent, target, makeRequest()).then(({ status, body }) => {
        latencies.push(performance.now() - dueAt);
        if (!isGood(status, body)) errors += 1;
      }, () => { errors += 1; latencies.push(performance.now() - dueAt); });
      inFlight.add(done);
      done.finally(() => inFlight.delete(done));
    }
    await sleep(1);
  }
  await Promise.all(inFlight);
  const elapsed = (performance.now() - started) / 1000;
  agent.destroy();
  return { rate, seconds, requests: total, achievedRate: round(total / elapsed, 1), errors, latency: summarize(latencies) };
}

/**
 * @param {http.Agent} agent
 * @param {URL} target
 * @param {RequestSpec} spec
 * @returns {Promise<{ status: number, body: string }>}
 */
function send(agent, target, spec) {
  return new Promise((resolve, reject) => {
    const req = http.request({ agent, host: target.hostname, port: target.port, method: spec.method, path: spec.path,
      headers: spec.headers, timeout: REQUEST_TIMEOUT_MS }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => { body += chunk; });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end(spec.body);
  });
}

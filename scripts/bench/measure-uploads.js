// Uploads (avatars and banners): what processing one costs, and whether it
// holds up the other requests of the process that does it.
//
//   1. In the bench's process, the users subgraph's own SharpImageProcessor
//      (the built module) on a 12-megapixel JPEG (4000×3000, 4 MB, as a phone
//      photo) made into a banner (1500×500 and 600×200) and on a small PNG
//      (400×400) made into an avatar (48, 96 and 400 px): `inspect` then
//      `render`, one at a time, for p50 and p99; then `inFlight` at a time
//      for a few seconds, for uploads per second and per CPU-second of the
//      process (libvips works in libuv's thread pool).
//   2. Through the stack: reads the users process answers (`me`, through the
//      gateway) at a fixed rate, first alone, then while `uploaders` users
//      each upload 12 MP banners one after another as a client does
//      (createMediaUpload, the form POSTed to the gateway's /media, then
//      setBanner). The reads' p99 with uploads over the p99 without is the
//      figure: processing must not block the event loop.

import sharp from 'sharp';
// Not exported by @chirp/users: the built module, by path.
import { SharpImageProcessor } from '../../subgraphs/users/dist/media/sharp-images.js';
import { openLoop } from './load.js';
import { round, summarize } from './stats.js';

/** @typedef {{ id: string, token: string }} Viewer */

const BANNER_SIZES = [{ width: 600, height: 200 }, { width: 1500, height: 500 }];
const AVATAR_SIZES = [{ width: 48, height: 48 }, { width: 96, height: 96 }, { width: 400, height: 400 }];
const ME_QUERY = '{ me { handle displayName } }';

/** A 12-megapixel photo-like JPEG (noise compresses as poorly as a photo: about 4 MB) and a small PNG. */
async function pictures() {
  const photo = await sharp({ create: { width: 4000, height: 3000, channels: 3, background: { r: 90, g: 140, b: 200 }, noise: { type: 'gaussian', mean: 128, sigma: 12 } } })
    .jpeg({ quality: 90 })
    .toBuffer();
  const small = await sharp({ create: { width: 400, height: 400, channels: 3, background: { r: 200, g: 120, b: 40 } } }).png().toBuffer();
  return { photo, small };
}

/**
 * @param {SharpImageProcessor} images @param {Buffer} bytes @param {Array<{ width: number, height: number }>} sizes
 * @param {number} runs @param {number} inFlight @param {number} seconds
 */
async function processing(images, bytes, sizes, runs, inFlight, seconds) {
  const one = async () => {
    const started = performance.now();
    await images.inspect(bytes);
    await images.render(bytes, sizes);
    return performance.now() - started;
  };
  await one(); // warm-up: libvips loads its codecs
  const times = [];
  for (let i = 0; i < runs; i += 1) times.push(await one());
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  let done = 0;
  await Promise.all(Array.from({ length: inFlight }, async () => {
    while (performance.now() - started < seconds * 1000) {
      await one();
      done += 1;
    }
  }));
  const elapsed = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  return {
    bytes: bytes.length,
    ms: summarize(times),
    inFlight,
    perSecond: round(done / elapsed, 1),
    cpuMsPerUpload: round((cpuSeconds * 1000) / Math.max(done, 1), 1),
    perCoreSecond: round(done / Math.max(cpuSeconds, 0.001), 1),
  };
}

/**
 * One upload as a client makes it: the form, the file posted to the gateway's /media, then setBanner.
 * @param {string} gatewayUrl @param {Viewer} viewer @param {Buffer} bytes
 */
async function uploadBanner(gatewayUrl, viewer, bytes) {
  const graphql = async (/** @type {string} */ query, /** @type {object} */ variables) => {
    const response = await fetch(gatewayUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${viewer.token}` },
      body: JSON.stringify({ query, variables }),
    });
    const answer = /** @type {any} */ (await response.json());
    if (answer.errors) throw new Error(JSON.stringify(answer.errors).slice(0, 300));
    return answer.data;
  };
  const { createMediaUpload: form } = await graphql(
    'mutation ($size: Int!) { createMediaUpload(kind: BANNER, contentType: "image/jpeg", byteSize: $size) { id url fields { name value } } }',
    { size: bytes.length },
  );
  const body = new FormData();
  for (const field of form.fields) body.append(field.name, field.value);
  body.append('file', new Blob([bytes], { type: 'image/jpeg' }), 'photo.jpg');
  // The form names the public origin (MEDIA_BASE_URL); the bench posts to the gateway it started.
  const posted = await fetch(new URL(new URL(form.url).pathname, gatewayUrl), { method: 'POST', body });
  if (posted.status >= 300) throw new Error(`upload refused: ${posted.status} ${await posted.text()}`);
  await graphql('mutation ($id: ID!) { setBanner(uploadId: $id) { id } }', { id: form.id });
}

/**
 * @param {{ gatewayUrl: string, readers: Viewer[], uploaders: Viewer[], rate: number, seconds: number,
 *   probe: () => Promise<{ processes: Record<string, any> }>, log: (line: string) => void }} options
 *   probe: each stack process's runtime figures (event-loop delay, GC) since its last call
 */
export async function measureUploads({ gatewayUrl, readers, uploaders, rate, seconds, probe, log }) {
  const images = new SharpImageProcessor();
  const { photo, small } = await pictures();
  const banner = await processing(images, photo, BANNER_SIZES, 10, 4, 8);
  log(`  12 MP JPEG (${round(photo.length / 1e6, 1)} MB) to a banner: p50 ${banner.ms.p50} / p99 ${banner.ms.p99} ms; ${banner.perSecond}/s with 4 in flight, ${banner.perCoreSecond} per CPU-second`);
  const avatar = await processing(images, small, AVATAR_SIZES, 50, 4, 4);
  log(`  400×400 PNG to an avatar: p50 ${avatar.ms.p50} / p99 ${avatar.ms.p99} ms; ${avatar.perSecond}/s with 4 in flight, ${avatar.perCoreSecond} per CPU-second`);

  const path = new URL(gatewayUrl).pathname;
  const requests = readers.map((viewer) => ({
    method: 'POST', path, body: JSON.stringify({ query: ME_QUERY }),
    headers: { 'content-type': 'application/json', authorization: `Bearer ${viewer.token}` },
  }));
  let next = 0;
  const reads = () => openLoop({
    url: gatewayUrl, rate, seconds,
    makeRequest: () => requests[next++ % requests.length],
    isGood: (status, body) => status === 200 && body.includes('"me"') && !body.includes('"errors"'),
  });
  await reads(); // warm-up: the session checks and the users' cache
  await probe();
  const alone = { reads: await reads(), stalls: (await probe()).processes };
  // Paced: one 12 MP banner a second (a busy hour of a large site, in one process); then back to back, two at a time.
  const paced = await readsWhileUploading({ gatewayUrl, uploaders: uploaders.slice(0, 1), photo, everyMs: 1000, reads, probe });
  const flat = await readsWhileUploading({ gatewayUrl, uploaders, photo, everyMs: 0, reads, probe });
  const stallsAlone = stall(alone.stalls);
  const ratio = (/** @type {any} */ run) => round(run.reads.latency.p99 / Math.max(alone.reads.latency.p99, 0.001), 2);
  for (const [name, run] of /** @type {const} */ ([['1 upload a second', paced], [`${uploaders.length} uploading back to back`, flat]])) {
    log(`  reads of the users process at ${rate}/s: p99 ${alone.reads.latency.p99} ms alone, ${run.reads.latency.p99} ms with ${name} (${ratio(run)}×; ${run.uploads.count} uploads, p50 ${run.uploads.ms.p50} ms each${run.uploads.failed ? `, ${run.uploads.failed} failed: ${run.uploads.errors[0]}` : ''}); event loops ${JSON.stringify(run.stalls)} (alone ${JSON.stringify(stallsAlone)})`);
  }
  return {
    banner, avatar, rate, seconds, query: ME_QUERY,
    alone: { reads: alone.reads, stalls: stallsAlone },
    paced: { ...paced, ratio: ratio(paced) },
    backToBack: { ...flat, ratio: ratio(flat) },
  };
}

/** The event-loop figures of the gateway and the users process, from a probe's answer. @param {Record<string, any>} stalls */
function stall(stalls) {
  return Object.fromEntries(['gateway', 'users'].filter((name) => stalls[name]).map((name) => [name, {
    loopDelayMaxMs: stalls[name].loopDelayMs?.max, gcMaxMs: stalls[name].gc?.maxMs, cpuShare: stalls[name].cpuShare }]));
}

/**
 * One read run while uploaders upload: each starts an upload every `everyMs` (0: as soon as the last is done).
 * @param {{ gatewayUrl: string, uploaders: Viewer[], photo: Buffer, everyMs: number, reads: () => Promise<any>,
 *   probe: () => Promise<{ processes: Record<string, any> }> }} options
 */
async function readsWhileUploading({ gatewayUrl, uploaders, photo, everyMs, reads, probe }) {
  let stop = false;
  /** @type {number[]} */
  const uploadMs = [];
  /** @type {string[]} */
  const failures = [];
  await probe();
  const uploading = Promise.all(uploaders.map(async (viewer) => {
    while (!stop && failures.length <= 20) {
      const started = performance.now();
      try {
        await uploadBanner(gatewayUrl, viewer, photo);
        uploadMs.push(performance.now() - started);
      } catch (error) {
        failures.push(error instanceof Error ? error.message : String(error));
      }
      const wait = everyMs - (performance.now() - started);
      if (wait > 0 && !stop) await new Promise((resolve) => setTimeout(resolve, wait));
    }
  }));
  const readRun = await reads();
  const stalls = stall((await probe()).processes);
  stop = true;
  await uploading;
  return { reads: readRun, stalls, uploads: { uploaders: uploaders.length, everyMs, count: uploadMs.length, ms: summarize(uploadMs), failed: failures.length, errors: failures.slice(0, 3) } };
}

// The web step's section of the report (measure-web.js, web-bundle.js): the
// client's bundle, and loads of its home page in Chromium.

/** @typedef {Record<string, any>} Result */
/** @typedef {(r: Result, key: string, value: number | undefined, format: (v: number) => string) => string} Beside */

const kB = (/** @type {number} */ bytes) => `${(bytes / 1024).toFixed(1)} kB`;
const msText = (/** @type {number | undefined} */ v) => (typeof v === 'number' ? `${v} ms` : 'n/a');

/** The loads the step makes, in the report's order: [key in result.web.navigation, kind, title]. */
const LOAD_ROWS = [
  ['desktop', 'cold', 'desktop, cold (new context)'],
  ['desktop', 'warm', 'desktop, warm (second navigation, same context)'],
  ['phone', 'cold', 'phone, cold (new context)'],
];

/** The columns of the loads table: [figure, title, format]. */
const LOAD_COLUMNS = /** @type {Array<[string, string, (v: number) => string]>} */ ([
  ['firstContentfulPaintMs', 'first contentful paint', (v) => `${v}`],
  ['responseStartMs', 'responseStart', (v) => `${v}`],
  ['domContentLoadedMs', 'DOMContentLoaded end', (v) => `${v}`],
  ['loadMs', 'load end', (v) => `${v}`],
  ['transferBytes', 'bytes over the wire before the paint', (v) => kB(v)],
]);

/** A total's brotli size as built, when every one of its files has a .br copy. @param {any} t */
const brTotal = (t) => (t.files > 0 && t.brFiles === t.files ? kB(t.brBytes) : t.brFiles > 0 ? `${kB(t.brBytes)} (${t.brFiles} of ${t.files} files)` : '—');

/** @param {any} bundle */
function bundleRows(bundle) {
  const total = (/** @type {string} */ title, /** @type {any} */ t) => `| ${title} | ${t.files} | ${kB(t.bytes)} | **${kB(t.gzipBytes)}** | ${brTotal(t)} |`;
  return [
    '| Files | Count | Bytes | gzip -9 | br, as built |',
    '|---|---|---|---|---|',
    total('first load: index.html and what it references (entry script, stylesheets, modulepreloads)', bundle.totals.initial),
    total('· of which JavaScript', bundle.totals.initialJs),
    total('on demand: JS and CSS chunks index.html does not reference (dynamic imports)', bundle.totals.lazy),
    total('all JavaScript', bundle.totals.js),
    total('all CSS', bundle.totals.css),
    total('source maps (beside the code; only developer tools fetch them)', bundle.totals.maps),
    total('every file', bundle.totals.all),
    '',
    ...(bundle.precompressed?.files ? [`Besides these, the build wrote ${bundle.precompressed.files} precompressed copies (\`.br\`, \`.gz\`: ${kB(bundle.precompressed.bytes)}), which the gateway sends instead of a file to browsers that accept them: the "br, as built" column.`, ''] : []),
  ];
}

/** Every file but the source maps, first-load files first, biggest first. @param {any} bundle */
function fileRows(bundle) {
  const files = bundle.files.filter((/** @type {any} */ f) => f.kind !== 'map')
    .sort((/** @type {any} */ a, /** @type {any} */ b) => Number(b.initial) - Number(a.initial) || b.gzipBytes - a.gzipBytes);
  return [
    '| File | Kind | First load | Bytes | gzip -9 | br, as built |',
    '|---|---|---|---|---|---|',
    ...files.map((/** @type {any} */ f) => `| \`${f.path}\` | ${f.kind} | ${f.initial ? 'yes' : 'on demand'} | ${kB(f.bytes)} | ${kB(f.gzipBytes)} | ${typeof f.brBytes === 'number' ? kB(f.brBytes) : '—'} |`),
    '',
  ];
}

/** @param {Result} r @param {Beside} beside */
function loadRows(r, beside) {
  const n = r.web.navigation;
  const pair = (/** @type {any} */ f, /** @type {(v: number) => string} */ format) => (f ? `${format(f.p50)} / ${format(f.p90)}` : 'n/a');
  return [
    `| Load | Runs | **timeline painted** p50 / p90 (ms) | ${LOAD_COLUMNS.map(([, title]) => `${title} p50 / p90${title.startsWith('bytes') ? '' : ' (ms)'}`).join(' | ')} | requests before the paint | tweets on screen |`,
    `|---|---|---|${LOAD_COLUMNS.map(() => '---').join('|')}|---|---|`,
    ...LOAD_ROWS.filter(([device, kind]) => n[device]?.[kind]).map(([device, kind, title]) => {
      const loads = n[device][kind];
      const f = loads.figures;
      const painted = f.paintedMs ? `**${beside(r, `web.${device}.${kind}.painted.p50`, f.paintedMs.p50, (v) => `${v}`)}** / ${f.paintedMs.p90}` : 'n/a';
      const tweets = f.tweets ? (f.tweets.min === f.tweets.max ? `${f.tweets.min}` : `${f.tweets.min}–${f.tweets.max}`) : 'n/a';
      return `| ${title} | ${loads.runs} | ${painted} | ${LOAD_COLUMNS.map(([key, , format]) => pair(f[key], format)).join(' | ')} | ${f.requests?.p50 ?? 'n/a'} | ${tweets} |`;
    }),
    '',
  ];
}

/** How the loads were made, and what to keep in mind reading them. @param {Result} r */
function method(r) {
  const n = r.web.navigation;
  const { desktop, phone } = n.devices;
  return `${n.chromium.version} (\`${n.chromium.path}\`, headless, software rendering, no network or CPU throttling), driven by playwright-core; every figure is the page's own (its performance timeline, in ms from the navigation's start), not a clock in the bench. The embedded default (${n.stack.description}; \`startStack\` in a process of its own, \`RATE_LIMITS=off\`) serves the build at \`${n.stack.baseUrl}/\`${n.served.sameAsBundle ? ' (the same index.html as measured above' : ' (**its index.html differs from the bundle measured above**'}; \`Cache-Control\` of \`/\`: ${n.served.cacheControl ? `\`${n.served.cacheControl}\`` : 'none'}). A reader follows ${n.seed.authors} authors who posted ${n.seed.posts} tweets between them; each load starts signed in (\`chirp.session\` written into localStorage before the page's scripts run) and ends when the client marks \`chirp:timeline-painted\`, once its first page of ${n.seed.pageSize} tweets is on screen (and the load event is over, so every figure is final). **Cold**: a new browser context each time (empty HTTP cache, no open connection); **warm**: a second navigation in the same context (what the cache headers let it keep). Desktop ${desktop.viewport.width}×${desktop.viewport.height}; phone ${phone.viewport.width}×${phone.viewport.height} at ${phone.deviceScaleFactor}× (\`isMobile\`, touch). Over loopback on a shared ${r.machine?.nproc ?? ''}-core box: no network latency or bandwidth is in these figures, only the server's answers and the browser's work (parsing, running and painting the client), so a real phone on a real network takes longer.`;
}

/** What a load fetched besides the document, repeats counted: "`/graphql` (fetch) ×2". @param {string[]} fetched */
function fetchedText(fetched) {
  const counts = new Map();
  for (const entry of fetched) counts.set(entry, (counts.get(entry) ?? 0) + 1);
  return [...counts].map(([entry, count]) => `\`${entry.replace(/ \(/, '` (')}${count > 1 ? ` ×${count}` : ''}`).join(', ');
}

/** What else the loads showed: what a load fetched, the first load, requests off loopback, page errors. @param {Result} r */
function notes(r) {
  const n = r.web.navigation;
  const first = n.firstLoad;
  return [
    `Before its timeline was painted, besides the page, a cold load fetched ${fetchedText(n.desktop.cold.fetched ?? [])}; a warm one ${fetchedText(n.desktop.warm?.fetched ?? [])}. Bytes over the wire and requests count the document and the requests started before the paint (headers included; nothing for what the HTTP cache served).`,
    `The first load after the stack started (not counted above: the browser's and the gateway's first work, such as its first query plans): timeline painted at ${msText(first?.paintedMs)}, first contentful paint ${msText(first?.firstContentfulPaintMs)}.`,
    `Requests off loopback: ${n.offLoopback.length === 0 ? 'none' : `**${n.offLoopback.length}** (${[...new Set(n.offLoopback)].slice(0, 5).map((u) => `\`${u}\``).join(', ')})`}. Errors thrown in the page: ${n.pageErrors.length === 0 ? 'none' : `**${n.pageErrors.length}** (${n.pageErrors.slice(0, 3).map((/** @type {string} */ e) => `\`${e.slice(0, 120)}\``).join('; ')})`}. The step took ${n.seconds} s.`,
  ];
}

/**
 * The web step's section: the bundle, then the loads (or why there are none).
 * @param {Result} r @param {Beside} beside
 */
export function webSection(r, beside) {
  const w = r.web;
  if (!w) return [];
  const b = w.bundle;
  const lines = [
    '## Web client',
    '',
    `### Bundle`,
    '',
    `\`${b.dir}\` (Vite's build, made ${b.builtAt}): every file's size as built and gzipped at level 9 (what a server compressing ahead of time sends). The first load is index.html and what it references directly (\`<script type="module" src>\`, \`<link rel="stylesheet">\`, \`<link rel="modulepreload">\`); the rest is fetched when a page needs it. First load gzipped: **${beside(r, 'web.bundle.initial.gzip', b.totals.initial.gzipBytes / 1024, (v) => `${v.toFixed(1)} kB`)}**.${b.missing.length ? ` **index.html references files the build does not hold**: ${b.missing.map((/** @type {string} */ p) => `\`${p}\``).join(', ')}.` : ''}${b.offSite.length ? ` It references other origins: ${b.offSite.map((/** @type {string} */ u) => `\`${u}\``).join(', ')}.` : ''}`,
    '',
    ...bundleRows(b),
    ...fileRows(b),
    '### From navigation to the first home timeline painted',
    '',
  ];
  if (!w.navigation || w.navigation.error) {
    return [...lines, `Not measured: ${w.navigation?.error ?? 'the step did not run'}.`, ''];
  }
  return [...lines, method(r), '', ...loadRows(r, beside), ...notes(r).flatMap((note) => [note, ''])];
}

/** The web step's parameters, for the report of the step alone. @param {Result} r */
export function webParameters(r) {
  return `${r.parameters.webRuns} cold loads per device (desktop, each followed by a warm one; phone), after one uncounted first load`;
}

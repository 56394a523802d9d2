// The web client's bundle as Vite builds it (web/dist): every file's raw and
// gzip bytes (zlib level 9, what a server compressing ahead of time sends),
// totals for JS and CSS, and the first load (index.html and what it
// references directly: the entry script, its stylesheets and its
// modulepreloads) against the chunks loaded later, on demand. Precompressed
// copies the build writes beside a file (`x.js.br`, `x.js.gz`: what the
// gateway sends browsers that accept them) are not counted as files of their
// own; a file's `.br` copy gives its `brBytes`.

import { existsSync } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { extname, join, relative, sep } from 'node:path';
import { gzipSync } from 'node:zlib';

/**
 * @typedef {{ path: string, kind: 'html' | 'js' | 'css' | 'map' | 'other', initial: boolean, bytes: number, gzipBytes: number,
 *   brBytes: number | null }} BundleFile  brBytes: its precompressed .br copy's, if the build wrote one
 */
/** @typedef {{ files: number, bytes: number, gzipBytes: number, brFiles: number, brBytes: number }} BundleTotal  brBytes: of the brFiles that have a .br copy */

/** The suffixes of precompressed copies, which sit beside the file they compress. */
const PRECOMPRESSED_SUFFIXES = ['.br', '.gz', '.zst'];

// Source maps (.map) sit beside the code but only developer tools fetch them.
const KINDS = /** @type {Record<string, BundleFile['kind']>} */ ({ '.html': 'html', '.js': 'js', '.mjs': 'js', '.css': 'css', '.map': 'map' });

/**
 * The name=value attributes of one start tag (names lower-cased; a bare attribute's value is '').
 * @param {string} tag  e.g. `<script type="module" crossorigin src="/assets/index-abc.js">`
 */
function attributesOf(tag) {
  /** @type {Record<string, string>} */
  const attributes = {};
  const pattern = /([^\s"'<>/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?/g;
  // Skip the tag's name.
  const body = tag.replace(/^<\s*[a-zA-Z]+/, '').replace(/\/?>$/, '');
  for (const match of body.matchAll(pattern)) attributes[match[1].toLowerCase()] = match[2] ?? match[3] ?? match[4] ?? '';
  return attributes;
}

/**
 * What index.html makes the browser fetch at once: `<script type="module" src>`
 * and `<link rel="stylesheet | modulepreload" href>`, as written (comments
 * ignored). Other references (icons, a manifest) are not code and left out.
 *
 * @param {string} html
 * @returns {string[]}
 */
export function initialReferences(html) {
  const withoutComments = html.replace(/<!--[\s\S]*?-->/g, '');
  const references = [];
  for (const [tag] of withoutComments.matchAll(/<(?:script|link)\b[^>]*>/gi)) {
    const attributes = attributesOf(tag);
    const isScript = /^<\s*script/i.test(tag);
    const rels = (attributes.rel ?? '').toLowerCase().split(/\s+/);
    if (isScript && attributes.type === 'module' && attributes.src) references.push(attributes.src);
    if (!isScript && attributes.href && (rels.includes('stylesheet') || rels.includes('modulepreload'))) references.push(attributes.href);
  }
  return references;
}

/**
 * A reference from index.html as a path inside dist ('assets/index-abc.js'),
 * or null when it points off the site (another origin), which the bundle does
 * not hold.
 *
 * @param {string} reference  as written in index.html
 */
export function distPathOf(reference) {
  // Resolved against the page at the site's root, where the gateway serves index.html.
  const url = new URL(reference, 'http://site.invalid/');
  if (url.origin !== 'http://site.invalid') return null;
  return decodeURIComponent(url.pathname).replace(/^\/+/, '');
}

/** @param {string} dir @returns {Promise<string[]>} every file below dir, as paths relative to it with '/' */
async function listFiles(dir) {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => relative(dir, join(entry.parentPath, entry.name)).split(sep).join('/'))
    .sort();
}

/** @param {BundleFile[]} files @returns {BundleTotal} */
export function totalOf(files) {
  const withBr = files.filter((file) => file.brBytes !== null);
  return {
    files: files.length,
    bytes: files.reduce((sum, file) => sum + file.bytes, 0),
    gzipBytes: files.reduce((sum, file) => sum + file.gzipBytes, 0),
    brFiles: withBr.length,
    brBytes: withBr.reduce((sum, file) => sum + /** @type {number} */ (file.brBytes), 0),
  };
}

/**
 * Sizes and the first-load split of a bundle's files, given their contents.
 *
 * @param {Array<{ path: string, content: Buffer }>} contents
 * @returns {{ files: BundleFile[], references: string[], offSite: string[], missing: string[],
 *   precompressed: { files: number, bytes: number },
 *   totals: { all: BundleTotal, js: BundleTotal, css: BundleTotal, maps: BundleTotal, initial: BundleTotal, lazy: BundleTotal, initialJs: BundleTotal, lazyJs: BundleTotal } }}
 *   references: what index.html fetches at once, as written; offSite: those on another origin; missing: those not in the bundle;
 *   precompressed: the .br/.gz/.zst copies beside the files (not in `files` nor the totals)
 */
export function accountBundle(contents) {
  const byPath = new Map(contents.map((file) => [file.path, file.content]));
  const isCopy = (/** @type {string} */ path) => PRECOMPRESSED_SUFFIXES.some((suffix) => path.endsWith(suffix) && byPath.has(path.slice(0, -suffix.length)));
  const index = byPath.get('index.html');
  if (!index) throw new Error('the bundle has no index.html');
  const references = initialReferences(index.toString('utf8'));
  const paths = references.map(distPathOf);
  const initialPaths = new Set(['index.html', ...paths.filter((path) => path !== null)]);
  const copies = contents.filter(({ path }) => isCopy(path));
  /** @type {BundleFile[]} */
  const files = contents.filter(({ path }) => !isCopy(path)).map(({ path, content }) => ({
    path,
    kind: KINDS[extname(path).toLowerCase()] ?? 'other',
    initial: initialPaths.has(path),
    bytes: content.length,
    gzipBytes: gzipSync(content, { level: 9 }).length,
    brBytes: byPath.get(`${path}.br`)?.length ?? null,
  }));
  const code = files.filter((file) => file.kind === 'js' || file.kind === 'css');
  return {
    files,
    references,
    offSite: references.filter((_, i) => paths[i] === null),
    missing: [...initialPaths].filter((path) => !files.some((file) => file.path === path)),
    precompressed: { files: copies.length, bytes: copies.reduce((sum, copy) => sum + copy.content.length, 0) },
    totals: {
      all: totalOf(files),
      js: totalOf(files.filter((file) => file.kind === 'js')),
      css: totalOf(files.filter((file) => file.kind === 'css')),
      maps: totalOf(files.filter((file) => file.kind === 'map')),
      initial: totalOf(files.filter((file) => file.initial)),
      // Code nobody fetches at first: chunks loaded on demand (dynamic imports and their stylesheets).
      lazy: totalOf(code.filter((file) => !file.initial)),
      initialJs: totalOf(files.filter((file) => file.initial && file.kind === 'js')),
      lazyJs: totalOf(files.filter((file) => !file.initial && file.kind === 'js')),
    },
  };
}

/**
 * Reads and accounts for every file of a built client.
 *
 * @param {string} dir  web/dist
 * @param {string} shownAs  how the report names the folder
 */
export async function measureBundle(dir, shownAs = dir) {
  if (!existsSync(join(dir, 'index.html'))) {
    throw new Error(`the web client is not built: ${shownAs}/index.html is missing (npm run build builds it; --web-runs 0 leaves the web step out)`);
  }
  const paths = await listFiles(dir);
  const contents = await Promise.all(paths.map(async (path) => ({ path, content: await readFile(join(dir, path)) })));
  const builtAt = (await stat(join(dir, 'index.html'))).mtime.toISOString();
  return { dir: shownAs, builtAt, ...accountBundle(contents) };
}

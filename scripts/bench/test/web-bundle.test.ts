import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

interface BundleTotal { files: number; bytes: number; gzipBytes: number; brFiles: number; brBytes: number }
interface Accounted {
  files: Array<{ path: string; kind: string; initial: boolean; bytes: number; gzipBytes: number; brBytes: number | null }>;
  references: string[];
  precompressed: { files: number; bytes: number };
  offSite: string[];
  missing: string[];
  totals: Record<'all' | 'js' | 'css' | 'maps' | 'initial' | 'lazy' | 'initialJs' | 'lazyJs', BundleTotal>;
}
interface WebBundle {
  initialReferences(html: string): string[];
  distPathOf(reference: string): string | null;
  accountBundle(contents: Array<{ path: string; content: Buffer }>): Accounted;
  measureBundle(dir: string, shownAs?: string): Promise<Accounted & { dir: string }>;
}

const { initialReferences, distPathOf, accountBundle, measureBundle } = (await import(
  fileURLToPath(new URL('../web-bundle.js', import.meta.url))
)) as WebBundle;

/** index.html as Vite writes it, with what the accounting must leave out around it. */
const INDEX_HTML = `<!doctype html>
<html lang="en">
  <head>
    <link rel="icon" href="/favicon.svg">
    <!-- <script type="module" src="/assets/commented-out.js"></script> -->
    <script type="module" crossorigin src="/assets/index-AbC123.js"></script>
    <link rel="modulepreload" crossorigin href="/assets/react-Xy9.js">
    <link rel=stylesheet crossorigin href='/assets/index-Q1.css'>
    <link rel="preconnect" href="https://fonts.example.com">
    <script src="/legacy.js"></script>
    <script type="module" src="https://cdn.example.com/x.js"></script>
  </head>
  <body><div id="root"></div></body>
</html>`;

const file = (path: string, text: string) => ({ path, content: Buffer.from(text) });

describe("the web step's bundle accounting", () => {
  it('takes what index.html fetches at once: module scripts, stylesheets and modulepreloads', () => {
    expect(initialReferences(INDEX_HTML)).toEqual([
      '/assets/index-AbC123.js', '/assets/react-Xy9.js', '/assets/index-Q1.css', 'https://cdn.example.com/x.js',
    ]);
  });

  it('maps references to paths in the bundle, and other origins to none', () => {
    expect(distPathOf('/assets/index-AbC123.js')).toBe('assets/index-AbC123.js');
    expect(distPathOf('./assets/a.css?v=2')).toBe('assets/a.css');
    expect(distPathOf('assets/a%20b.js')).toBe('assets/a b.js');
    expect(distPathOf('https://cdn.example.com/x.js')).toBeNull();
  });

  it('splits the first load from the chunks loaded on demand, with raw and gzip bytes', () => {
    const entry = 'import "./react-Xy9.js";'.repeat(50);
    const accounted = accountBundle([
      file('index.html', INDEX_HTML),
      file('assets/index-AbC123.js', entry),
      file('assets/react-Xy9.js', 'export const react = 1;'),
      file('assets/index-Q1.css', 'body { margin: 0 }'),
      file('assets/Profile-Lazy.js', 'export default function Profile() {}'),
      file('assets/Profile-Lazy.css', '.profile { color: red }'),
      file('favicon.svg', '<svg/>'),
      file('assets/index-AbC123.js.map', '{"version":3}'),
      file('assets/index-AbC123.js.br', 'b'.repeat(40)),
      file('assets/index-AbC123.js.gz', 'g'.repeat(50)),
      file('backup.tar.gz', 'not a copy of anything'),
    ]);
    const byPath = Object.fromEntries(accounted.files.map((f) => [f.path, f]));

    expect(byPath['assets/index-AbC123.js']).toMatchObject({ kind: 'js', initial: true, bytes: entry.length, gzipBytes: gzipSync(entry, { level: 9 }).length });
    expect(byPath['assets/Profile-Lazy.js']).toMatchObject({ kind: 'js', initial: false });
    expect(byPath['favicon.svg']).toMatchObject({ kind: 'other', initial: false });
    expect(accounted.totals.initial.files).toBe(4); // index.html, the entry, its preload, its stylesheet
    expect(accounted.totals.lazy.files).toBe(2); // the profile chunk and its stylesheet; the icon is not code
    expect(accounted.totals.lazyJs.files).toBe(1);
    expect(accounted.totals.js).toEqual({ files: 3, bytes: entry.length + 23 + 36, gzipBytes: expect.any(Number), brFiles: 1, brBytes: 40 });
    expect(byPath['assets/index-AbC123.js.map']).toMatchObject({ kind: 'map', initial: false });
    expect(accounted.totals.maps.files).toBe(1); // beside the code, fetched by developer tools only
    // Precompressed copies are the file they compress, sent differently: not files of their own.
    expect(byPath['assets/index-AbC123.js']?.brBytes).toBe(40);
    expect(byPath['assets/index-AbC123.js.br']).toBeUndefined();
    expect(byPath['backup.tar.gz']).toMatchObject({ kind: 'other', brBytes: null });
    expect(accounted.precompressed).toEqual({ files: 2, bytes: 90 });
    expect(accounted.totals.initialJs).toMatchObject({ brFiles: 1, brBytes: 40 });
    expect(accounted.totals.all.files).toBe(9);
    expect(accounted.offSite).toEqual(['https://cdn.example.com/x.js']);
    expect(accounted.missing).toEqual([]);
  });

  it('reports a reference the bundle does not hold', () => {
    expect(accountBundle([file('index.html', INDEX_HTML)]).missing).toEqual(['assets/index-AbC123.js', 'assets/react-Xy9.js', 'assets/index-Q1.css']);
  });

  it('reads a built folder, and says how to build a missing one', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'chirp-web-bundle-'));
    try {
      await expect(measureBundle(join(dir, 'dist'), 'web/dist')).rejects.toThrow('web/dist/index.html is missing (npm run build builds it');
      await mkdir(join(dir, 'dist/assets'), { recursive: true });
      await writeFile(join(dir, 'dist/index.html'), '<script type="module" src="/assets/main.js"></script>');
      await writeFile(join(dir, 'dist/assets/main.js'), 'console.log(1)');
      const bundle = await measureBundle(join(dir, 'dist'), 'web/dist');
      expect(bundle.files.map((f) => [f.path, f.initial])).toEqual([['assets/main.js', true], ['index.html', true]]);
      expect(bundle.dir).toBe('web/dist');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

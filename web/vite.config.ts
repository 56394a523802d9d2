import { readFile, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { brotliCompress, constants, gzip } from 'node:zlib';
import { defineConfig, type Plugin } from 'vite';
import react from '@vitejs/plugin-react';

/** The gateway `npm run dev` proxies to: `npm start` in another terminal. */
const gateway = process.env.CHIRP_GATEWAY ?? 'http://localhost:4000';

/**
 * Writes a .br and a .gz beside each text file of the build, once, at build
 * time: the gateway sends them as they are (sirv), instead of compressing
 * every response again or sending it whole.
 */
function precompress(): Plugin {
  const compressible = /\.(?:js|css|html|svg|json|map)$/;
  let outDir = 'dist';
  return {
    name: 'chirp-precompress',
    apply: 'build',
    configResolved(config) {
      outDir = path.resolve(config.root, config.build.outDir);
    },
    async closeBundle() {
      const files = (await readdir(outDir, { recursive: true })).filter((file) => compressible.test(file) && !file.endsWith('.map'));
      await Promise.all(
        files.map(async (file) => {
          const full = path.join(outDir, file);
          const content = await readFile(full);
          await writeFile(`${full}.gz`, await promisify(gzip)(content, { level: 9 }));
          await writeFile(`${full}.br`, await promisify(brotliCompress)(content, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }));
        }),
      );
    },
  };
}

export default defineConfig({
  plugins: [react(), precompress()],
  build: {
    // Hashed file names: the gateway serves assets/ as immutable for a year.
    assetsDir: 'assets',
    sourcemap: true,
    target: 'es2022',
  },
  server: {
    proxy: {
      '/graphql': { target: gateway, ws: true },
      '/media': gateway,
    },
  },
});

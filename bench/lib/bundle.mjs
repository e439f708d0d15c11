/**
 * The one bundler setup every bench bundle uses (the size apps and the browser
 * pages alike): esbuild, one minified ESM file for the browser, target es2022,
 * tree shaking on, production `process.env.NODE_ENV`, no legal comments.
 * `latchkey` resolves to the built ../dist/index.js (`latchkey/react` to
 * ../dist/react/index.js), and every bare import (also
 * dist's own `oauth4webapi` and `idb-keyval`) to bench/node_modules, so the
 * floor and latchkey bundle the very same copies.
 */
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

export const benchDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const rootDir = resolve(benchDir, '..');
/** The latchkey build the bench bundles: ../dist/index.js, or LATCHKEY_DIST to bench another build. */
export const latchkeyDist = process.env.LATCHKEY_DIST ? resolve(process.env.LATCHKEY_DIST) : resolve(rootDir, 'dist/index.js');

export const BUNDLER_SETTINGS = {
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: 'es2022',
  minify: true,
  treeShaking: true,
  legalComments: 'none',
  jsx: 'automatic', // the React apps (.jsx); the other apps have no JSX
  define: { 'process.env.NODE_ENV': '"production"' },
};

const resolveFromBench = {
  name: 'bench-resolve',
  setup(build) {
    build.onResolve({ filter: /^latchkey$/ }, () => {
      if (!existsSync(latchkeyDist)) throw new Error(`${latchkeyDist} is missing: run "npm run build" in the root`);
      return { path: latchkeyDist };
    });
    // The bindings: dist/<name>/index.js beside dist/index.js (they import it as '../index.js').
    build.onResolve({ filter: /^latchkey\/(react|vue|testing)$/ }, (args) => {
      const path = resolve(dirname(latchkeyDist), args.path.slice('latchkey/'.length), 'index.js');
      if (!existsSync(path)) throw new Error(`${path} is missing: run "npm run build" in the root`);
      return { path };
    });
    // Bare specifiers from outside bench/ (dist/index.js) resolve from bench/ too.
    build.onResolve({ filter: /^[@a-z]/ }, async (args) => {
      if (args.pluginData === 'bench' || args.resolveDir.startsWith(benchDir)) return undefined;
      const result = await build.resolve(args.path, { kind: args.kind, resolveDir: benchDir, pluginData: 'bench' });
      if (result.errors.length) return { errors: result.errors };
      return { path: result.path, sideEffects: result.sideEffects };
    });
  },
};

/**
 * Bundles `entry` and returns `{ code, metafile }` (nothing written unless
 * `outfile` is given). `define` adds to the shared defines.
 */
export async function bundle(entry, { outfile, define = {} } = {}) {
  const result = await esbuild.build({
    ...BUNDLER_SETTINGS,
    define: { ...BUNDLER_SETTINGS.define, ...define },
    entryPoints: [entry],
    absWorkingDir: benchDir,
    write: Boolean(outfile),
    ...(outfile ? { outfile } : { outdir: resolve(benchDir, '.out') }),
    metafile: true,
    logLevel: 'silent',
    plugins: [resolveFromBench],
  });
  const code = outfile ? undefined : result.outputFiles.find((file) => file.path.endsWith('.js')).contents;
  return { code, metafile: result.metafile };
}

export const esbuildVersion = esbuild.version;

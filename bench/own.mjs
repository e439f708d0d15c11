import * as esbuild from './node_modules/esbuild/lib/main.js';
import { gzipSync } from 'node:zlib';
const result = await esbuild.build({ entryPoints: ['/work/main/bench/apps/latchkey.js'], bundle: true, format: 'esm', minify: true, write: false, target: 'es2022', platform: 'browser', logLevel: 'silent', absWorkingDir: '/work/main/bench', external: ['oauth4webapi', 'idb-keyval'],
  plugins: [{ name: 'r', setup(b) { b.onResolve({ filter: /^latchkey$/ }, () => ({ path: process.env.SRC ?? '/work/main/src/index.ts' })); } }] });
const code = result.outputFiles[0].contents;
console.log('own', code.length, gzipSync(code, { level: 9 }).length);
if (process.env.OUT) (await import('node:fs')).writeFileSync(process.env.OUT, code);

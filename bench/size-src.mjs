import * as esbuild from './node_modules/esbuild/lib/main.js';
import { gzipSync } from 'node:zlib';
const result = await esbuild.build({ entryPoints: ['/work/main/bench/apps/latchkey.js'], bundle: true, format: 'esm', minify: true, write: false, metafile: true, target: 'es2022', platform: 'browser', logLevel: 'silent', absWorkingDir: '/work/main/bench',
  plugins: [{ name: 'r', setup(b) { b.onResolve({ filter: /^latchkey$/ }, () => ({ path: '/work/main/src/index.ts' })); b.onResolve({ filter: /^(oauth4webapi|idb-keyval)$/ }, (a) => ({ path: require_(a.path) })); } }] });
function require_(p) { return p === 'oauth4webapi' ? '/work/main/bench/node_modules/oauth4webapi/build/index.js' : '/work/main/bench/node_modules/idb-keyval/dist/index.js'; }
const code = result.outputFiles[0].contents;
console.log('total', code.length, gzipSync(code, { level: 9 }).length);
const inputs = Object.values(result.metafile.outputs)[0].inputs;
for (const [k, v] of Object.entries(inputs).sort((a, b) => b[1].bytesInOutput - a[1].bytesInOutput)) console.log(String(v.bytesInOutput).padStart(7), k.replace(/.*node_modules\//, '').replace('/work/main/', ''));

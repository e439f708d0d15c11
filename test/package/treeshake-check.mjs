// Tree-shaking check for the optional capabilities: an app that imports only
// createSession ships none of loginWithPopup, checkSession, enableSilentRenew or
// getAuthorizationHeaders; each bench app that uses one ships it. Bundles
// bench/apps/latchkey*.js against the built dist/index.js with vite (rolldown,
// minified, tree-shaken; oauth4webapi and idb-keyval bundled too) and prints
// what each capability costs (minified, gzip). Run after `npm run build`.
import { gzipSync } from 'node:zlib';
import { resolve } from 'node:path';
import { build } from 'vite';

const root = resolve(import.meta.dirname, '../..');
/** Strings only each capability's module has (error messages and names it uses). */
const MARKERS = {
  loginWithPopup: ['latchkey-login', 'loginWithPopup()', 'popup=yes'],
  checkSession: ['latchkey session check', 'checkSession()'],
  enableSilentRenew: ['enableSilentRenew()'],
  getAuthorizationHeaders: ['getAuthorizationHeaders()', 'Could not make the DPoP proof'],
};
const APPS = {
  'latchkey.js': [],
  'latchkey-popup.js': ['loginWithPopup'],
  'latchkey-check-session.js': ['checkSession'],
  'latchkey-silent-renew.js': ['enableSilentRenew', 'checkSession'],
  'latchkey-headers.js': ['getAuthorizationHeaders'],
};

async function bundle(app) {
  const result = await build({
    configFile: false,
    logLevel: 'silent',
    root,
    resolve: { alias: [{ find: /^latchkey$/, replacement: resolve(root, 'dist/index.js') }] },
    build: {
      write: false,
      minify: true,
      target: 'es2022',
      modulePreload: false,
      rollupOptions: { input: resolve(root, 'bench/apps', app) },
    },
  });
  const outputs = (Array.isArray(result) ? result : [result]).flatMap((r) => r.output);
  return outputs.filter((o) => o.type === 'chunk').map((o) => o.code).join('\n');
}

let failed = 0;
const sizes = {};
for (const [app, uses] of Object.entries(APPS)) {
  const code = await bundle(app);
  sizes[app] = { minified: Buffer.byteLength(code), gzip: gzipSync(code, { level: 9 }).byteLength };
  for (const [capability, markers] of Object.entries(MARKERS)) {
    const found = markers.filter((marker) => code.includes(marker));
    const expected = uses.includes(capability);
    const ok = expected ? found.length > 0 : found.length === 0;
    if (!ok) failed += 1;
    if (!ok || app === 'latchkey.js') {
      console.log(`  ${ok ? '✓' : '✗'} ${app}: ${capability} ${expected ? 'present' : 'absent'}${found.length ? ` (found ${found.join(', ')})` : ''}`);
    }
  }
}
const base = sizes['latchkey.js'];
console.log(`  latchkey.js (createSession only): ${base.minified} B minified, ${base.gzip} B gzip`);
for (const [app, size] of Object.entries(sizes)) {
  if (app === 'latchkey.js') continue;
  console.log(`  ${app}: +${size.minified - base.minified} B minified, +${size.gzip - base.gzip} B gzip`);
}
if (failed) {
  console.log(`treeshake-check: ${failed} failed`);
  process.exit(1);
}
console.log('treeshake-check: ok');

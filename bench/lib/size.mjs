/**
 * Part 1 of the bench: bytes each SDK's minimal realistic app ships.
 * Minified, gzip (level 9) and brotli (quality 11) sizes from node:zlib, and a
 * check that each bundle really holds its SDK: the SDK's files contribute bytes
 * in esbuild's metafile, and a string only that SDK has is in the output.
 */
import { gzipSync, brotliCompressSync, constants } from 'node:zlib';
import { dirname, relative, resolve } from 'node:path';
import { benchDir, bundle, latchkeyDist } from './bundle.mjs';

/** The entries, in table order. `packages` must contribute bytes; `marker` must appear. */
export const SIZE_ENTRIES = [
  { id: 'latchkey', label: 'latchkey', app: 'latchkey.js', packages: ['latchkey', 'oauth4webapi', 'idb-keyval'], marker: '"LatchkeyError"' },
  { id: 'oidc-client-ts', label: 'oidc-client-ts', app: 'oidc-client-ts.js', packages: ['oidc-client-ts', 'jwt-decode'], marker: 'UserManager' },
  { id: 'auth0-spa-js', label: '@auth0/auth0-spa-js', app: 'auth0-spa-js.js', packages: ['@auth0/auth0-spa-js'], marker: 'auth0-spa-js' },
  { id: 'msal-browser', label: '@azure/msal-browser', app: 'msal-browser.js', packages: ['@azure/msal-browser', '@azure/msal-common'], marker: 'msal:' },
  { id: 'okta-auth-js', label: '@okta/okta-auth-js (core entry)', app: 'okta-auth-js.js', packages: ['@okta/okta-auth-js'], marker: 'okta-auth-js' },
  { id: 'floor', label: 'floor: oauth4webapi + idb-keyval', app: 'floor.js', packages: ['oauth4webapi', 'idb-keyval'], marker: 'oauth4webapi' },
  { id: 'floor-dpop', label: 'floor + DPoP (reference)', app: 'floor-dpop.js', packages: ['oauth4webapi', 'idb-keyval'], marker: 'oauth4webapi' },
];

/**
 * latchkey's optional capabilities (free functions, tree-shaken when unused):
 * apps/latchkey-*.js are apps/latchkey.js (apps/latchkey-app.js) with one capability in use, so each
 * row minus the `latchkey` row is what that capability costs an app. The
 * markers are strings only that capability's module has.
 */
export const CAPABILITY_SIZE_ENTRIES = [
  { id: 'latchkey-popup', label: 'latchkey + loginWithPopup', app: 'latchkey-popup.js', packages: ['latchkey'], marker: 'latchkey-login' },
  { id: 'latchkey-check-session', label: 'latchkey + checkSession', app: 'latchkey-check-session.js', packages: ['latchkey'], marker: 'latchkey session check' },
  { id: 'latchkey-silent-renew', label: 'latchkey + enableSilentRenew', app: 'latchkey-silent-renew.js', packages: ['latchkey'], marker: 'enableSilentRenew()' },
  { id: 'latchkey-headers', label: 'latchkey + getAuthorizationHeaders', app: 'latchkey-headers.js', packages: ['latchkey'], marker: 'getAuthorizationHeaders()' },
];

/**
 * The React apps (apps/react-*.jsx): one React 19 shell, identical across SDKs,
 * with no auth, with latchkey's core wired by hand, with latchkey/react, and on
 * the React SDKs users would pick instead.
 */
export const REACT_SIZE_ENTRIES = [
  { id: 'react-baseline', label: 'React 19 app shell, no auth', app: 'react-baseline.jsx', packages: ['react', 'react-dom'], marker: 'react.transitional.element' },
  { id: 'react-latchkey', label: 'latchkey/react', app: 'react-latchkey.jsx', packages: ['latchkey', 'latchkey/react', 'react-dom'], marker: 'must be used inside <SessionProvider' },
  { id: 'react-latchkey-core', label: 'latchkey core, hooks by hand', app: 'react-latchkey-core.jsx', packages: ['latchkey', 'react-dom'], marker: '"LatchkeyError"' },
  { id: 'react-oidc-context', label: 'react-oidc-context + oidc-client-ts', app: 'react-oidc-context.jsx', packages: ['react-oidc-context', 'oidc-client-ts', 'react-dom'], marker: 'UserManager' },
  { id: 'react-auth0', label: '@auth0/auth0-react (+ auth0-spa-js)', app: 'react-auth0.jsx', packages: ['@auth0/auth0-react', 'react-dom'], marker: 'auth0-react' },
];

function packageOf(input) {
  const absolute = resolve(benchDir, input);
  if (absolute === latchkeyDist) return 'latchkey';
  for (const entry of ['react', 'vue', 'testing']) {
    if (absolute === resolve(dirname(latchkeyDist), entry, 'index.js')) return `latchkey/${entry}`;
  }
  const match = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(input);
  return match ? match[1] : 'app';
}

/** Bundles every entry (default: the SDK apps) and measures it. Throws when a bundle lacks its SDK. */
export async function measureSizes(entries = SIZE_ENTRIES) {
  const rows = [];
  for (const entry of entries) {
    const { code, metafile } = await bundle(resolve(benchDir, 'apps', entry.app));
    const [output] = Object.values(metafile.outputs).filter((o) => o.entryPoint);
    const byPackage = {};
    for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
      const name = packageOf(input);
      byPackage[name] = (byPackage[name] ?? 0) + bytesInOutput;
    }
    const missing = entry.packages.filter((name) => !(byPackage[name] > 0));
    const text = Buffer.from(code).toString('utf8');
    if (missing.length) throw new Error(`${entry.id}: bundle has no bytes from ${missing.join(', ')}`);
    if (!text.includes(entry.marker)) throw new Error(`${entry.id}: bundle lacks the marker string ${entry.marker}`);
    rows.push({
      ...entry,
      minified: code.byteLength,
      gzip: gzipSync(code, { level: 9 }).byteLength,
      brotli: brotliCompressSync(code, {
        params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: code.byteLength },
      }).byteLength,
      byPackage,
      inputs: Object.keys(output.inputs).length,
    });
  }
  return rows;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const rows = process.argv.includes('react') ? await measureSizes(REACT_SIZE_ENTRIES)
    : process.argv.includes('capabilities') ? await measureSizes([SIZE_ENTRIES[0], ...CAPABILITY_SIZE_ENTRIES])
    : await measureSizes();
  for (const row of rows) {
    console.log(row.id.padEnd(16), String(row.minified).padStart(8), String(row.gzip).padStart(7), String(row.brotli).padStart(7), JSON.stringify(row.byPackage));
  }
  void relative;
}

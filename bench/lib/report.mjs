/**
 * The markdown report: machine, versions, date, then each latchkey figure
 * beside each peer's figure and the ratio, and the targets of issue 4.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { resolve } from 'node:path';
import { benchDir, esbuildVersion, latchkeyDist, rootDir } from './bundle.mjs';

const PEERS = ['oidc-client-ts', '@auth0/auth0-spa-js', '@azure/msal-browser', '@okta/okta-auth-js', 'oauth4webapi', 'idb-keyval',
  'react', 'react-dom', 'react-oidc-context', '@auth0/auth0-react'];

function packageVersion(name, base = resolve(benchDir, 'node_modules')) {
  return JSON.parse(readFileSync(resolve(base, name, 'package.json'), 'utf8')).version;
}

function git(args) {
  try {
    return execFileSync('git', args, { cwd: rootDir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return '';
  }
}

export async function environment(chromium, loadAtStart) {
  const benchPackage = JSON.parse(readFileSync(resolve(benchDir, 'package.json'), 'utf8'));
  const commit = git(['rev-parse', '--short', 'HEAD']);
  const dirty = git(['status', '--porcelain', '--', 'src']) !== '';
  return {
    date: new Date().toISOString(),
    cpu: `${os.cpus()[0]?.model ?? 'unknown CPU'}, ${os.cpus().length} cores`,
    memory: `${Math.round(os.totalmem() / 2 ** 30)} GiB`,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    load: `1-minute load average ${loadAtStart[0].toFixed(2)} at the start, ${os.loadavg()[0].toFixed(2)} at the end`,
    node: process.version,
    chromium: chromium ?? 'not run',
    esbuild: esbuildVersion,
    playwrightCore: packageVersion('playwright-core'),
    latchkey: `${JSON.parse(readFileSync(resolve(rootDir, 'package.json'), 'utf8')).version}` +
      (process.env.LATCHKEY_DIST ? ` (build ${latchkeyDist})` : commit ? ` (commit ${commit}${dirty ? ' + uncommitted changes in src/' : ''})` : ''),
    peers: Object.fromEntries(PEERS.map((name) => [name, packageVersion(name)])),
    overrides: benchPackage.overrides ?? {},
  };
}

const bytes = (n) => n.toLocaleString('en-US');
const ms = (n, digits = 1) => (n === null || n === undefined ? '–' : n.toFixed(digits));
const ratio = (a, b) => (b ? `${(a / b).toFixed(2)}×` : '–');
const table = (head, rows, { numeric = true } = {}) =>
  [`| ${head.join(' | ')} |`, `| ${head.map((_, i) => (i === 0 || !numeric ? '---' : '---:')).join(' | ')} |`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
const verdict = (met) => (met ? '**met**' : '**missed**');

const VENDOR_ONLY = 'The Auth0, MSAL and Okta apps were bundled but not run: they target their vendors\' servers (Auth0 builds `https://<domain>` URLs, MSAL refuses a non-https authority, Okta derives Okta-style `/oauth2/v1/` endpoints from the issuer).';

function appsRunLine(appsRun) {
  if (!appsRun) return [];
  const what = Object.entries(appsRun).map(([app, r]) =>
    r.ok ? `${app} ✓ (${r.scheme} token, ${r.revoked ? 'refresh token revoked at logout' : 'no revocation at logout (its default)'})` : `${app} ✗ (${r.error})`);
  return ['', `Apps run end to end in Chromium against the embedded server (signed out → Log in → the server's forms → back signed in, the API answers 200 with the user, Call API again, Log out through the end-session page → back signed out): ${what.join('; ')}. ${VENDOR_ONLY}`];
}

function sizeSection(sizes, env, appsRun) {
  const latchkey = sizes.find((row) => row.id === 'latchkey');
  const floor = sizes.find((row) => row.id === 'floor');
  const versionOf = { latchkey: env.latchkey.split(' ')[0], 'oidc-client-ts': env.peers['oidc-client-ts'],
    'auth0-spa-js': env.peers['@auth0/auth0-spa-js'], 'msal-browser': env.peers['@azure/msal-browser'],
    'okta-auth-js': env.peers['@okta/okta-auth-js'],
    floor: `${env.peers.oauth4webapi} + ${env.peers['idb-keyval']}`, 'floor-dpop': `${env.peers.oauth4webapi} + ${env.peers['idb-keyval']}` };
  const rows = sizes.map((row) => [
    row.id === 'latchkey' ? `**${row.label}**` : row.label,
    versionOf[row.id],
    bytes(row.minified),
    bytes(row.gzip),
    bytes(row.brotli),
    row.id === 'latchkey' ? '1.00×' : ratio(latchkey.gzip, row.gzip),
    ratio(row.gzip, floor.gzip),
  ]);
  const contents = sizes.map((row) => `${row.id}: ${Object.entries(row.byPackage)
    .sort((a, b) => b[1] - a[1]).map(([name, n]) => `${name} ${bytes(n)}`).join(', ')}`);
  return [
    '## 1. Bundle size',
    '',
    `One minimal realistic app per SDK (bench/apps/: construct the client, start a redirect login, handle the callback, get a token, call an API with it, log out), bundled by esbuild ${env.esbuild} with the same settings for all: one minified ESM file for the browser, target es2022, tree shaking on, \`process.env.NODE_ENV=production\`, legal comments dropped. gzip level 9 and brotli quality 11 from node:zlib. Bytes; ratios on gzip.`,
    '',
    table(['app', 'version', 'minified', 'gzip', 'brotli', 'latchkey ÷ this', 'this ÷ floor'], rows),
    '',
    'Each bundle was checked to contain its SDK: the SDK\'s files contribute bytes in esbuild\'s metafile, and a string only that SDK ships is in the output. Minified bytes each package contributes:',
    '',
    ...contents.map((line) => `- ${line}`),
    ...appsRunLine(appsRun),
  ].join('\n');
}

function reactSizeSection(sizes, env) {
  const pick = (id) => sizes.find((row) => row.id === id);
  const shell = pick('react-baseline');
  const binding = pick('react-latchkey');
  const byHand = pick('react-latchkey-core');
  const versionOf = { 'react-baseline': env.peers.react, 'react-latchkey': env.latchkey.split(' ')[0],
    'react-latchkey-core': env.latchkey.split(' ')[0], 'react-oidc-context': `${env.peers['react-oidc-context']} + ${env.peers['oidc-client-ts']}`,
    'react-auth0': env.peers['@auth0/auth0-react'] };
  const rows = sizes.map((row) => [
    row.id === 'react-latchkey' ? `**${row.label}**` : row.label,
    versionOf[row.id] ?? '',
    bytes(row.minified),
    bytes(row.gzip),
    bytes(row.brotli),
    row.id === 'react-baseline' ? '–' : `+${bytes(row.gzip - shell.gzip)}`,
    row.id === 'react-baseline' ? '–' : ratio(binding.gzip - shell.gzip, row.gzip - shell.gzip),
  ]);
  return [
    '## 1b. React apps',
    '',
    `One React ${env.peers.react} app shell (bench/apps/react-shared.jsx: status, user, Log in, Log out, Call API, a panel only signed-in users see, under \`<StrictMode>\`), the same in every row, with the auth of each SDK (a provider, its hook, its guard), bundled like the apps above (JSX automatic runtime). "auth adds" is the gzip bytes over the shell without auth; the ratio compares what latchkey/react's app adds with what the row's app adds.`,
    '',
    table(['app', 'version', 'minified', 'gzip', 'brotli', 'auth adds (gzip)', 'latchkey/react ÷ this (added)'], rows),
    '',
    `latchkey/react itself: ${bytes(binding.byPackage['latchkey/react'] ?? 0)} B minified of its own code; the app on it is ${bytes(binding.gzip - byHand.gzip)} B gzip larger than the same app with latchkey's core wired to React by hand (\`useSyncExternalStore\`, a guard, the callback's \`returnTo\`). @auth0/auth0-react's ESM build carries its own copy of auth0-spa-js.`,
  ].join('\n');
}

function capabilitySizeSection(sizes) {
  const base = sizes.find((row) => row.id === 'latchkey');
  const rows = sizes.filter((row) => row !== base).map((row) => [
    row.label,
    bytes(row.minified),
    bytes(row.gzip),
    bytes(row.brotli),
    `+${bytes(row.gzip - base.gzip)}`,
  ]);
  return [
    '## 1c. Optional capabilities',
    '',
    `latchkey's capabilities are free functions: an app that does not import one does not ship it (test/package/treeshake-check.mjs). Each row is the latchkey app above (bench/apps/latchkey.js) with one capability in use (bench/apps/latchkey-*.js), bundled the same way; "adds" is the gzip bytes over the latchkey app (${bytes(base.gzip)} B gzip). enableSilentRenew includes checkSession.`,
    '',
    table(['app', 'minified', 'gzip', 'brotli', 'adds (gzip)'], rows),
  ].join('\n');
}

function restoreSection(restore) {
  const l = restore.latchkey;
  const o = restore['oidc-client-ts'];
  const row = (label, pick, digits = 1) => [label, ms(pick(l), digits), ms(pick(o), digits), ratio(pick(l), pick(o))];
  return [
    '## 2a. Restore on reload',
    '',
    `Logged in once, then reloaded; each run is navigation start → \`ready\` resolved with an authenticated session (oidc-client-ts: \`getUser()\` resolved with an unexpired user from its default store, sessionStorage), read with \`performance.now()\` on the page. Same page otherwise (one production bundle, cached as immutable; no other work). The two SDKs' pages take turns; ${l.total.n} runs each after a warm-up. ms.`,
    '',
    table(['', 'latchkey', 'oidc-client-ts', 'latchkey ÷ oidc-client-ts'], [
      row('navigation start → ready, median', (r) => r.total.median),
      row('navigation start → ready, p95', (r) => r.total.p95),
      row('  of which page load (→ module start), median', (r) => r.moduleStart.median),
      row('  of which the SDK (module start → ready), median', (r) => r.sdkOnly.median),
      row('  of which the SDK, p95', (r) => r.sdkOnly.p95),
    ]),
    '',
    `Token requests sent during all the restores: latchkey and oidc-client-ts together ${l.tokenRequestsDuringRestores} (both restore without the network while the token is valid).`,
  ].join('\n');
}

function perCallSection(perCall) {
  const rows = perCall.map((r) => [
    r.scheme,
    ms(r.plain.median, 3),
    ms(r.session.median, 3),
    `**${ms(r.added.median, 3)}**`,
    ms(r.added.p95, 3),
    ms(r.wire.median, 3),
    `${ms(r.own.median, 3)} / ${ms(r.own.p95, 3)}`,
  ]);
  return [
    '## 2b. Per-call cost of `session.fetch`',
    '',
    `Logged-in session (DPoP off, then on), then rounds of three calls to the same loopback endpoint (\`GET /public\` on the API origin, which answers the same whatever the headers), in an order that rotates every round: plain \`fetch\`, \`fetch\` carrying the exact headers \`session.fetch\` sent (captured once and replayed), and \`session.fetch\` (token lookup, header, and for DPoP a fresh signed proof every call). Each time covers the whole call, body read included. ${perCall[0].session.n} rounds after ${'a warm-up'}; the page is cross-origin isolated (5 µs timer). "Added" = \`session.fetch\` − plain \`fetch\` (median − median, p95 − p95). "Wire" = the same for the replayed headers: what sending a token costs by itself (CORS preflight-cache lookup, header bytes), for any SDK. "Own code" = time inside \`session.fetch\` outside the network call it makes (window.fetch wrapped and timed): latchkey's own work, free of network noise. ms.`,
    '',
    table(['token', 'plain fetch, median', 'session.fetch, median', 'added, median', 'added, p95', 'of which wire, median', 'own code, median / p95'], rows),
    '',
    'No peer column: the peers have no authorized fetch; with them the app attaches the header itself (the "wire" column is that case, minus the token lookup).',
  ].join('\n');
}

function loginSection(login) {
  return [
    '## 2c. Login round trip (latchkey alone, a reference figure)',
    '',
    `From \`login()\` to \`ready\` resolved with an authenticated session: PAR when the server offers it, redirect, the embedded server's login and consent forms filled by Playwright, redirect back, code exchange (DPoP-bound), ID token validation, sealing into IndexedDB. Signed out and cookies cleared before each run. ${login.n} runs after a warm-up: median **${ms(login.median, 0)} ms**, p95 ${ms(login.p95, 0)} ms (includes Playwright's form filling and the forms' own page loads).`,
  ].join('\n');
}

function latchkeyCadence(refresh, plan) {
  const gaps = refresh.filter((r) => r.sdk === 'latchkey' && r.secondsBetweenRefreshes !== null).map((r) => r.secondsBetweenRefreshes);
  if (!gaps.length) return [];
  return [`latchkey renewed its ${plan.accessTokenTtl} s tokens every ${Math.min(...gaps).toFixed(1)}–${Math.max(...gaps).toFixed(1)} s: it hands out no access token in its last 5 s (\`EXPIRY_MARGIN_MS\` in src/refresh.ts), so a busy tab renews then, before the 75 % timer would. One request per token all the same; with lifetimes of minutes the margin is immaterial.`, ''];
}

function refreshSection(refresh, plan) {
  const tabs = [...new Set(refresh.map((r) => r.tabs))];
  const find = (sdk, n) => refresh.find((r) => r.sdk === sdk && r.tabs === n);
  const perLifetime = (r) => (r.perLifetime === null ? '–' : r.perLifetime.toFixed(2));
  const summary = tabs.map((n) => {
    const l = find('latchkey', n);
    const o = find('oidc-client-ts', n);
    return [`${n}`, `**${perLifetime(l)}**`, o ? perLifetime(o) : '–', o?.perLifetime && l.perLifetime ? ratio(l.perLifetime, o.perLifetime) : '–'];
  });
  const detail = refresh.map((r) => [
    r.sdk, `${r.tabs}`, `${r.requests}`, `${r.succeeded}`, `${r.failed}`, perLifetime(r), `${r.largestBurst}`,
    r.secondsBetweenRefreshes === null ? '–' : r.secondsBetweenRefreshes.toFixed(1),
    Object.entries(r.api).map(([k, v]) => `${k}: ${v}`).join(', '), `${r.endedSignedIn}/${r.tabs}`,
  ]);
  return [
    '## 3. Refresh economy',
    '',
    `Access tokens live ${plan.accessTokenTtl} s (refresh tokens rotate on every use; oidc-provider refuses a used one and revokes its grant, the reuse detection most hosted providers have). One browser profile, 1, 3 or 10 tabs sharing one login, each tab calling the API every ${plan.intervalMs} ms for ${plan.windowMs / 1000} s; the authorization server counts the refresh-token grant requests. **Requests per lifetime** = requests ÷ successful refreshes: each successful refresh ends one access token's lifetime, so 1.00 means each lifetime cost exactly one request. oidc-client-ts keeps its user in localStorage (its way of sharing a login between tabs) and renews a quarter of the lifetime early, like latchkey, instead of its 60 s default.`,
    '',
    table(['tabs', 'latchkey requests per lifetime', 'oidc-client-ts requests per lifetime', 'latchkey ÷ oidc-client-ts'], summary),
    '',
    ...latchkeyCadence(refresh, plan),
    table(['SDK', 'tabs', 'refresh requests', 'succeeded', 'failed', 'per lifetime', 'largest burst', 's between refreshes', 'API answers (all tabs)', 'tabs signed in at the end'], detail),
  ].join('\n');
}

function targetsSection(results) {
  const rows = [];
  if (results.sizes) {
    const l = results.sizes.find((r) => r.id === 'latchkey');
    const floor = results.sizes.find((r) => r.id === 'floor');
    const peers = results.sizes.filter((r) => !['latchkey', 'floor', 'floor-dpop'].includes(r.id));
    const smallest = peers.reduce((a, b) => (a.gzip <= b.gzip ? a : b));
    rows.push(['gzip size below every peer\'s', `latchkey ${bytes(l.gzip)} B; smallest peer ${smallest.label} ${bytes(smallest.gzip)} B (${ratio(smallest.gzip, floor.gzip)} the floor)`,
      `${verdict(l.gzip < smallest.gzip)} (${ratio(l.gzip, smallest.gzip)} the smallest peer)`]);
    const limit = floor.gzip * 1.3;
    rows.push(['gzip ≤ 1.3× the oauth4webapi + idb-keyval floor', `${ratio(l.gzip, floor.gzip)} (${bytes(l.gzip)} vs ${bytes(floor.gzip)} B)`,
      l.gzip <= limit ? verdict(true) : `${verdict(false)} by ${bytes(Math.round(l.gzip - limit))} B gzip`]);
  }
  if (results.restore) {
    const l = results.restore.latchkey.total.median;
    const o = results.restore['oidc-client-ts'].total.median;
    rows.push(['restore faster than oidc-client-ts\'s', `${ms(l)} vs ${ms(o)} ms median`, l < o ? verdict(true) : `${verdict(false)} by ${ms(l - o)} ms`]);
    rows.push(['restore under 30 ms median', `${ms(l)} ms`, l < 30 ? verdict(true) : `${verdict(false)} by ${ms(l - 30)} ms`]);
  }
  for (const r of results.perCall ?? []) {
    const limit = r.scheme === 'DPoP' ? 1.5 : 0.2;
    rows.push([`added time per session.fetch, ${r.scheme}, under ${limit} ms median`, `${ms(r.added.median, 3)} ms (own code ${ms(r.own.median, 3)} ms)`,
      r.added.median < limit ? verdict(true) : `${verdict(false)} by ${ms(r.added.median - limit, 3)} ms`]);
  }
  if (results.refresh) {
    const l = results.refresh.filter((r) => r.sdk === 'latchkey');
    const exact = l.every((r) => r.perLifetime === 1 && r.failed === 0 && r.largestBurst <= 1);
    rows.push(['exactly 1 token request per lifetime, 1/3/10 tabs', l.map((r) => `${r.tabs}: ${r.perLifetime?.toFixed(2) ?? '–'}`).join(', '),
      verdict(exact)]);
  }
  return ['## Targets of issue 4', '', table(['target', 'measured', 'verdict'], rows, { numeric: false }), ...whyMissed(results)].join('\n');
}

/** The first release's minimal app, in gzip bytes: the bound issues 9 and 11 set for the core. */
const FIRST_RELEASE_GZIP = 17_409;

function releaseTargetsSection(results) {
  const rows = [];
  const l = results.sizes?.find((r) => r.id === 'latchkey');
  if (l) {
    rows.push([`minimal app (no capability imported) ≤ ${bytes(FIRST_RELEASE_GZIP)} B gzip, the first release's size`, `${bytes(l.gzip)} B (latchkey's own code ${bytes(l.byPackage.latchkey ?? 0)} B minified)`,
      l.gzip <= FIRST_RELEASE_GZIP ? verdict(true) : `${verdict(false)} by ${bytes(l.gzip - FIRST_RELEASE_GZIP)} B gzip`]);
  }
  const binding = results.reactSizes?.find((r) => r.id === 'react-latchkey');
  const byHand = results.reactSizes?.find((r) => r.id === 'react-latchkey-core');
  if (binding && byHand) {
    const added = binding.gzip - byHand.gzip;
    rows.push(['latchkey/react adds ≤ 1,000 B gzip to a React app (over the core wired by hand)', `+${bytes(added)} B`, added <= 1000 ? verdict(true) : `${verdict(false)} by ${bytes(added - 1000)} B gzip`]);
  }
  if (rows.length === 0) return undefined;
  return ['## Targets of issues 9 and 11 (second release)', '', table(['target', 'measured', 'verdict'], rows, { numeric: false }),
    '', 'Each capability\'s cost when imported: section 1c.'].join('\n');
}

/** Data-driven notes on each missed target: by how much, and where the time or bytes go. */
function whyMissed(results) {
  const notes = [];
  if (results.sizes) {
    const pick = (id) => results.sizes.find((r) => r.id === id);
    const l = pick('latchkey');
    const floor = pick('floor');
    const dpop = pick('floor-dpop');
    if (l.gzip > floor.gzip * 1.3) {
      notes.push(`Size: latchkey ships ${bytes(l.byPackage.oauth4webapi ?? 0)} B (minified) of oauth4webapi against the floor's ${bytes(floor.byPackage.oauth4webapi ?? 0)} B (DPoP, PAR, authorized resource requests: the floor + DPoP reference already needs ${bytes(dpop.byPackage.oauth4webapi ?? 0)} B) and ${bytes(l.byPackage.latchkey ?? 0)} B of its own code against the floor app's ${bytes(floor.byPackage.app ?? 0)} B (sealed vault, refresh scheduling and backoff, cross-tab lock and channel, authorized fetch with retries, config validation, error mapping and messages). Against the floor + DPoP reference latchkey is ${ratio(l.gzip, dpop.gzip)}; the 1.3× target would allow ${bytes(Math.round(floor.gzip * 1.3))} B gzip in all.`);
    }
  }
  if (results.restore) {
    const l = results.restore.latchkey;
    const o = results.restore['oidc-client-ts'];
    if (l.total.median >= o.total.median || l.total.median >= 30) {
      notes.push(`Restore: the page-load part (navigation start → module start, the same work for both pages) is ${ms(l.moduleStart.median)} ms for latchkey's page and ${ms(o.moduleStart.median)} ms for oidc-client-ts's on this machine${Math.min(l.moduleStart.median, o.moduleStart.median) >= 30 ? ', already above 30 ms before any SDK code runs' : ''}. latchkey's own part (${ms(l.sdkOnly.median)} ms median, ${ms(l.sdkOnly.p95)} ms p95) is IndexedDB: opening the database, reading the sealed token set and the DPoP key pair, and one AES-GCM decrypt; oidc-client-ts reads sessionStorage synchronously (${ms(o.sdkOnly.median)} ms) — which keeps nothing across tabs or browser restarts and holds the tokens in plain text.`);
    }
  }
  for (const r of results.perCall ?? []) {
    const limit = r.scheme === 'DPoP' ? 1.5 : 0.2;
    if (r.added.median >= limit) {
      notes.push(`Per-call (${r.scheme}): ${ms(r.added.median, 3)} ms added, of which ${ms(r.wire.median, 3)} ms is what the same headers cost on the wire with a plain fetch (a cross-origin request with an Authorization header: CORS preflight-cache lookup, header bytes), and ${ms(r.own.median, 3)} ms is latchkey's own code (median; p95 ${ms(r.own.p95, 3)} ms).`);
    }
  }
  return notes.length ? ['', 'Where a target is missed:', '', ...notes.map((note) => `- ${note}`)] : [];
}

export function renderReport(results) {
  const env = results.environment;
  const override = Object.entries(env.overrides).map(([name, version]) => `\`${name}\` → ${version}`).join(', ');
  const sections = [
    '# latchkey benchmarks',
    '',
    `Generated by \`npm run bench\` on ${env.date}${results.quick ? ' (**--quick run: fewer repetitions, not for quoting**)' : ''}; took ${Math.round(results.durationS)} s. How to rerun: see the README's "Benchmarks" section.`,
    '',
    `- Machine: ${env.cpu}, ${env.memory}, ${env.os}; ${env.load} (the timings share the cores with whatever else runs)`,
    `- Node ${env.node}; headless Chromium ${env.chromium} via playwright-core ${env.playwrightCore}; esbuild ${env.esbuild}`,
    `- latchkey ${env.latchkey}`,
    `- Peers (exact versions, dev dependencies of bench/): ${Object.entries(env.peers).map(([n, v]) => `${n} ${v}`).join(', ')}`,
    ...(override
      ? [`- npm override: ${override}. @auth0/auth0-spa-js ${env.peers['@auth0/auth0-spa-js']} (its newest) declares \`@auth0/auth0-auth-js@^1.16.1\`, which the registry does not serve (newest there: 1.16.0), so it cannot be installed as is; the override lets npm install it. Its browser ESM build carries its own copy of that code (the bundle imports nothing), so the bytes measured are those of ${env.peers['@auth0/auth0-spa-js']} as published.`]
      : []),
    '- Servers: the embedded oidc-provider and API of demo/server/embedded.ts and a static server for the bench pages, all on 127.0.0.1.',
  ];
  if (results.sizes || results.restore || results.perCall || results.refresh) sections.push('', targetsSection(results));
  const release = releaseTargetsSection(results);
  if (release) sections.push('', release);
  if (results.sizes) sections.push('', sizeSection(results.sizes, env, results.appsRun));
  if (results.reactSizes) sections.push('', reactSizeSection(results.reactSizes, env));
  if (results.capabilitySizes) sections.push('', capabilitySizeSection(results.capabilitySizes));
  if (results.restore) sections.push('', restoreSection(results.restore));
  if (results.perCall) sections.push('', perCallSection(results.perCall));
  if (results.login) sections.push('', loginSection(results.login));
  if (results.refresh) sections.push('', refreshSection(results.refresh, results.plan.refresh));
  return `${sections.join('\n')}\n`;
}

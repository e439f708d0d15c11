/**
 * What the browser parts of the bench run on: the bench pages built once with
 * the shared bundler settings (production bundles, as users ship them), a
 * static server for them, the embedded authorization server + API of
 * demo/server/embedded.ts (everything on 127.0.0.1), and headless Chromium
 * through playwright-core.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { mkdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import { chromium } from 'playwright-core';
import { benchDir, bundle } from './bundle.mjs';
import { chromiumArgs, chromiumExecutable } from '../../test/e2e/chromium.mjs';

/** The size apps that can run against the embedded server (the others need their vendor's servers). */
export const RUNNABLE_APPS = ['latchkey', 'oidc-client-ts', 'floor', 'floor-dpop'];
export const PAGES = ['restore-latchkey', 'restore-oidc-client-ts', 'latchkey', 'oidc-client-ts',
  ...RUNNABLE_APPS.map((name) => `app-${name}`)];
const pagesOut = resolve(benchDir, '.out/pages');

/** Bundles every page of bench/pages, and the runnable apps of bench/apps, into .out/pages/NAME.js. */
export async function buildPages() {
  await mkdir(pagesOut, { recursive: true });
  for (const name of PAGES) {
    const source = name.startsWith('app-') ? resolve(benchDir, 'apps', `${name.slice(4)}.js`) : resolve(benchDir, 'pages', `${name}.js`);
    await bundle(source, { outfile: resolve(pagesOut, `${name}.js`) });
  }
}

/**
 * Serves a bench page at `/` and `/callback` (the redirect URIs registered at
 * the embedded server) and the bundles under /pages/. Which page a browser
 * context gets is its `bench-page` cookie (see `usePage`), so contexts running
 * different SDKs can take turns. Bundles are immutable (cached, as hashed
 * production assets are); the HTML is not. The `latchkey` page (per-call
 * timings) is cross-origin isolated so that `performance.now()` has 5 µs
 * resolution instead of 100 µs; the restore pages are not (isolation costs a
 * process swap on navigation, which would only add noise to load timings).
 */
async function startStaticServer() {
  let benchConfig = {};
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (url.pathname === '/' || url.pathname === '/callback') {
      const page = /(?:^|;\s*)bench-page=([a-z-]+)/.exec(req.headers.cookie ?? '')?.[1];
      if (!PAGES.includes(page)) {
        res.writeHead(400, { 'Content-Type': 'text/plain' }).end('no bench-page cookie');
        return;
      }
      const html =
        '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>latchkey bench</title>' +
        `<script>globalThis.BENCH_CONFIG=${JSON.stringify(benchConfig)}</script>` +
        `<script type="module" src="/pages/${page}.js"></script></head><body></body></html>`;
      res.writeHead(200, {
        'Content-Type': 'text/html; charset=utf-8',
        'Cache-Control': 'no-cache',
        ...(page === 'latchkey' && {
          'Cross-Origin-Opener-Policy': 'same-origin',
          'Cross-Origin-Embedder-Policy': 'require-corp',
        }),
      }).end(html);
      return;
    }
    const match = /^\/pages\/([a-z-]+)\.js$/.exec(url.pathname);
    const file = match && resolve(pagesOut, `${match[1]}.js`);
    if (file && existsSync(file)) {
      res.writeHead(200, {
        'Content-Type': 'text/javascript; charset=utf-8',
        'Cache-Control': 'public, max-age=31536000, immutable',
      }).end(readFileSync(file));
      return;
    }
    res.writeHead(url.pathname === '/favicon.ico' ? 204 : 404).end();
  });
  server.keepAliveTimeout = 1000;
  await new Promise((done, fail) => {
    server.once('error', fail);
    server.listen(0, '127.0.0.1', done);
  });
  return {
    origin: `http://127.0.0.1:${server.address().port}`,
    setConfig(value) {
      benchConfig = value;
    },
    close: () =>
      new Promise((done) => {
        server.close(() => done());
        server.closeAllConnections();
      }),
  };
}

/**
 * Starts the static app server and the embedded authorization server + API
 * (demo/server/embedded.ts; run the bench with tsx so it loads).
 */
export async function startServers({ accessTokenTtl }) {
  const { startEmbedded } = await import('../../demo/server/embedded.ts');
  const app = await startStaticServer();
  let server;
  try {
    server = await startEmbedded({ appOrigin: app.origin, accessTokenTtl });
  } catch (error) {
    await app.close();
    throw error;
  }
  app.setConfig({
    issuer: server.issuer,
    clientId: server.clientId,
    apiOrigin: server.apiOrigin,
    apiResource: server.apiResource,
    appOrigin: app.origin,
  });
  return {
    appUrl: `${app.origin}/`,
    app,
    server,
    async close() {
      await Promise.all([app.close(), server.close()]);
    },
  };
}

/** Makes `context` get bench page `name` from the app server (sets its `bench-page` cookie). */
export async function usePage(context, appUrl, name) {
  if (!PAGES.includes(name)) throw new Error(`no bench page ${name}`);
  await context.addCookies([{ name: 'bench-page', value: name, url: appUrl }]);
}

/** Headless Chromium: the same browser and flags as the e2e tests. */
export async function launchChromium() {
  const executablePath = chromiumExecutable();
  if (process.env.LATCHKEY_CHROMIUM && !existsSync(executablePath)) {
    throw new Error(`Chromium not found at ${executablePath}: fix LATCHKEY_CHROMIUM`);
  }
  return chromium.launch({ ...(executablePath && { executablePath }), headless: true, args: chromiumArgs });
}

/** The bench page's result once `window.__bench.result` is set (then cleared for the next load). */
export async function pageResult(page, timeout = 20_000) {
  await page.waitForFunction(() => window.__bench?.result !== undefined, undefined, { timeout });
  return page.evaluate(() => window.__bench.result);
}

/**
 * Completes oidc-provider's devInteractions forms (login, then consent when
 * shown) and resolves once the browser left the authorization server. The
 * same steps as test/e2e/fixtures.ts.
 */
export async function loginThroughForms(page, username, timeout = 20_000) {
  const loginField = page.locator('input[name="login"]');
  await loginField.waitFor({ state: 'visible', timeout });
  const authOrigin = new URL(page.url()).origin;
  const loginPage = new URL(page.url()).pathname;
  const leftServer = (url) => url.origin !== authOrigin;
  await loginField.fill(username);
  await page.locator('input[name="password"]').fill('any password');
  await page.locator('button[type="submit"]').click();
  await page.waitForURL((url) => leftServer(url) || url.pathname !== loginPage, { timeout });
  if (!leftServer(new URL(page.url()))) {
    await page.locator('form:has(input[name="prompt"][value="consent"]) button[type="submit"]').click({ timeout });
    await page.waitForURL(leftServer, { timeout });
  }
}

/** Opens the app, starts the SDK's redirect login, goes through the forms, and waits until it is back and authenticated. */
export async function logIn(page, appUrl, username) {
  await page.goto(appUrl);
  const first = await pageResult(page);
  if (first.status !== 'unauthenticated') throw new Error(`expected a signed-out page, got ${JSON.stringify(first)}`);
  await page.evaluate(() => {
    void window.__bench.login();
  });
  await loginThroughForms(page, username);
  const result = await pageResult(page);
  if (result.status !== 'authenticated') throw new Error(`login did not authenticate: ${JSON.stringify(result)}`);
  return result;
}

/** Median and nearest-rank 95th percentile of a list of numbers. */
export function stats(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
  const mid = sorted.length / 2;
  const median = sorted.length % 2 ? sorted[Math.floor(mid)] : (sorted[mid - 1] + sorted[mid]) / 2;
  return { n: sorted.length, median, p95: at(0.95), min: sorted[0], max: sorted.at(-1) };
}

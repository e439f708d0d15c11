/**
 * Part 2 of the bench, in headless Chromium against the embedded server:
 * restore on reload (latchkey vs oidc-client-ts), the added time per
 * session.fetch (Bearer and DPoP), and the login round trip (latchkey).
 */
import { logIn, loginThroughForms, pageResult, stats, usePage } from './browser.mjs';

/**
 * Restore: log in once in each SDK's page (one browser context each), then
 * reload the pages in turn, `warmup + runs` times each. A run is the time from
 * navigation start to `ready` resolved (oidc-client-ts: `getUser()` resolved)
 * with an authenticated session, `performance.now()` on the page; `sdkOnly` is
 * the part after the page's module started. Also counts the token requests the
 * restores sent (latchkey promises none while the access token is valid).
 */
export async function measureRestore(browser, stack, sdks, { runs, warmup }) {
  const contexts = [];
  try {
    const pages = [];
    for (const sdk of sdks) {
      const context = await browser.newContext();
      contexts.push(context);
      await usePage(context, stack.appUrl, `restore-${sdk}`);
      const page = await context.newPage();
      await logIn(page, stack.appUrl, `restore-${sdk}`);
      pages.push(page);
    }
    const tokenRequests = stack.server.records.tokenRequests.length;
    const samples = sdks.map(() => ({ total: [], sdkOnly: [], moduleStart: [] }));
    for (let i = 0; i < warmup + runs; i += 1) {
      for (const [index, page] of pages.entries()) {
        await page.reload();
        const result = await pageResult(page);
        if (result.status !== 'authenticated') throw new Error(`${sdks[index]} restore ${i}: ${JSON.stringify(result)}`);
        if (i < warmup) continue;
        samples[index].total.push(result.ready);
        samples[index].sdkOnly.push(result.ready - result.moduleStart);
        samples[index].moduleStart.push(result.moduleStart);
      }
    }
    const requests = stack.server.records.tokenRequests.length - tokenRequests;
    return Object.fromEntries(sdks.map((sdk, index) => [sdk, {
      total: stats(samples[index].total),
      sdkOnly: stats(samples[index].sdkOnly),
      moduleStart: stats(samples[index].moduleStart),
      tokenRequestsDuringRestores: requests,
    }]));
  } finally {
    await Promise.all(contexts.map((context) => context.close()));
  }
}

/**
 * Per-call cost of session.fetch over plain fetch, to the same endpoint
 * (`/public` on the API origin, which answers the same whatever the headers),
 * for a session with `dpop` on or off. `added` = session.fetch − fetch for the
 * median and for the p95; `wire` = the same for a fetch carrying session.fetch's
 * headers (what the headers themselves cost); `own` = time inside session.fetch
 * outside its network call (see the page).
 */
export async function measurePerCall(browser, stack, { dpop, runs, warmup }) {
  const context = await browser.newContext();
  try {
    await usePage(context, stack.appUrl, 'latchkey');
    await context.addInitScript((session) => {
      window.BENCH_OPTIONS = { session };
    }, { dpop, storageName: dpop ? 'bench-dpop' : 'bench-bearer' });
    const page = await context.newPage();
    await logIn(page, stack.appUrl, dpop ? 'percall-dpop' : 'percall-bearer');
    const check = await page.evaluate(() => window.__bench.check());
    const scheme = dpop ? 'DPoP' : 'Bearer';
    if (check.status !== 200 || check.me.dpopBound !== dpop || check.authorization !== scheme) {
      throw new Error(`per-call ${scheme}: the session does not send a valid ${scheme} token: ${JSON.stringify(check)}`);
    }
    const out = await page.evaluate(([n, w]) => window.__bench.perCall(n, w), [runs, warmup]);
    if (!out.isolated) throw new Error('the per-call page is not cross-origin isolated (timer resolution would be 100 µs)');
    const plain = stats(out.plain);
    const headers = stats(out.headers);
    const session = stats(out.session);
    return {
      scheme,
      sentHeaders: out.sentHeaders,
      plain,
      headers,
      session,
      added: { median: session.median - plain.median, p95: session.p95 - plain.p95 },
      wire: { median: headers.median - plain.median, p95: headers.p95 - plain.p95 },
      own: stats(out.own),
    };
  } finally {
    await context.close();
  }
}

/**
 * Login round trip: from `login()` to `ready` resolved with an authenticated
 * session, through the server's login and consent forms filled by Playwright.
 * Each run starts signed out everywhere (cookies cleared, local logout).
 */
export async function measureLogin(browser, stack, { runs, warmup }) {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    const times = [];
    for (let i = 0; i < warmup + runs; i += 1) {
      await context.clearCookies();
      await usePage(context, stack.appUrl, 'latchkey');
      await page.goto(stack.appUrl);
      let result = await pageResult(page);
      if (result.status === 'authenticated') {
        await page.evaluate(() => window.__bench.logoutLocally());
        await page.goto(stack.appUrl);
        result = await pageResult(page);
      }
      if (result.status !== 'unauthenticated') throw new Error(`login ${i}: not signed out: ${JSON.stringify(result)}`);
      await page.evaluate(() => {
        void window.__bench.login();
      });
      await loginThroughForms(page, `login-${i}`);
      result = await pageResult(page);
      if (result.status !== 'authenticated' || result.loginMs === undefined) {
        throw new Error(`login ${i}: ${JSON.stringify(result)}`);
      }
      if (i >= warmup) times.push(result.loginMs);
    }
    return stats(times);
  } finally {
    await context.close();
  }
}

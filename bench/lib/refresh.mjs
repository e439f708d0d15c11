/**
 * Part 3 of the bench: refresh economy. With a short access-token lifetime,
 * `tabs` tabs of one browser profile share a login and each calls the API
 * every `intervalMs` for `windowMs`; the authorization server counts the
 * refresh-token grant requests it gets.
 *
 * "Requests per lifetime" is requests ÷ successful refreshes: each successful
 * refresh ends one access token's lifetime and starts the next, so 1.00 means
 * every lifetime cost exactly one request whatever the number of tabs. Also
 * reported: the largest burst (requests less than 1 s apart), failures, the
 * median time between successful refreshes, and what the API answered.
 */
import { logIn, pageResult, stats, usePage } from './browser.mjs';

export async function measureRefresh(browser, stack, sdk, tabs, { windowMs, intervalMs, accessTokenTtl }) {
  const context = await browser.newContext();
  try {
    await usePage(context, stack.appUrl, sdk);
    await context.addInitScript((options) => {
      window.BENCH_OPTIONS = options;
    }, { accessTokenTtl, session: { storageName: `refresh-${tabs}` } });
    const pages = [await context.newPage()];
    await logIn(pages[0], stack.appUrl, `refresh-${sdk}-${tabs}`);
    for (let i = 1; i < tabs; i += 1) {
      const page = await context.newPage();
      await page.goto(stack.appUrl);
      const result = await pageResult(page);
      if (result.status !== 'authenticated') throw new Error(`${sdk} tab ${i + 1}: ${JSON.stringify(result)}`);
      pages.push(page);
    }
    for (const page of pages) await page.bringToFront?.();
    const records = stack.server.records;
    const startedAt = Date.now();
    const outcomes = await Promise.all(
      pages.map((page) => page.evaluate(([d, i]) => window.__bench.busy(d, i), [windowMs, intervalMs])),
    );
    const endedAt = Date.now();
    const refreshes = records.tokenRequests.filter(
      (request) => request.grantType === 'refresh_token' && request.at >= startedAt && request.at <= endedAt,
    );
    const succeeded = refreshes.filter((request) => request.status === 200);
    const bursts = [];
    for (const request of refreshes) {
      if (bursts.length && request.at - bursts.at(-1).last < 1000) {
        bursts.at(-1).count += 1;
        bursts.at(-1).last = request.at;
      } else bursts.push({ count: 1, last: request.at });
    }
    const api = {};
    for (const { counts } of outcomes) {
      for (const [outcome, count] of Object.entries(counts)) api[outcome] = (api[outcome] ?? 0) + count;
    }
    const gaps = succeeded.slice(1).map((request, index) => (request.at - succeeded[index].at) / 1000);
    return {
      sdk,
      tabs,
      windowS: (endedAt - startedAt) / 1000,
      requests: refreshes.length,
      succeeded: succeeded.length,
      failed: refreshes.length - succeeded.length,
      perLifetime: succeeded.length ? refreshes.length / succeeded.length : null,
      largestBurst: Math.max(0, ...bursts.map((burst) => burst.count)),
      secondsBetweenRefreshes: gaps.length ? stats(gaps).median : null,
      api,
      endedSignedIn: outcomes.filter((outcome) => outcome.status === 'authenticated').length,
    };
  } finally {
    await context.close();
  }
}

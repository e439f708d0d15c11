/**
 * The token lifecycle for real: a 10-second access token, rotation on, several
 * tabs, an outage and a frozen tab. Counts come from the server's own records.
 */
import type { Page } from '@playwright/test';
import { countTokenRequests, expect, loginThroughForms, openApp, test, type Stack, logIn } from './fixtures.ts';

const LIFETIME_MS = 10_000;
test.use({ stackOptions: { accessTokenTtl: LIFETIME_MS / 1000 } });
test.describe.configure({ timeout: 150_000 });

/** Calls the API every half second for `ms`; returns the statuses and error codes seen. */
function callApiFor(page: Page, stack: Stack, ms: number): Promise<{ statuses: number[]; errors: string[] }> {
  return page.evaluate(async ({ api, ms }) => {
    const statuses: number[] = [];
    const errors: string[] = [];
    const end = Date.now() + ms;
    while (Date.now() < end) {
      try {
        statuses.push((await window.session!.fetch(`${api}/api/me`)).status);
      } catch (error) {
        errors.push((error as { code?: string }).code ?? String(error));
      }
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    return { statuses, errors };
  }, { api: stack.server.apiOrigin, ms });
}

/** Times at which the server issued tokens (code exchange and refreshes), in order. */
function issuances(stack: Stack): number[] {
  return stack.server.records.tokenRequests.filter((r) => r.status === 200).map((r) => r.at);
}

test('one busy tab over three lifetimes: never a 401, every refresh before the previous token expired', async ({ page, stack }) => {
  await logIn(page, stack, 'alice');
  const { statuses, errors } = await callApiFor(page, stack, 3.5 * LIFETIME_MS);
  expect(errors).toEqual([]);
  expect(statuses.length).toBeGreaterThan(50);
  expect(statuses.filter((s) => s !== 200)).toEqual([]);
  expect(stack.server.records.apiCalls.filter((c) => c.status !== 200)).toEqual([]);
  const issued = issuances(stack);
  expect(countTokenRequests(stack, 'refresh_token')).toBeGreaterThanOrEqual(3);
  for (let i = 1; i < issued.length; i++) expect(issued[i]! - issued[i - 1]!).toBeLessThan(LIFETIME_MS);
});

test('three busy tabs: at most one refresh per lifetime in all, no invalid_grant, all authenticated', async ({ page, context, stack }) => {
  await logIn(page, stack, 'bob');
  const others = [await context.newPage(), await context.newPage()];
  for (const other of others) {
    await openApp(other, stack);
    await expect(other.locator('#status')).toHaveText('authenticated');
  }
  const tabs = [page, ...others];
  const results = await Promise.all(tabs.map((tab) => callApiFor(tab, stack, 3.5 * LIFETIME_MS)));
  for (const { statuses, errors } of results) {
    expect(errors).toEqual([]);
    expect(statuses.filter((s) => s !== 200)).toEqual([]);
  }
  const refreshes = stack.server.records.tokenRequests.filter((r) => r.grantType === 'refresh_token');
  expect(refreshes.map((r) => r.status).filter((s) => s !== 200)).toEqual([]);
  expect(refreshes.length).toBeGreaterThanOrEqual(3);
  expect(refreshes.length).toBeLessThanOrEqual(Math.ceil((3.5 * LIFETIME_MS) / (0.75 * LIFETIME_MS)) + 1);
  for (let i = 1; i < refreshes.length; i++) {
    expect(refreshes[i]!.at - refreshes[i - 1]!.at, 'two refreshes within one lifetime').toBeGreaterThan(LIFETIME_MS / 2);
  }
  for (const tab of tabs) await expect(tab.locator('#status')).toHaveText('authenticated');
});

test('login in one tab authenticates an open second tab; logout in one unauthenticates the other within a second', async ({ page, context, stack }) => {
  const second = await context.newPage();
  await openApp(second, stack);
  await expect(second.locator('#status')).toHaveText('unauthenticated');
  await logIn(page, stack, 'carol');
  await expect(second.locator('#status')).toHaveText('authenticated', { timeout: 1_000 });
  await expect(second.locator('#user')).toHaveText('carol');

  await page.evaluate(() => void window.session!.logout({ localOnly: true }));
  await expect(second.locator('#status')).toHaveText('unauthenticated', { timeout: 1_000 });
  await expect(page.locator('#status')).toHaveText('unauthenticated');
});

test('a token endpoint outage longer than a lifetime keeps the session, which recovers by itself', async ({ page, stack }) => {
  await logIn(page, stack, 'dave');
  const tokenEndpoint = `${stack.server.issuer}/token`;
  let mode: 'down' | '503' | 'up' = 'down';
  await page.route(tokenEndpoint, (route) =>
    mode === 'down' ? route.abort('failed') : mode === '503' ? route.fulfill({ status: 503, body: 'busy' }) : route.continue());

  const outage = callApiFor(page, stack, 1.6 * LIFETIME_MS);
  await page.waitForTimeout(0.8 * LIFETIME_MS);
  mode = '503';
  const during = await outage;
  expect(new Set(during.errors)).toEqual(new Set(during.errors.length ? ['network'] : []));
  expect(during.errors.length).toBeGreaterThan(0); // the token did expire during the outage
  await expect(page.locator('#status')).toHaveText('authenticated');
  await expect(page.locator('#error')).toHaveText('network');

  mode = 'up';
  await expect(page.locator('#error')).toHaveText('', { timeout: 40_000 });
  await expect(page.locator('#status')).toHaveText('authenticated');
  const after = await callApiFor(page, stack, 2_000);
  expect(after.errors).toEqual([]);
  expect(after.statuses.every((s) => s === 200)).toBe(true);
  expect(stack.server.records.tokenRequests.filter((r) => r.status !== 200)).toEqual([]);
});

test('a tab asleep past expiry refreshes when it becomes visible, before its first API call goes out', async ({ page, stack }) => {
  // The page's timers stop (as in a background tab or a sleeping laptop) while real
  // time, and so the token's life at the server, runs on.
  await page.clock.install();
  await logIn(page, stack, 'erin');
  await page.clock.pauseAt(Date.now() + 100);
  const refreshesBefore = countTokenRequests(stack, 'refresh_token');
  await new Promise((resolve) => setTimeout(resolve, LIFETIME_MS + 2_000));
  expect(countTokenRequests(stack, 'refresh_token')).toBe(refreshesBefore); // no timer fired meanwhile

  await page.clock.setSystemTime(Date.now()); // the clock jumps; still no timer fires
  const wokeAt = Date.now();
  await page.evaluate(() => document.dispatchEvent(new Event('visibilitychange')));
  await expect.poll(() => countTokenRequests(stack, 'refresh_token'), { timeout: 5_000 }).toBe(refreshesBefore + 1);

  const status = await page.evaluate(async (api) => (await window.session!.fetch(`${api}/api/me`)).status, stack.server.apiOrigin);
  expect(status).toBe(200);
  const refresh = stack.server.records.tokenRequests.filter((r) => r.grantType === 'refresh_token' && r.at >= wokeAt);
  const calls = stack.server.records.apiCalls.filter((c) => c.at >= wokeAt);
  expect(refresh).toHaveLength(1);
  expect(calls).toHaveLength(1);
  expect(refresh[0]!.at).toBeLessThanOrEqual(calls[0]!.at);
  expect(stack.server.records.apiCalls.filter((c) => c.status !== 200)).toEqual([]);
  await page.clock.resume();
});

/**
 * Per-API tokens against the real server: the billing API accepts only tokens
 * of its own audience and scope, the main API only its own. Three busy tabs over
 * several 10-second lifetimes, with DPoP on and off: each API only ever sees its
 * own token, no call fails, and no refresh token is spent twice (the server
 * rotates them and would answer a reuse with invalid_grant).
 */
import type { Page } from '@playwright/test';
import { expect, loginThroughForms, openApp, startLogin, test, type Stack } from './fixtures.ts';

const LIFETIME_MS = 10_000;
test.use({ stackOptions: { accessTokenTtl: LIFETIME_MS / 1000 } });
test.describe.configure({ timeout: 150_000 });

function overrides(stack: Stack, dpop: boolean): Record<string, unknown> {
  const { apiOrigin, apiResource, billingOrigin, billingResource, billingScope } = stack.server;
  return {
    dpop,
    resource: apiResource,
    apiOrigins: [apiOrigin, { origin: billingOrigin, resource: billingResource, scope: billingScope }],
  };
}

/** Calls both APIs every half second for `ms`; returns the statuses and error codes seen. */
function callBothFor(page: Page, stack: Stack, ms: number): Promise<{ statuses: number[]; errors: string[] }> {
  return page.evaluate(async ({ api, billing, ms }) => {
    const statuses: number[] = [];
    const errors: string[] = [];
    const end = Date.now() + ms;
    while (Date.now() < end) {
      for (const url of [`${api}/api/me`, `${billing}/api/invoices`]) {
        try {
          statuses.push((await window.session!.fetch(url)).status);
        } catch (error) {
          errors.push((error as { code?: string }).code ?? String(error));
        }
      }
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    return { statuses, errors };
  }, { api: stack.server.apiOrigin, billing: stack.server.billingOrigin, ms });
}

for (const dpop of [true, false]) {
  test(`three tabs over several lifetimes, DPoP ${dpop ? 'on' : 'off'}: each API only its own token, every refresh token spent once`, async ({ page, context, stack }) => {
    await openApp(page, stack, { overrides: overrides(stack, dpop) });
    await expect(page.locator('#status')).toHaveText('unauthenticated');
    await startLogin(page);
    await loginThroughForms(page, 'alice');
    await expect(page.locator('#status')).toHaveText('authenticated');
    const tabs = [page];
    for (let i = 0; i < 2; i++) {
      const tab = await context.newPage();
      await openApp(tab, stack, { overrides: overrides(stack, dpop) });
      await expect(tab.locator('#status')).toHaveText('authenticated');
      tabs.push(tab);
    }
    const results = await Promise.all(tabs.map((tab) => callBothFor(tab, stack, 2.5 * LIFETIME_MS)));
    for (const { statuses, errors } of results) {
      expect(errors).toEqual([]);
      expect(statuses.length).toBeGreaterThan(40);
      expect(statuses.filter((status) => status !== 200)).toEqual([]);
    }
    const { apiCalls, billingCalls, tokenRequests } = stack.server.records;
    const scheme = dpop ? 'DPoP' : 'Bearer';
    expect(new Set(apiCalls.map((call) => `${call.status} ${call.scheme} ${call.aud?.join(' ')}`))).toEqual(new Set([`200 ${scheme} ${stack.server.apiResource}`]));
    expect(new Set(billingCalls.map((call) => `${call.status} ${call.scheme} ${call.aud?.join(' ')}`))).toEqual(new Set([`200 ${scheme} ${stack.server.billingResource}`]));
    expect(billingCalls.every((call) => call.scope?.split(' ').includes(stack.server.billingScope))).toBe(true);
    const refreshes = tokenRequests.filter((request) => request.grantType === 'refresh_token' && request.error !== 'use_dpop_nonce');
    expect(refreshes.map((request) => request.status).filter((status) => status !== 200)).toEqual([]); // a reused refresh token would be invalid_grant
    expect(refreshes.length).toBeGreaterThanOrEqual(4); // main and billing, over 2.5 lifetimes
    expect(refreshes.every((request) => request.dpop === dpop)).toBe(true);
    for (const tab of tabs) await expect(tab.locator('#status')).toHaveText('authenticated');
  });
}

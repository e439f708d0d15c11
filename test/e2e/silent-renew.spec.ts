/**
 * enableSilentRenew in Chromium against a server that issues no refresh tokens:
 * the session outlives its short access tokens, renewed through a hidden
 * prompt=none frame on the server's session, one tab at a time.
 */
import { expect, logIn, test } from './fixtures.ts';

// A server that issues no refresh tokens, and access tokens that live 8 s (a worker of its own).
test.use({ stackOptions: { refreshTokens: false, accessTokenTtl: 8 } });

test('without a refresh token the session outlives its access tokens, renewed through the server session by one tab', async ({ page, stack }) => {
  await logIn(page, stack, 'frank');
  const second = await page.context().newPage();
  await second.goto(stack.appUrl);
  await expect(second.locator('#status')).toHaveText('authenticated');
  const first = await page.evaluate(() => window.session!.getSnapshot().expiresAt);
  for (const tab of [page, second]) await tab.evaluate(() => void window.latchkey.enableSilentRenew(window.session!));
  // Past two lifetimes: without renewal the session would have ended at the first expiry.
  await expect.poll(() => page.evaluate(() => window.session!.getSnapshot().expiresAt), { timeout: 20_000 })
    .toBeGreaterThan(first! + 8_000);
  for (const tab of [page, second]) {
    await expect(tab.locator('#status')).toHaveText('authenticated');
    const me = await tab.evaluate(async (api) => (await window.session!.fetch(`${api}/api/me`)).json(), stack.server.apiOrigin);
    expect(me).toMatchObject({ sub: 'frank' });
  }
  const codes = stack.server.records.tokenRequests.filter((request) => request.grantType === 'authorization_code');
  const renewals = codes.length - 1;
  // One tab renews each time: two renewals over two lifetimes, not four.
  expect(renewals).toBeGreaterThanOrEqual(2);
  expect(renewals).toBeLessThanOrEqual(3);
  expect(stack.server.records.tokenRequests.filter((request) => request.grantType === 'refresh_token')).toEqual([]);
  expect(await page.locator('iframe').count()).toBe(0);
});

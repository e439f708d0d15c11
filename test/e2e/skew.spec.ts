/**
 * A browser clock 5 minutes off the server's, both ways. The embedded API checks
 * DPoP proof `iat` within ±60 s, so the proofs must carry server time; latchkey
 * must neither reject valid tokens nor refresh in a loop.
 */
import { countTokenRequests, expect, loginThroughForms, openApp, test } from './fixtures.ts';

for (const minutes of [5, -5]) {
  test(`browser clock ${minutes > 0 ? 'ahead' : 'behind'} by ${Math.abs(minutes)} minutes`, async ({ page, stack }) => {
    await page.clock.install({ time: Date.now() + minutes * 60_000 });
    await openApp(page, stack);
    await expect(page.locator('#status')).toHaveText('unauthenticated');
    await page.evaluate(() => void window.session!.login());
    await loginThroughForms(page, 'skewed');
    await expect(page.locator('#status')).toHaveText('authenticated');

    const call = () => page.evaluate(async (api) => (await window.session!.fetch(`${api}/api/me`)).status, stack.server.apiOrigin);
    expect(await call()).toBe(200);

    // The token's life counts from its receipt: no refresh is due, however wrong the clock.
    const refreshes = countTokenRequests(stack, 'refresh_token');
    await page.waitForTimeout(2_000);
    expect(countTokenRequests(stack, 'refresh_token')).toBe(refreshes);
    const expiresIn = await page.evaluate(() => window.session!.getSnapshot().expiresAt! - Date.now());
    expect(expiresIn).toBeGreaterThan(290_000);
    expect(expiresIn).toBeLessThanOrEqual(300_000);

    // After a reload (no network), proofs still carry server time.
    await page.reload();
    await expect(page.locator('#status')).toHaveText('authenticated');
    expect(await call()).toBe(200);
    expect(stack.server.records.apiCalls.map((c) => c.status)).toEqual([200, 200]);
  });
}

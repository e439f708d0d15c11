/**
 * latchkey/react in a real React 19 app (test/e2e/react-app, under <StrictMode>
 * and the stack's strict CSP) against the embedded authorization server.
 */
import type { Page } from '@playwright/test';
import { countTokenRequests, expect, loginThroughForms, test, watchPage } from './fixtures.ts';

test.use({
  stackOptions: {
    appRoot: 'test/e2e/react-app',
    dependencies: ['react', 'react/jsx-dev-runtime', 'react-dom/client'],
  },
});

/** Path, query and hash of the page's URL. */
function here(page: Page): string {
  const url = new URL(page.url());
  return url.pathname + url.search + url.hash;
}

test('deep link while signed out: one login, one exchange, back at the deep link; a reload restores without a token request', async ({ page, stack }) => {
  const seen = watchPage(page, stack);
  await page.goto(`${stack.appUrl}deep/page?x=1#h`);
  await loginThroughForms(page, 'alice');

  await expect(page.locator('#secret')).toHaveText('signed in as alice');
  await expect.poll(() => here(page)).toBe('/deep/page?x=1#h');
  await expect(page.locator('#status')).toHaveText('authenticated');
  expect(countTokenRequests(stack, 'authorization_code')).toBe(1);
  expect({ pushed: seen.pushed, authorize: seen.authorize }).toEqual({ pushed: 1, authorize: 1 });
  await expect(page.locator('#error')).toHaveText('');

  stack.server.records.reset();
  await page.reload();
  await expect(page.locator('#secret')).toHaveText('signed in as alice');
  await expect.poll(() => here(page)).toBe('/deep/page?x=1#h');
  await expect(page.locator('#status')).toHaveText('authenticated');
  expect(stack.server.records.tokenRequests).toEqual([]);
  expect({ pushed: seen.pushed, authorize: seen.authorize }).toEqual({ pushed: 1, authorize: 1 });
  await expect(page.locator('#error')).toHaveText('');
  expect(seen.errors).toEqual([]);
});

test('a page without a guard stays signed out, with no login and no error', async ({ page, stack }) => {
  const seen = watchPage(page, stack);
  await page.goto(`${stack.appUrl}public?code=mine`);
  await expect(page.locator('#status')).toHaveText('unauthenticated');
  await expect(page.locator('#public')).toBeVisible();
  await expect(page.locator('#error')).toHaveText('');
  expect(new URL(page.url()).search).toBe('?code=mine');
  expect({ pushed: seen.pushed, authorize: seen.authorize }).toEqual({ pushed: 0, authorize: 0 });
  expect(seen.errors).toEqual([]);
});

test('RequireAuth mounted and unmounted over and over starts one login', async ({ page, stack }) => {
  const seen = watchPage(page, stack);
  // Hold the PAR answer until the page has flapped its guards, so every mount
  // happens while the first login is still on its way.
  let release!: () => void;
  const held = new Promise<void>((resolve) => {
    release = resolve;
  });
  await page.route(`${stack.server.issuer}/request`, async (route) => {
    await held;
    await route.continue();
  });
  await page.goto(`${stack.appUrl}flap`);
  await expect(page.locator('#rounds')).toHaveText('30');
  release();
  await page.locator('input[name="login"]').waitFor();
  expect({ pushed: seen.pushed, authorize: seen.authorize }).toEqual({ pushed: 1, authorize: 1 });
  expect(seen.errors).toEqual([]);
});

/**
 * latchkey/vue in a real Vue 3 + vue-router app (test/e2e/vue-app, render
 * functions under the stack's strict CSP) against the embedded authorization server.
 */
import { countTokenRequests, expect, loginThroughForms, test, watchPage } from './fixtures.ts';

test.use({
  stackOptions: {
    appRoot: 'test/e2e/vue-app',
    dependencies: ['vue', 'vue-router'],
    define: {
      __VUE_OPTIONS_API__: 'true',
      __VUE_PROD_DEVTOOLS__: 'false',
      __VUE_PROD_HYDRATION_MISMATCH_DETAILS__: 'false',
    },
  },
});

test('deep link while signed out: one login, one exchange, back at the deep link; a reload restores without a token request', async ({ page, stack }) => {
  const seen = watchPage(page, stack);

  await page.goto(`${stack.appUrl}deep/page?x=1#h`);
  await loginThroughForms(page, 'bob');

  await expect(page.locator('#page')).toHaveText('/deep/page?x=1#h');
  await expect(page.locator('#status')).toHaveText('authenticated');
  await expect(page.locator('#user')).toHaveText('bob');
  const url = new URL(page.url());
  expect(url.pathname + url.search + url.hash).toBe('/deep/page?x=1#h');
  expect(countTokenRequests(stack, 'authorization_code')).toBe(1);
  expect({ pushed: seen.pushed, authorize: seen.authorize }).toEqual({ pushed: 1, authorize: 1 });
  await expect(page.locator('#error')).toHaveText('');

  stack.server.records.reset();
  await page.reload();
  await expect(page.locator('#page')).toHaveText('/deep/page?x=1#h');
  await expect(page.locator('#status')).toHaveText('authenticated');
  expect(stack.server.records.tokenRequests).toEqual([]);
  expect({ pushed: seen.pushed, authorize: seen.authorize }).toEqual({ pushed: 1, authorize: 1 });
  await expect(page.locator('#error')).toHaveText('');
  expect(seen.errors).toEqual([]);
});

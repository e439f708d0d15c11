/**
 * Shared Playwright fixtures and helpers for latchkey's end-to-end tests.
 *
 * - `stack` (worker-scoped): the embedded authorization server + API + a vite dev
 *   server for test/e2e/app, started once per worker, closed after it. Its
 *   `server.records` are emptied before each test.
 * - `loginThroughForms`, `openApp`, `countTokenRequests`: helpers.
 */
import { test as base, expect, type Page } from '@playwright/test';
import { startStack, type Stack, type StackOptions } from '../../demo/server/stack.ts';

export type { Stack };
export { expect };

/** Playwright's `test` with the worker-scoped `stack` fixture. */
export const test = base.extend<{ freshRecords: void }, { stack: Stack; stackOptions: Partial<StackOptions> }>({
  /**
   * Per spec file: `test.use({ stackOptions: { accessTokenTtl: 10 } })` (a worker of its own);
   * `appRoot` serves another app than test/e2e/app (the React and Vue apps).
   */
  stackOptions: [{}, { scope: 'worker', option: true }],
  stack: [
    async ({ stackOptions }, use) => {
      const stack = await startStack({
        appRoot: 'test/e2e/app',
        accessTokenTtl: 300,
        // core.spec.ts calls the API under its other loopback name to prove no token goes there.
        extraConnectSources: ({ apiOrigin }) => [apiOrigin.replace('127.0.0.1', 'localhost')],
        ...stackOptions,
      });
      try {
        await use(stack);
      } finally {
        await stack.close();
      }
    },
    { scope: 'worker', timeout: 60_000 },
  ],
  freshRecords: [
    async ({ stack }, use) => {
      stack.server.records.reset();
      await use();
    },
    { auto: true },
  ],
});

/**
 * Opens the e2e app. `overrides` are merged into the app's `createSession`
 * options (through sessionStorage `lk-overrides`, on every navigation of this
 * page); `manual: true` adds `?manual` so the app creates no session.
 */
export async function openApp(
  page: Page,
  stack: Stack,
  options: { overrides?: Record<string, unknown>; manual?: boolean } = {},
): Promise<void> {
  if (options.overrides) {
    await page.addInitScript((json) => sessionStorage.setItem('lk-overrides', json), JSON.stringify(options.overrides));
  }
  await page.goto(options.manual ? `${stack.appUrl}?manual` : stack.appUrl);
}

/**
 * Completes oidc-provider's devInteractions: waits for the login form, signs in
 * as `username` (any name works; the password is ignored), confirms the consent
 * form when it is shown, and resolves once the browser has left the
 * authorization server (back on the app, or wherever the redirect goes).
 */
export async function loginThroughForms(page: Page, username: string, options: { timeout?: number } = {}): Promise<void> {
  const timeout = options.timeout ?? 20_000;
  const loginField = page.locator('input[name="login"]');
  await loginField.waitFor({ state: 'visible', timeout });
  const authOrigin = new URL(page.url()).origin;
  const loginPage = new URL(page.url()).pathname;
  const leftServer = (url: URL) => url.origin !== authOrigin;

  await loginField.fill(username);
  await page.locator('input[name="password"]').fill('any password');
  await page.locator('button[type="submit"]').click();
  await page.waitForURL((url) => leftServer(url) || url.pathname !== loginPage, { timeout });

  if (!leftServer(new URL(page.url()))) {
    const consent = page.locator('form:has(input[name="prompt"][value="consent"]) button[type="submit"]');
    await consent.click({ timeout });
    await page.waitForURL(leftServer, { timeout });
  }
}

/**
 * Watches `page`: the authorization requests it makes (PAR pushes and
 * front-channel `/auth` navigations, not the `/auth/<uid>` resumes) and the
 * app's own errors (page errors, and console errors from the app's origin — not
 * the authorization server's form pages, nor the browser's favicon probe).
 */
export function watchPage(page: Page, stack: Stack): { pushed: number; authorize: number; errors: string[] } {
  const seen = { pushed: 0, authorize: 0, errors: [] as string[] };
  page.on('request', (request) => {
    const url = new URL(request.url());
    if (url.origin !== stack.server.issuer) return;
    if (url.pathname === '/request' && request.method() === 'POST') seen.pushed += 1;
    if (url.pathname === '/auth') seen.authorize += 1;
  });
  page.on('pageerror', (error) => seen.errors.push(`pageerror: ${error.message}`));
  page.on('console', (message) => {
    const source = message.location().url;
    if (message.type() === 'error' && source.startsWith(stack.appUrl) && !source.endsWith('/favicon.ico')) {
      seen.errors.push(`console: ${message.text()} @ ${source}`);
    }
  });
  return seen;
}

/** How many token endpoint requests with this `grant_type` the server saw (any status). */
export function countTokenRequests(stack: Stack, grantType: string): number {
  return stack.server.records.tokenRequests.filter((request) => request.grantType === grantType).length;
}

/** Starts `session.login(options)` without awaiting it (the page navigates away). */
export async function startLogin(page: Page, options: Record<string, unknown> = {}): Promise<void> {
  await page.evaluate((opts) => {
    void window.session!.login(opts);
  }, options);
}

/** Opens the app signed out, logs in as `user` through the forms, waits for `authenticated`. */
export async function logIn(page: Page, stack: Stack, user: string, options: Record<string, unknown> = {}): Promise<void> {
  await openApp(page, stack);
  await expect(page.locator('#status')).toHaveText('unauthenticated');
  await startLogin(page, options);
  await loginThroughForms(page, user);
  await expect(page.locator('#status')).toHaveText('authenticated');
}

/**
 * The optional capabilities in Chromium against the embedded oidc-provider:
 * popup login (completed, closed by the user, blocked), silent session checks
 * in a hidden iframe (true with a server session, false without, timeout when
 * the server refuses to be framed), and getAuthorizationHeaders driving an XHR
 * client (axios) against the DPoP-verifying API.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Page } from '@playwright/test';
import { expect, logIn, openApp, test, type Stack } from './fixtures.ts';

/** Records every navigation of the page's main frame from now on. */
function mainFrameNavigations(page: Page): string[] {
  const urls: string[] = [];
  page.on('framenavigated', (frame) => {
    if (frame === page.mainFrame()) urls.push(frame.url());
  });
  return urls;
}

/** Collects the Content-Security-Policy violations of the page's main document (from its next load on). */
async function watchPolicy(page: Page): Promise<() => Promise<string[]>> {
  await page.addInitScript(() => {
    if (window !== window.top) return;
    const seen: string[] = [];
    (window as unknown as { cspViolations: string[] }).cspViolations = seen;
    document.addEventListener('securitypolicyviolation', (event) => seen.push(`${event.violatedDirective} ${event.blockedURI}`));
  });
  return () => page.evaluate(() => (window as unknown as { cspViolations?: string[] }).cspViolations ?? ['not watched']);
}

async function settled(page: Page): Promise<void> {
  await page.waitForFunction(() => window.session !== undefined);
  await page.evaluate(() => window.session!.ready);
}

/**
 * Logs in through the forms, then opens the app on another (empty) storage: the
 * tab has no session, the server still has one (its cookie). Not `logout()`:
 * that revokes the refresh token, and oidc-provider then ends the whole grant,
 * so a `prompt=none` request would answer `consent_required`.
 */
async function serverSessionOnly(page: Page, stack: Stack, user: string): Promise<void> {
  await logIn(page, stack, user);
  await openApp(page, stack, { overrides: { storageName: 'latchkey-elsewhere' } });
  await expect(page.locator('#status')).toHaveText('unauthenticated');
}

const checkSession = (page: Page, timeoutSeconds?: number) =>
  page.evaluate(async (seconds) => {
    try {
      return { result: await window.latchkey.checkSession(window.session!, seconds === undefined ? {} : { timeoutSeconds: seconds }) };
    } catch (error) {
      return { error: (error as { code?: string }).code ?? String(error) };
    }
  }, timeoutSeconds);

test.describe('loginWithPopup', () => {
  test('a click opens the popup, the user logs in there, and this tab becomes authenticated without navigating', async ({ page, stack }) => {
    const violations = await watchPolicy(page);
    await openApp(page, stack);
    await expect(page.locator('#status')).toHaveText('unauthenticated');
    const navigations = mainFrameNavigations(page);
    const [popup] = await Promise.all([page.waitForEvent('popup'), page.locator('#popup-login').click()]);
    await popup.locator('input[name="login"]').waitFor();
    expect(new URL(popup.url()).origin).toBe(stack.server.issuer);
    await popup.locator('input[name="login"]').fill('alice');
    await popup.locator('input[name="password"]').fill('any password');
    await popup.locator('button[type="submit"]').click();
    const consent = popup.locator('form:has(input[name="prompt"][value="consent"]) button[type="submit"]');
    await consent.click({ timeout: 10_000 }).catch(() => undefined); // shown on the first login of this client
    await expect(page.locator('#popup-result')).toHaveText('ok');
    await expect(page.locator('#status')).toHaveText('authenticated');
    await expect(page.locator('#user')).toHaveText('alice');
    await expect.poll(() => popup.isClosed()).toBe(true);
    expect(navigations).toEqual([]);
    const me = await page.evaluate(async (api) => (await window.session!.fetch(`${api}/api/me`)).json(), stack.server.apiOrigin);
    expect(me).toMatchObject({ sub: 'alice' });
    expect(await violations()).toEqual([]);
  });

  test('the user closes the popup: popup_closed, and the tab stays signed out', async ({ page, stack }) => {
    await openApp(page, stack);
    await expect(page.locator('#status')).toHaveText('unauthenticated');
    const [popup] = await Promise.all([page.waitForEvent('popup'), page.locator('#popup-login').click()]);
    await popup.locator('input[name="login"]').waitFor();
    await popup.close();
    await expect(page.locator('#popup-result')).toHaveText('popup_closed');
    await expect(page.locator('#status')).toHaveText('unauthenticated');
    await expect(page.locator('#error')).toHaveText('');
  });

  test('the browser blocks the popup (window.open returns null): popup_blocked, nothing sent', async ({ page, stack }) => {
    await openApp(page, stack);
    await settled(page);
    let popups = 0;
    page.on('popup', () => popups++);
    const code = await page.evaluate(async () => {
      window.open = () => null; // what a popup blocker does
      return window.latchkey.loginWithPopup(window.session!).then(() => 'ok', (error: { code?: string }) => error.code);
    });
    expect(code).toBe('popup_blocked');
    expect(popups).toBe(0);
    expect(stack.server.records.tokenRequests).toEqual([]);
  });
});

test.describe('checkSession', () => {
  test('true with a session at the server: authenticated, no navigation, the frame removed, no CSP violation', async ({ page, stack }) => {
    const violations = await watchPolicy(page);
    await serverSessionOnly(page, stack, 'bob');
    const navigations = mainFrameNavigations(page);
    expect(await checkSession(page)).toEqual({ result: true });
    await expect(page.locator('#status')).toHaveText('authenticated');
    await expect(page.locator('#user')).toHaveText('bob');
    expect(navigations).toEqual([]);
    expect(await page.locator('iframe').count()).toBe(0);
    expect(await violations()).toEqual([]);
  });

  test('false without a session at the server: no error, no navigation, still signed out', async ({ page, stack }) => {
    await openApp(page, stack);
    await settled(page);
    const navigations = mainFrameNavigations(page);
    expect(await checkSession(page)).toEqual({ result: false });
    await expect(page.locator('#status')).toHaveText('unauthenticated');
    await expect(page.locator('#error')).toHaveText('');
    expect(navigations).toEqual([]);
    expect(await page.locator('iframe').count()).toBe(0);
  });

  test('timeout when the server refuses to be framed (X-Frame-Options / frame-ancestors)', async ({ page, stack }) => {
    await serverSessionOnly(page, stack, 'carol');
    stack.server.refuseFraming = true;
    try {
      expect(await checkSession(page, 3)).toEqual({ error: 'timeout' });
    } finally {
      stack.server.refuseFraming = false;
    }
    await expect(page.locator('#status')).toHaveText('unauthenticated');
    expect(await page.locator('iframe').count()).toBe(0);
  });
});

/** axios's browser build (UMD: sets window.axios), evaluated into the page; the app itself has no axios. */
const axiosBrowserBuild = readFileSync(resolve(import.meta.dirname, '../../node_modules/axios/dist/axios.min.js'), 'utf8');

test.describe('getAuthorizationHeaders', () => {
  test('an XHR client (axios) calls the DPoP-bound API with them; a proof for another method is refused', async ({ page, stack }) => {
    await logIn(page, stack, 'dave');
    await page.evaluate(axiosBrowserBuild);
    const results = await page.evaluate(async (api) => {
      const { getAuthorizationHeaders } = window.latchkey;
      const session = window.session!;
      const client = window.axios.create({ adapter: 'xhr', validateStatus: () => true });
      client.interceptors.request.use(async (config) => {
        const url = new URL(config.url!, config.baseURL ?? location.href);
        config.headers.set(await getAuthorizationHeaders(session, url, config.method?.toUpperCase()));
        return config;
      });
      const get = await client.get(`${api}/api/me`);
      const post = await client.post(`${api}/api/items`, { name: 'x' });
      // The same headers, made for GET, on a POST: the API must refuse the proof.
      const wrong = await window.axios.post(`${api}/api/items`, {}, {
        adapter: 'xhr',
        validateStatus: () => true,
        headers: await getAuthorizationHeaders(session, `${api}/api/items`, 'GET'),
      });
      return {
        get: { status: get.status, data: get.data },
        post: { status: post.status, data: post.data },
        wrong: wrong.status,
        keys: Object.keys(await getAuthorizationHeaders(session, `${api}/api/me`)).sort(),
      };
    }, stack.server.apiOrigin);
    expect(results.keys).toEqual(['authorization', 'dpop']);
    expect(results.get).toMatchObject({ status: 200, data: { sub: 'dave', dpopBound: true, method: 'GET' } });
    expect(results.post).toMatchObject({ status: 200, data: { sub: 'dave', dpopBound: true, method: 'POST' } });
    expect(results.wrong).toBe(401);
  });

  test('origin_not_allowed for an origin outside apiOrigins; login_required signed out', async ({ page, stack }) => {
    await logIn(page, stack, 'erin');
    const other = stack.server.apiOrigin.replace('127.0.0.1', 'localhost');
    const codes = await page.evaluate(async ([api, elsewhere]) => {
      const attempt = (url: string) =>
        window.latchkey.getAuthorizationHeaders(window.session!, url).then(() => 'ok', (error: { code?: string }) => error.code);
      const outside = await attempt(`${elsewhere}/api/me`);
      await window.session!.logout({ localOnly: true });
      return { outside, signedOut: await attempt(`${api}/api/me`) };
    }, [stack.server.apiOrigin, other] as const);
    expect(codes).toEqual({ outside: 'origin_not_allowed', signedOut: 'login_required' });
  });
});

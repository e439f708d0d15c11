/**
 * The demo (demo/, `npm run demo`) end to end, driven through its buttons the
 * way a visitor would, and the billing API it calls: a second resource server
 * that accepts only tokens of its own audience and scope.
 */
import type { BrowserContext, Page } from '@playwright/test';
import { decodeJwt } from 'jose';
import { DEMO_DEPENDENCIES } from '../../demo/server/demo-stack.ts';
import { readBrowserState } from './browser-state.ts';
import { countTokenRequests, expect, loginThroughForms, test, watchPage, type Stack } from './fixtures.ts';
import { codeFlow, refresh } from './node-client.ts';

// The demo app on the stack, with short-lived access tokens: refreshed at 75 %
// of 20 s, so a test sees one without a long wait.
test.use({
  stackOptions: { appRoot: 'demo', dependencies: DEMO_DEPENDENCIES, accessTokenTtl: 20, extraConnectSources: () => [] },
});

/**
 * Every secret the browser context sends or receives: the tokens in the token
 * endpoint's answers and in the Authorization headers sent to the APIs. None of
 * them may ever appear in a page or in storage as text.
 */
function collectSecrets(context: BrowserContext, stack: Stack): Set<string> {
  const secrets = new Set<string>();
  context.on('request', (request) => {
    const origin = new URL(request.url()).origin;
    const authorization = request.headers().authorization;
    if (authorization && (origin === stack.server.apiOrigin || origin === stack.server.billingOrigin)) {
      secrets.add(authorization.split(' ')[1]!);
    }
  });
  context.on('response', async (response) => {
    if (response.url() !== `${stack.server.issuer}/token` || response.status() !== 200) return;
    const body = (await response.json().catch(() => ({}))) as Record<string, unknown>;
    for (const name of ['access_token', 'refresh_token', 'id_token']) {
      if (typeof body[name] === 'string') secrets.add(body[name]);
    }
  });
  return secrets;
}

/** The page's whole document (text and attributes) contains none of `secrets`. */
async function expectNoSecretShown(page: Page, secrets: Set<string>): Promise<void> {
  const html = await page.evaluate(() => document.documentElement.outerHTML);
  for (const secret of secrets) expect(html.includes(secret), 'a token is shown on the page').toBe(false);
}

/** How many events of `type` the tab's event log shows. */
function logged(page: Page, type: string): Promise<number> {
  return page.locator(`#event-log [data-type="${type}"]`).count();
}

test.describe('the demo, through its buttons', () => {
  test('log in, the name, two APIs with their own audiences, a thief finds nothing readable, a second tab shares one refresh, logout ends both', async ({ page, context, stack }) => {
    const { server } = stack;
    const secrets = collectSecrets(context, stack);
    const { errors } = watchPage(page, stack);
    await page.goto(stack.appUrl);
    await expect(page.locator('#status')).toHaveText('unauthenticated');

    // Log in (redirect): greeted by name, not by protocol claims.
    await page.locator('#login').click();
    await loginThroughForms(page, 'alice');
    await expect(page.locator('#status')).toHaveText('authenticated');
    await expect(page.locator('#user-name')).toHaveText('alice');
    await expect(page.locator('#expires-in')).toHaveText(/^0:\d\d$/);
    expect(await logged(page, 'logged_in')).toBe(1);

    // Both APIs answer, each having seen only a token of its own audience.
    await page.locator('#call-api').click();
    await expect(page.locator('#api-status')).toHaveText('200 OK');
    await page.locator('#call-billing').click();
    await expect(page.locator('#billing-status')).toHaveText('200 OK');
    await expect(page.locator('#api-result .api-aud')).toHaveText(server.apiResource);
    await expect(page.locator('#billing-result .api-aud')).toHaveText(server.billingResource);
    await expect(page.locator('#billing-result .api-scope')).toHaveText(server.billingScope);
    const seen = (calls: typeof server.records.apiCalls) => [...new Set(calls.map(({ status, scheme, aud }) => JSON.stringify({ status, scheme, aud })))];
    expect(seen(server.records.apiCalls)).toEqual([JSON.stringify({ status: 200, scheme: 'DPoP', aud: [server.apiResource] })]);
    expect(seen(server.records.billingCalls)).toEqual([JSON.stringify({ status: 200, scheme: 'DPoP', aud: [server.billingResource] })]);
    expect(server.records.billingCalls.every((call) => call.scope === server.billingScope)).toBe(true);

    // The storage panel: sealed records, secret and private keys that cannot be exported, no token text.
    await page.locator('#vault-read').click();
    await expect(page.locator('#vault-summary')).toContainText('0 readable tokens');
    await expect(page.locator('#vault-summary')).toContainText('localStorage 0, sessionStorage 0, cookies 0');
    const keyChips = page.locator('#vault [data-key-type="secret"], #vault [data-key-type="private"]');
    expect(await keyChips.count()).toBeGreaterThanOrEqual(2); // the sealing key and the DPoP private key
    expect(await keyChips.evaluateAll((chips) => chips.map((chip) => chip.getAttribute('data-extractable')))).toEqual(
      Array.from({ length: await keyChips.count() }, () => 'false'),
    );
    await expect(page.locator('#vault .chip-bytes').first()).toContainText('bytes');
    await page.locator('#vault-export').click();
    const attempts = page.locator('#vault-exports li');
    await expect(attempts.first()).toBeVisible();
    expect(await attempts.allTextContents()).toEqual(
      Array.from({ length: await attempts.count() }, () => expect.stringContaining('refused (InvalidAccessError)')),
    );
    // What the panel read is what storage holds: the same keys, and no secret in any form.
    const state = await readBrowserState(page);
    expect(state.keys.filter((key) => key.type !== 'public').length).toBe(await keyChips.count());
    expect(secrets.size).toBeGreaterThanOrEqual(3);
    for (const secret of secrets) expect(state.strings.some((text) => text.includes(secret)), 'a token readable in storage').toBe(false);
    await expectNoSecretShown(page, secrets);

    // Another tab: signed in from the shared vault at once, no token request.
    const requestsBefore = server.records.tokenRequests.length;
    const [other] = await Promise.all([context.waitForEvent('page'), page.locator('#open-tab').click()]);
    const otherErrors = watchPage(other, stack).errors;
    await expect(other.locator('#user-name')).toHaveText('alice');
    expect(server.records.tokenRequests.slice(requestsBefore).filter((r) => r.grantType !== 'refresh_token')).toEqual([]);

    // The next refresh happens once, in one tab; the other tab logs tab_synced.
    const tabs = [page, other];
    const before = await Promise.all(tabs.map((tab) => logged(tab, 'refreshed')));
    const refreshedIn = async () => (await Promise.all(tabs.map((tab) => logged(tab, 'refreshed')))).map((n, i) => n - before[i]!);
    await expect.poll(async () => (await refreshedIn()).some((n) => n > 0), { timeout: 40_000 }).toBe(true);
    const refresher = (await refreshedIn())[0]! > 0 ? 0 : 1;
    const bystander = tabs[1 - refresher]!;
    await expect.poll(() => logged(bystander, 'tab_synced'), { timeout: 10_000 }).toBeGreaterThan(0);
    // One token request per refresh across both tabs: every refresh_token grant is some tab's `refreshed`.
    await expect.poll(async () => {
      const requests = server.records.tokenRequests.slice(requestsBefore).filter((r) => r.grantType === 'refresh_token' && r.status === 200).length;
      const events = (await refreshedIn()).reduce((sum, n) => sum + n, 0);
      return requests === events;
    }).toBe(true);
    for (const tab of tabs) await expectNoSecretShown(tab, secrets);

    // Logout in the first tab ends the session in both.
    await page.locator('#logout').click();
    await page.waitForURL((url) => url.origin === server.issuer);
    await page.waitForURL((url) => url.origin === new URL(stack.appUrl).origin);
    await expect(page.locator('#status')).toHaveText('unauthenticated');
    await expect(other.locator('#status')).toHaveText('unauthenticated');
    await expect(other.locator('#login')).toBeVisible();
    await expect(other.locator('#vault-summary')).toContainText('0 bytes of ciphertext');
    expect([...errors, ...otherErrors]).toEqual([]);
  });

  test('log in with a popup: this tab never navigates, the popup closes, the user is greeted', async ({ page, stack }) => {
    const { errors } = watchPage(page, stack);
    await page.goto(stack.appUrl);
    await expect(page.locator('#status')).toHaveText('unauthenticated');
    let navigations = 0;
    page.on('framenavigated', (frame) => {
      if (frame === page.mainFrame()) navigations += 1;
    });

    const [popup] = await Promise.all([page.waitForEvent('popup', { timeout: 10_000 }), page.locator('#login-popup').click()]);
    await popup.locator('input[name="login"]').waitFor();
    expect(new URL(popup.url()).origin).toBe(stack.server.issuer);
    await popup.locator('input[name="login"]').fill('bob');
    await popup.locator('input[name="password"]').fill('any password');
    await popup.locator('button[type="submit"]').click();
    const consent = popup.locator('form:has(input[name="prompt"][value="consent"]) button[type="submit"]');
    await consent.click({ timeout: 5_000 }).catch(() => undefined); // shown once per grant; the popup may be gone already

    await expect(page.locator('#user-name')).toHaveText('bob');
    await expect.poll(() => popup.isClosed()).toBe(true);
    expect(navigations).toBe(0);
    expect(await logged(page, 'logged_in')).toBe(1);
    await page.locator('#call-billing').click();
    await expect(page.locator('#billing-status')).toHaveText('200 OK');
    expect(errors).toEqual([]);
  });

  test('a deep link to /account while signed out: RequireAuth sends you to log in once and brings you back there', async ({ page, stack }) => {
    const seen = watchPage(page, stack);
    await page.goto(`${stack.appUrl}account?tab=usage#top`);
    await loginThroughForms(page, 'carol');

    await expect(page.locator('#user-name')).toHaveText('carol');
    await expect.poll(() => new URL(page.url())).toMatchObject({ pathname: '/account', search: '?tab=usage', hash: '#top' });
    expect(seen.authorize).toBe(1);
    expect(countTokenRequests(stack, 'authorization_code')).toBe(1);
    expect(seen.errors).toEqual([]);
  });
});

test.describe('the billing API (no latchkey: a plain client in Node)', () => {
  test('one grant, two audiences: each API accepts only its own token, and billing only with billing:read', async ({ page, stack }) => {
    const { server } = stack;
    const flow = await codeFlow(page, server, {
      username: 'alice',
      redirectUri: new URL('/callback', stack.appUrl).href,
      scope: `openid profile offline_access api:read ${server.billingScope}`,
      resource: [server.apiResource, server.billingResource],
      dpop: false,
    });
    const main = flow.tokens;
    expect(decodeJwt(main.access_token)).toMatchObject({ aud: server.apiResource, scope: 'api:read' });

    // The refresh-token grant narrows to the billing resource and scope (RFC 8707 §2.2, RFC 6749 §6).
    const billing = await refresh(flow, main.refresh_token!, { resource: server.billingResource, scope: server.billingScope });
    expect(decodeJwt(billing.access_token)).toMatchObject({ aud: server.billingResource, scope: server.billingScope, sub: 'alice' });
    // Without resource it is the main API's token again (the granted default).
    const again = await refresh(flow, billing.refresh_token!);
    expect(decodeJwt(again.access_token)).toMatchObject({ aud: server.apiResource });

    // The billing audience without the billing scope.
    const unscoped = await refresh(flow, again.refresh_token!, { resource: server.billingResource, scope: 'openid' });
    expect(decodeJwt(unscoped.access_token)).toMatchObject({ aud: server.billingResource });
    expect(decodeJwt(unscoped.access_token).scope ?? '').not.toContain(server.billingScope);

    const call = async (origin: string, token: string) => {
      const response = await fetch(`${origin}/api/me`, { headers: { Authorization: `Bearer ${token}` } });
      return `${response.status} ${/error="([a-z_]+)"/.exec(response.headers.get('www-authenticate') ?? '')?.[1] ?? ''}`.trim();
    };
    const answers = {
      mainWithMain: await call(server.apiOrigin, again.access_token),
      mainWithBilling: await call(server.apiOrigin, billing.access_token),
      billingWithBilling: await call(server.billingOrigin, billing.access_token),
      billingWithMain: await call(server.billingOrigin, again.access_token),
      billingWithoutScope: await call(server.billingOrigin, unscoped.access_token),
    };
    expect(answers).toEqual({
      mainWithMain: '200',
      mainWithBilling: '401 invalid_token',
      billingWithBilling: '200',
      billingWithMain: '401 invalid_token',
      billingWithoutScope: '403 insufficient_scope',
    });
    expect(server.records.apiCalls.map(({ status, aud, error }) => ({ status, aud, error }))).toEqual([
      { status: 200, aud: [server.apiResource], error: undefined },
      { status: 401, aud: undefined, error: 'invalid_token' },
    ]);
    expect(server.records.billingCalls.map(({ status, aud, scope, error }) => ({ status, aud, scope, error }))).toEqual([
      { status: 200, aud: [server.billingResource], scope: server.billingScope, error: undefined },
      { status: 401, aud: undefined, scope: undefined, error: 'invalid_token' },
      { status: 403, aud: [server.billingResource], scope: '', error: 'insufficient_scope' },
    ]);
  });
});

/**
 * The integrity findings where the browser, the lock or the server is part of
 * it: two apps on one origin, a logout while a refresh answer is held, a hanging
 * revocation, an API that redirects to another origin, a refresh refused with
 * 400 and no body. Short access tokens (10 s) so refreshes come by themselves.
 */
import type { Page, Route } from '@playwright/test';
import * as oauth from 'oauth4webapi';
import { indexedDbKeys } from './browser-state.ts';
import { countTokenRequests, expect, logIn, openApp, test, type Stack } from './fixtures.ts';
import { codeFlow } from './node-client.ts';

test.use({ stackOptions: { accessTokenTtl: 10 } });
test.describe.configure({ timeout: 90_000 });

/** Creates a second session in the page: the same origin and storageName, another client id. */
async function otherApp(page: Page, stack: Stack, clientId = 'another-app'): Promise<void> {
  await page.evaluate(({ stack, clientId }) => {
    const other = window.latchkey!.createSession({
      issuer: stack.issuer, clientId, redirectUri: `${stack.appOrigin}/`, apiOrigins: [stack.apiOrigin],
    });
    (window as unknown as { other: typeof other }).other = other;
  }, { stack: { issuer: stack.server.issuer, appOrigin: new URL(stack.appUrl).origin, apiOrigin: stack.server.apiOrigin }, clientId });
}

test('another app on the origin (same storageName, another client) starts signed out and never sends the first app\'s token', async ({ page, stack }) => {
  await logIn(page, stack, 'alice');
  await otherApp(page, stack);
  const result = await page.evaluate(async (api) => {
    const other = (window as unknown as { other: import('latchkey').Session }).other;
    await other.ready;
    const fetched = await other.fetch(`${api}/api/me`).then(() => 'sent', (error: { code?: string }) => error.code);
    return { status: other.getSnapshot().status, fetched };
  }, stack.server.apiOrigin);
  expect(result).toEqual({ status: 'unauthenticated', fetched: 'login_required' });
  expect(stack.server.records.apiCalls).toEqual([]);
  await expect(page.locator('#status')).toHaveText('authenticated');
});

test('a logout while a refresh answer is held: the late answer is discarded, revoked, and a reload stays signed out', async ({ page, stack }) => {
  const before = await stack.server.activeRefreshTokens(); // other tests' sessions in this worker
  await logIn(page, stack, 'alice');
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  let arrived!: () => void;
  const reached = new Promise<void>((resolve) => (arrived = resolve));
  await page.route(`${stack.server.issuer}/token`, async (route: Route) => {
    const response = await route.fetch(); // the server rotates; the answer waits
    arrived();
    await released;
    await route.fulfill({ response }).catch(() => undefined);
  });
  await reached; // the refresh timer (75 % of 10 s) sent the refresh
  const statusRightAfter = await page.evaluate(() => {
    void window.session!.logout({ localOnly: true });
    return window.session!.getSnapshot().status; // synchronous: signed out before any network request
  });
  expect(statusRightAfter).toBe('unauthenticated');
  release();
  await expect.poll(() => stack.server.records.revocations.length).toBeGreaterThanOrEqual(1);
  await page.waitForTimeout(1_000);
  await expect(page.locator('#status')).toHaveText('unauthenticated');
  await expect.poll(() => stack.server.activeRefreshTokens()).toBe(before);
  await page.unroute(`${stack.server.issuer}/token`);
  await page.reload();
  await expect(page.locator('#status')).toHaveText('unauthenticated');
});

test('a hanging revocation endpoint: signed out in every tab at once, logout() finishes within 5 s', async ({ page, context, stack }) => {
  await logIn(page, stack, 'alice');
  const second = await context.newPage();
  await openApp(second, stack);
  await expect(second.locator('#status')).toHaveText('authenticated');
  await page.route(`${stack.server.issuer}/token/revocation`, () => undefined); // never answered
  const took = await page.evaluate(async () => {
    const started = performance.now();
    await window.session!.logout({ localOnly: true });
    return performance.now() - started;
  });
  await expect(second.locator('#status')).toHaveText('unauthenticated');
  await expect(page.locator('#status')).toHaveText('unauthenticated');
  expect(took).toBeLessThan(12_000); // bounded by latchkey's 5 s (not the 30 s request timeout); loose on a busy machine
  await second.reload();
  await expect(second.locator('#status')).toHaveText('unauthenticated');
});

test('an API that redirects to another origin: no token and no DPoP proof follow it', async ({ page, stack }) => {
  await logIn(page, stack, 'alice');
  const elsewhere = stack.server.apiOrigin.replace('127.0.0.1', 'localhost');
  await page.route(`${stack.server.apiOrigin}/api/moved`, (route) => route.fulfill({
    status: 302,
    headers: {
      location: `${elsewhere}/api/me`,
      'access-control-allow-origin': new URL(stack.appUrl).origin,
      'access-control-allow-headers': 'authorization, dpop',
    },
  }));
  const seenElsewhere: Array<Record<string, string>> = [];
  page.on('request', (request) => {
    if (request.url().startsWith(elsewhere)) seenElsewhere.push(request.headers());
  });
  const outcome = await page.evaluate(async (api) => {
    const response = await window.session!.fetch(`${api}/api/moved`);
    return { type: response.type, status: response.status };
  }, stack.server.apiOrigin);
  expect(outcome).toEqual({ type: 'opaqueredirect', status: 0 });
  await page.waitForTimeout(500);
  expect(seenElsewhere).toEqual([]);
  expect(stack.server.records.apiCalls).toEqual([]);
});

test('a refresh refused with 400 and no body ends the session at once with login_required, no retries', async ({ page, stack }) => {
  await logIn(page, stack, 'alice');
  await page.route(`${stack.server.issuer}/token`, (route) => route.fulfill({ status: 400, body: '' }));
  await expect(page.locator('#status')).toHaveText('unauthenticated', { timeout: 15_000 });
  await expect(page.locator('#error')).toHaveText('login_required');
  const refused = await page.evaluate(() => window.session!.getAccessToken().then(() => 'token', (error: { code?: string }) => error.code));
  expect(refused).toBe('login_required');
  await page.waitForTimeout(3_000);
  expect(countTokenRequests(stack, 'refresh_token')).toBe(0); // all answered by the route: none reached the server
});

test('on a callback page the snapshot never shows unauthenticated before the callback is handled', async ({ page, stack }) => {
  await openApp(page, stack);
  await expect(page.locator('#status')).toHaveText('unauthenticated');
  await page.addInitScript(() => {
    const seen: string[] = [];
    (window as unknown as { seen: string[] }).seen = seen;
    const observe = () => {
      const session = (window as unknown as { session?: import('latchkey').Session }).session;
      if (!session) return void setTimeout(observe, 0);
      seen.push(session.getSnapshot().status);
      session.subscribe(() => seen.push(session.getSnapshot().status));
    };
    observe();
  });
  await page.evaluate(() => void window.session!.login());
  const { loginThroughForms } = await import('./fixtures.ts');
  await loginThroughForms(page, 'alice');
  await expect(page.locator('#status')).toHaveText('authenticated');
  const seen = await page.evaluate(() => (window as unknown as { seen: string[] }).seen);
  expect(seen).not.toContain('unauthenticated');
  expect(seen.at(-1)).toBe('authenticated');
  expect(countTokenRequests(stack, 'authorization_code')).toBe(1);
});

/**
 * Stores a session in the page's IndexedDB exactly as latchkey 0.1.0 did: one
 * AES-GCM key per database under 'key', the token set sealed under it in
 * 'tokens' (additional data 'latchkey/1/tokens'), in the 'vault' store of the
 * 'latchkey' database.
 */
async function store010Session(page: Page, tokens: Record<string, unknown>): Promise<void> {
  await page.evaluate(async (set) => {
    const key = await crypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, false, ['encrypt', 'decrypt']);
    const iv = crypto.getRandomValues(new Uint8Array(12));
    const data = await crypto.subtle.encrypt({ name: 'AES-GCM', iv, additionalData: new TextEncoder().encode('latchkey/1/tokens') }, key,
      new TextEncoder().encode(JSON.stringify(set)));
    const open = indexedDB.open('latchkey');
    open.onupgradeneeded = () => open.result.createObjectStore('vault');
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      open.onsuccess = () => resolve(open.result);
      open.onerror = () => reject(open.error);
    });
    const tx = db.transaction('vault', 'readwrite');
    tx.objectStore('vault').put(key, 'key');
    tx.objectStore('vault').put({ v: 1, iv, data }, 'tokens');
    await new Promise((resolve) => (tx.oncomplete = resolve));
    db.close();
  }, tokens);
}

test('an upgrade from 0.1.0 signs nobody out: its stored session is taken over with no token request, and its records are gone', async ({ page, stack }) => {
  const { server } = stack;
  const flow = await codeFlow(page, server, { username: 'dora', redirectUri: stack.appUrl, dpop: false });
  const now = Date.now();
  await openApp(page, stack, { manual: true }); // the app's origin, no session created yet
  await store010Session(page, {
    accessToken: flow.tokens.access_token,
    tokenType: 'bearer',
    expiresAt: now + flow.tokens.expires_in! * 1000,
    receivedAt: now,
    refreshToken: flow.tokens.refresh_token,
    idToken: flow.tokens.id_token,
    claims: oauth.getValidatedIdTokenClaims(flow.tokens),
  });
  const tokenRequests = server.records.tokenRequests.length;

  await openApp(page, stack);
  await page.evaluate(() => window.session!.ready);
  await expect(page.locator('#status')).toHaveText('authenticated');
  await expect(page.locator('#user')).toHaveText('dora');
  expect(server.records.tokenRequests.length).toBe(tokenRequests);
  const status = await page.evaluate(async (api) => (await window.session!.fetch(`${api}/api/me`)).status, server.apiOrigin);
  expect(status).toBe(200);
  const slots = (await indexedDbKeys(page))['latchkey/vault']!;
  expect(slots.filter((slot) => ['key', 'tokens', 'dpop'].includes(slot))).toEqual([]);
});

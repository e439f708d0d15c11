/**
 * latchkey's core, for real: Chromium, the embedded oidc-provider, real
 * IndexedDB, redirects and DPoP proofs checked by the API.
 */
import { countTokenRequests, expect, loginThroughForms, openApp, test, type Stack, startLogin, logIn } from './fixtures.ts';
import { readBrowserState } from './browser-state.ts';
import type { Page } from '@playwright/test';

test('login: authenticated as the right user, callback parameters gone, returnTo handed back', async ({ page, stack }) => {
  await logIn(page, stack, 'alice', { returnTo: '/after-login' });
  await expect(page.locator('#user')).toHaveText('alice');
  expect(page.url()).toBe(stack.appUrl);
  expect(await page.evaluate(() => window.session!.handleRedirectCallback())).toEqual({ returnTo: '/after-login' });
  const snapshot = await page.evaluate(() => {
    const s = window.session!.getSnapshot();
    return { expiresAt: s.expiresAt, error: s.error, sub: s.user?.sub };
  });
  expect(snapshot.sub).toBe('alice');
  expect(snapshot.error).toBeNull();
  expect(snapshot.expiresAt).toBeGreaterThan(Date.now());
  expect(countTokenRequests(stack, 'authorization_code')).toBe(1);
  expect(stack.server.records.tokenRequests[0]!.dpop).toBe(true);
});

test('reload: the session is restored from IndexedDB with no request to the server', async ({ page, stack }) => {
  await logIn(page, stack, 'bob');
  const tokenRequests = stack.server.records.tokenRequests.length;
  const toServer: string[] = [];
  page.on('request', (request) => {
    if (request.url().startsWith(stack.server.issuer)) toServer.push(request.url());
  });
  await page.reload();
  await page.evaluate(() => window.session!.ready);
  await expect(page.locator('#status')).toHaveText('authenticated');
  await expect(page.locator('#user')).toHaveText('bob');
  expect(toServer).toEqual([]);
  expect(stack.server.records.tokenRequests.length).toBe(tokenRequests);
});

test('storage: no token, verifier or ID token is readable anywhere, and every secret key is non-extractable', async ({ page, stack }) => {
  const secrets: string[] = [];
  page.on('request', (request) => {
    const body = request.postData();
    if (body && request.method() === 'POST') {
      const verifier = new URLSearchParams(body).get('code_verifier');
      if (verifier) secrets.push(verifier);
    }
  });
  const reading: Promise<void>[] = [];
  page.on('response', (response) => {
    if (response.request().method() !== 'POST' || !/\/token$/.test(new URL(response.url()).pathname)) return;
    reading.push(response.json().then((body: Record<string, unknown>) => {
      for (const name of ['access_token', 'refresh_token', 'id_token']) {
        if (typeof body[name] === 'string') secrets.push(body[name] as string);
      }
    }, () => undefined));
  });
  await logIn(page, stack, 'carol');
  await Promise.all(reading); // the bodies are read asynchronously
  expect(secrets.length).toBeGreaterThanOrEqual(4); // verifier, access, refresh and ID token

  const state = await readBrowserState(page);
  expect(state.records).toBeGreaterThan(0);
  const everything = state.strings.join('\n');
  for (const secret of secrets) {
    // The whole value, and each JWT part on its own (a payload alone would leak the claims).
    for (const part of [secret, ...secret.split('.').filter((p) => p.length > 16)]) {
      expect(everything.includes(part), 'a secret is readable from storage').toBe(false);
    }
  }
  expect(everything).not.toContain('carol');
  const secretKeys = state.keys.filter((key) => key.type !== 'public');
  expect(secretKeys.map((key) => key.algorithm).sort()).toEqual(['AES-GCM', 'ECDSA']);
  for (const key of secretKeys) expect(key.extractable).toBe(false);
});

test('a forged state ends with invalid_callback, nothing stored and a clean address bar', async ({ page, stack }) => {
  await page.goto(`${stack.appUrl}?code=stolen-code&state=forged-state&iss=${encodeURIComponent(stack.server.issuer)}`);
  await page.evaluate(() => window.session!.ready);
  await expect(page.locator('#status')).toHaveText('unauthenticated');
  await expect(page.locator('#error')).toHaveText('invalid_callback');
  expect(page.url()).toBe(stack.appUrl);
  expect(countTokenRequests(stack, 'authorization_code')).toBe(0);
});

test('a forged callback leaves an existing session intact', async ({ page, stack }) => {
  await logIn(page, stack, 'dave');
  await page.goto(`${stack.appUrl}?code=stolen-code&state=forged-state`);
  await page.evaluate(() => window.session!.ready);
  await expect(page.locator('#error')).toHaveText('invalid_callback');
  await expect(page.locator('#status')).toHaveText('authenticated');
  await expect(page.locator('#user')).toHaveText('dave');
});

test('a cancelled login (error=access_denied) ends with authorization_error', async ({ page, stack }) => {
  await openApp(page, stack);
  await startLogin(page);
  await page.locator('input[name="login"]').waitFor();
  await page.getByText('[ Cancel ]').click();
  await page.waitForURL((url) => url.href.startsWith(stack.appUrl));
  await page.evaluate(() => window.session!.ready);
  await expect(page.locator('#error')).toHaveText('authorization_error');
  await expect(page.locator('#status')).toHaveText('unauthenticated');
  const error = await page.evaluate(() => {
    const e = window.session!.getSnapshot().error;
    return e && { serverError: e.serverError, name: e.name };
  });
  expect(error).toEqual({ serverError: 'access_denied', name: 'LatchkeyError' });
  expect(page.url()).toBe(stack.appUrl);
});

test('session.fetch: a DPoP-bound token the API verified; nothing for another origin', async ({ page, stack }) => {
  await logIn(page, stack, 'erin');
  const api = stack.server.apiOrigin;
  const answer = await page.evaluate(async (origin) => {
    const f = window.session!.fetch; // unbound use
    const response = await f(`${origin}/api/me?x=1`, { method: 'POST', body: 'payload', headers: { 'x-custom': 'kept' } });
    return { status: response.status, body: await response.json() };
  }, api);
  expect(answer.status).toBe(200);
  expect(answer.body).toMatchObject({ sub: 'erin', dpopBound: true, method: 'POST', echo: 'payload' });
  const call = stack.server.records.apiCalls.find((c) => c.path.startsWith('/api/me'))!;
  expect(call).toMatchObject({ scheme: 'DPoP', status: 200, sub: 'erin' });

  // Another loopback origin (same server, other host name): untouched.
  const other = api.replace('127.0.0.1', 'localhost');
  const leaked = await page.evaluate(async (origin) => {
    const response = await window.session!.fetch(`${origin}/public`);
    return response.json();
  }, other);
  expect(leaked).toEqual({ authorization: null });
  expect(stack.server.records.apiCalls.filter((c) => c.path === '/public').map((c) => c.scheme)).toEqual([null]);
});

test('session.fetch without a session rejects with login_required and sends nothing', async ({ page, stack }) => {
  await openApp(page, stack);
  const code = await page.evaluate(async (origin) => {
    await window.session!.ready;
    return window.session!.fetch(`${origin}/api/me`).then(() => 'sent', (e: { code: string }) => e.code);
  }, stack.server.apiOrigin);
  expect(code).toBe('login_required');
  expect(stack.server.records.apiCalls).toEqual([]);
});

test('logout: revokes the refresh token at the server, clears storage, ends at the post-logout URI', async ({ page, stack }) => {
  const before = await stack.server.activeRefreshTokens(); // other tests' sessions in this worker
  await logIn(page, stack, 'frank');
  expect(await stack.server.activeRefreshTokens()).toBe(before + 1);
  await page.evaluate(() => {
    void window.session!.logout();
  });
  await page.waitForURL((url) => url.origin === stack.server.issuer); // the end-session endpoint
  await page.waitForURL(stack.appUrl); // back at the post-logout redirect URI
  await expect(page.locator('#status')).toHaveText('unauthenticated');
  expect(stack.server.records.revocations.map((r) => r.status)).toEqual([200]);
  expect(await stack.server.activeRefreshTokens()).toBe(before);
  const state = await readBrowserState(page);
  expect(state.records).toBe(0);
  expect(state.keys).toEqual([]);
  expect(new URL(page.url()).search).toBe(''); // the logout's state was taken out of the address bar
});

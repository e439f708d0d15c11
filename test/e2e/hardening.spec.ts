/**
 * Hardening, end to end: a strict Content-Security-Policy on the app's pages, an
 * authorization server that is down when the page loads, two tabs logging in at
 * once, and no secret in the console. (The tab closed mid-refresh needs a
 * short-lived token: tabs-hardening.spec.ts.)
 */
import type { Page, Request, Route } from '@playwright/test';
import { startDemo } from '../../demo/server/demo-stack.ts';
import { indexedDbKeys, readBrowserState } from './browser-state.ts';
import { countTokenRequests, expect, loginThroughForms, openApp, test, type Stack, startLogin, logIn } from './fixtures.ts';

/** One `securitypolicyviolation` event, as the page saw it. */
interface Violation {
  directive: string;
  blocked: string;
  source: string;
  sample: string;
  documentURI: string;
}

/**
 * Records every CSP violation of every document this page loads (across
 * navigations: each document reports to the test through a binding, and also
 * keeps its own list in `window.__cspViolations`).
 */
async function watchCspViolations(page: Page): Promise<Violation[]> {
  const violations: Violation[] = [];
  await page.exposeFunction('__reportCspViolation', (violation: Violation) => {
    violations.push(violation);
  });
  await page.addInitScript(() => {
    const own: unknown[] = [];
    Object.defineProperty(window, '__cspViolations', { value: own });
    window.addEventListener('securitypolicyviolation', (event) => {
      const violation = {
        directive: event.effectiveDirective,
        blocked: event.blockedURI,
        source: `${event.sourceFile}:${event.lineNumber}:${event.columnNumber}`,
        sample: event.sample,
        documentURI: event.documentURI,
      };
      own.push(violation);
      (window as unknown as { __reportCspViolation(v: unknown): void }).__reportCspViolation(violation);
    }, true);
  });
  return violations;
}

/** Every document response from `origin` this page gets, with its CSP header. */
function watchDocuments(page: Page, origin: string): Array<{ url: string; csp: string | undefined }> {
  const documents: Array<{ url: string; csp: string | undefined }> = [];
  page.on('response', (response) => {
    if (response.request().resourceType() !== 'document' || new URL(response.url()).origin !== origin) return;
    documents.push({ url: response.url(), csp: response.headers()['content-security-policy'] });
  });
  return documents;
}

/** `default-src 'none'; connect-src a b` → `{ 'default-src': ["'none'"], 'connect-src': ['a', 'b'] }`. */
function parsePolicy(header: string): Record<string, string[]> {
  const directives: Record<string, string[]> = {};
  for (const part of header.split(';')) {
    const [name, ...sources] = part.trim().split(/\s+/);
    if (!name) continue;
    expect(directives[name.toLowerCase()], `directive ${name} given twice`).toBeUndefined();
    directives[name.toLowerCase()] = sources;
  }
  return directives;
}

/** The policy the app's pages must carry, written out from the stack's origins. */
function expectedPolicy(
  appOrigin: string,
  { issuer, apiOrigin, billingOrigin }: { issuer: string; apiOrigin: string; billingOrigin: string },
  extraApiOrigins: string[],
): Record<string, string[]> {
  return {
    'default-src': ["'none'"],
    'script-src': ["'self'"],
    'style-src': ["'self'"],
    'img-src': ["'self'"],
    'connect-src': ["'self'", issuer, apiOrigin, billingOrigin, ...extraApiOrigins, `ws://${new URL(appOrigin).host}`],
    'object-src': ["'none'"],
    'base-uri': ["'none'"],
    'form-action': ["'none'"],
    // checkSession: the hidden frame goes to the authorization server, which redirects
    // it to the app's own redirect URI; the app's pages may be framed by the app alone.
    'frame-src': ["'self'", issuer],
    'frame-ancestors': ["'self'"],
  };
}

/** Waits until the app in `page` has created its session and `ready` resolved. */
async function settled(page: Page): Promise<void> {
  await page.waitForFunction(() => window.session !== undefined);
  await page.evaluate(() => window.session!.ready);
}

/** `session.fetch` of the API's /api/me in `page`: status and body. */
function callApi(page: Page, stack: Stack): Promise<{ status: number; body: { sub?: string; dpopBound?: boolean } }> {
  return page.evaluate(async (api) => {
    const response = await window.session!.fetch(`${api}/api/me`);
    return { status: response.status, body: await response.json() };
  }, stack.server.apiOrigin);
}

/** Makes the API answer the next `/api/me` call with 401 invalid_token (so latchkey refreshes and retries). */
async function rejectNextApiCall(page: Page, stack: Stack): Promise<void> {
  await page.route(`${stack.server.apiOrigin}/api/me`, (route) => route.fulfill({
    status: 401,
    headers: {
      'access-control-allow-origin': new URL(stack.appUrl).origin,
      'access-control-expose-headers': 'WWW-Authenticate',
      'www-authenticate': 'DPoP error="invalid_token", error_description="revoked", algs="ES256"',
      'content-type': 'application/json',
    },
    body: '{"error":"invalid_token"}',
  }), { times: 1 });
}

test.describe('strict Content-Security-Policy', () => {
  test('the e2e app: the header is on every app page, and a whole session causes no violation', async ({ page, stack }) => {
    const violations = await watchCspViolations(page);
    const appOrigin = new URL(stack.appUrl).origin;
    const documents = watchDocuments(page, appOrigin);
    const { issuer, apiOrigin } = stack.server;
    const otherApiName = apiOrigin.replace('127.0.0.1', 'localhost');

    const first = await page.goto(stack.appUrl);
    const header = first!.headers()['content-security-policy'];
    expect(header, 'the app page has a Content-Security-Policy header').toBeDefined();
    expect(header).not.toContain('unsafe-');
    expect(parsePolicy(header!)).toEqual(expectedPolicy(appOrigin, stack.server, [otherApiName]));

    // Load, login through the forms, callback.
    await expect(page.locator('#status')).toHaveText('unauthenticated');
    await startLogin(page);
    await loginThroughForms(page, 'alice');
    await expect(page.locator('#status')).toHaveText('authenticated');
    // The API (DPoP-bound token), and the API under its other name (no token).
    expect(await callApi(page, stack)).toMatchObject({ status: 200, body: { sub: 'alice', dpopBound: true } });
    expect(await page.evaluate(async (origin) => (await window.session!.fetch(`${origin}/public`)).json(), otherApiName))
      .toEqual({ authorization: null });
    // A refresh (the API rejects the token once) and a reload (restore from the vault).
    await rejectNextApiCall(page, stack);
    expect((await callApi(page, stack)).status).toBe(200);
    expect(countTokenRequests(stack, 'refresh_token')).toBe(1);
    await page.reload();
    await page.evaluate(() => window.session!.ready);
    await expect(page.locator('#status')).toHaveText('authenticated');
    // Logout: revocation, then the end-session endpoint and back.
    await page.evaluate(() => void window.session!.logout());
    await page.waitForURL((url) => url.origin === issuer);
    await page.waitForURL(stack.appUrl);
    await expect(page.locator('#status')).toHaveText('unauthenticated');
    expect(stack.server.records.revocations.map((r) => r.status)).toEqual([200]);

    expect(violations).toEqual([]);
    // Every app document: the first load, the callback, the reload, the post-logout page.
    const kind = (href: string) => {
      const search = new URL(href).search;
      return search.startsWith('?code=') ? 'callback' : search.startsWith('?state=lk-logout.') ? 'post-logout' : href;
    };
    expect(documents.map((d) => kind(d.url))).toEqual([stack.appUrl, 'callback', stack.appUrl, 'post-logout']);
    for (const document of documents) expect(document.csp, document.url).toBe(header);

    // The policy is enforced and the listener hears it: an inline script and an
    // unlisted origin are refused. (Code run by page.evaluate itself is exempt from CSP.)
    const refused = await page.evaluate(async () => {
      const script = document.createElement('script');
      script.textContent = 'window.__inlineRan = true';
      document.head.append(script);
      const fetched = await fetch('http://127.0.0.1:9/nowhere').then(() => 'sent', (error: Error) => error.name);
      return { inlineRan: 'inlineRan' in window || '__inlineRan' in window, fetched };
    });
    expect(refused).toEqual({ inlineRan: false, fetched: 'TypeError' });
    await expect.poll(() => violations.map((v) => v.directive).sort()).toEqual(['connect-src', 'script-src-elem']);
    expect(await page.evaluate(() => (window as unknown as { __cspViolations: unknown[] }).__cspViolations.length)).toBe(2);
  });

  test('the demo app (its own stack): login, both API calls, the storage panel, reload and logout through its buttons, no violation', async ({ page }) => {
    const demo = await startDemo({ accessTokenTtl: 300, hmr: true });
    try {
      const violations = await watchCspViolations(page);
      const appOrigin = new URL(demo.appUrl).origin;
      const documents = watchDocuments(page, appOrigin);
      const response = await page.goto(demo.appUrl);
      const header = response!.headers()['content-security-policy'];
      expect(parsePolicy(header ?? '')).toEqual(expectedPolicy(appOrigin, demo.server, []));
      await expect(page.locator('#status')).toHaveText('unauthenticated');
      // style.css applied: a stylesheet from 'self' is allowed.
      await expect(page.locator('#login')).toHaveCSS('background-color', 'rgb(47, 111, 223)');

      await page.locator('#login').click();
      await loginThroughForms(page, 'alice');
      await expect(page.locator('#status')).toHaveText('authenticated');
      // Both API origins are in connect-src: the calls go out and come back.
      await page.locator('#call-api').click();
      await expect(page.locator('#api-status')).toHaveText('200 OK');
      await expect(page.locator('#api-result')).toContainText('answered for alice');
      await page.locator('#call-billing').click();
      await expect(page.locator('#billing-status')).toHaveText('200 OK');
      await page.locator('#vault-export').click();
      await expect(page.locator('#vault-exports li').first()).toContainText('refused');
      await page.reload();
      await expect(page.locator('#status')).toHaveText('authenticated');
      await page.locator('#logout').click();
      await page.waitForURL((url) => url.origin === demo.server.issuer);
      await page.waitForURL(demo.appUrl);
      await expect(page.locator('#status')).toHaveText('unauthenticated');

      expect(violations).toEqual([]);
      expect(documents).toHaveLength(4);
      for (const document of documents) expect(document.csp, document.url).toBe(header);
    } finally {
      await page.close();
      await demo.close();
    }
  });
});

/**
 * After `login()` was started in `page`: waits until the page is either at the
 * login form (then fills it in as `user`) or already back at the app because the
 * server's own session let the login through without forms. Returns which.
 */
async function finishLogin(page: Page, stack: Stack, user: string, codesBefore: number): Promise<'forms' | 'no forms'> {
  const form = page.locator('input[name="login"]');
  const where = async (): Promise<'form' | 'back' | 'waiting'> => {
    if (countTokenRequests(stack, 'authorization_code') > codesBefore && page.url().startsWith(stack.appUrl)) return 'back';
    return (await form.isVisible().catch(() => false)) ? 'form' : 'waiting';
  };
  await expect.poll(where, { timeout: 20_000 }).not.toBe('waiting');
  if ((await where()) === 'back') return 'no forms';
  await loginThroughForms(page, user);
  return 'forms';
}

test('authorization server unreachable at page load: the stored session works, and login and refresh work again once it is back', async ({ page, stack }) => {
  await logIn(page, stack, 'alice');
  const { issuer } = stack.server;
  const tried: string[] = [];
  const atIssuer = (url: URL) => url.origin === issuer;
  const down = (route: Route) => {
    tried.push(new URL(route.request().url()).pathname);
    return route.abort('connectionrefused');
  };
  await page.route(atIssuer, down);
  const expiresAt = await page.evaluate(() => window.session!.getSnapshot().expiresAt);

  await page.reload();
  await page.evaluate(() => window.session!.ready);
  await expect(page.locator('#status')).toHaveText('authenticated');
  await expect(page.locator('#user')).toHaveText('alice');
  await expect(page.locator('#error')).toHaveText('');
  expect(await page.evaluate(() => window.session!.getSnapshot().expiresAt)).toBe(expiresAt);
  expect(await callApi(page, stack)).toMatchObject({ status: 200, body: { sub: 'alice', dpopBound: true } });
  expect(tried, 'a valid stored session needs no request to the authorization server').toEqual([]);

  // While it is down, login() fails cleanly (network) and leaves the session as it was ...
  const failed = await page.evaluate(() =>
    window.session!.login().then(() => 'navigating', (error: { name: string; code: string }) => `${error.name}: ${error.code}`));
  expect(failed).toBe('LatchkeyError: network');
  expect(tried).toEqual(['/.well-known/openid-configuration']);
  expect(page.url()).toBe(stack.appUrl);
  await expect(page.locator('#status')).toHaveText('authenticated');
  // ... and so does a refresh (the API rejects the token once): discovery is tried again.
  await rejectNextApiCall(page, stack);
  expect((await callApi(page, stack)).status).toBe(401);
  expect(tried).toEqual(['/.well-known/openid-configuration', '/.well-known/openid-configuration']);
  await expect(page.locator('#status')).toHaveText('authenticated');
  expect(stack.server.records.tokenRequests.length).toBe(1); // the login's code exchange only

  // The server is back: the next refresh works (discovery was not cached as failed) ...
  await page.unroute(atIssuer, down);
  await rejectNextApiCall(page, stack);
  expect(await callApi(page, stack)).toMatchObject({ status: 200, body: { sub: 'alice' } });
  expect(stack.server.records.tokenRequests.filter((r) => r.grantType === 'refresh_token').map((r) => r.status)).toEqual([200]);
  await expect(page.locator('#error')).toHaveText('');
  // ... and so does login(): to the authorization server and back, authenticated.
  const navigated = page.waitForRequest((request) => request.isNavigationRequest() && new URL(request.url()).origin === issuer);
  await startLogin(page);
  await navigated;
  await finishLogin(page, stack, 'alice', 1);
  await expect(page.locator('#status')).toHaveText('authenticated');
  expect(stack.server.records.tokenRequests.filter((r) => r.grantType === 'authorization_code').map((r) => r.status)).toEqual([200, 200]);
  expect((await callApi(page, stack)).status).toBe(200);
});

test('two tabs start login() at the same moment: both callbacks complete, and after a reload both share one session', async ({ page, context, stack }) => {
  const second = await context.newPage();
  const tabs = [page, second];
  for (const tab of tabs) {
    // A slow device: key generation takes 150 ms, so both tabs find no key (DPoP pair,
    // sealing key) in the vault before either has stored the one it made.
    await tab.addInitScript(() => {
      const generateKey = crypto.subtle.generateKey.bind(crypto.subtle) as (...args: unknown[]) => Promise<unknown>;
      Object.defineProperty(crypto.subtle, 'generateKey', {
        value: (...args: unknown[]) => new Promise((resolve) => setTimeout(resolve, 150)).then(() => generateKey(...args)),
      });
    });
    await openApp(tab, stack);
    await expect(tab.locator('#status')).toHaveText('unauthenticated');
  }
  // A barrier: both tabs' discovery requests are let go together, so that both run
  // the rest of login() (DPoP key pair, sealing key, transaction) at the same moment.
  const held: Route[] = [];
  const discovery = `${stack.server.issuer}/.well-known/openid-configuration`;
  for (const tab of tabs) {
    await tab.route(discovery, async (route) => {
      held.push(route);
      if (held.length === tabs.length) await Promise.all(held.map((r) => r.continue()));
    }, { times: 1 });
  }
  const leaving = tabs.map((tab) =>
    tab.waitForRequest((request) => request.isNavigationRequest() && new URL(request.url()).origin === stack.server.issuer));
  await Promise.all(tabs.map((tab) => tab.evaluate(() => void window.session!.login())));
  await Promise.all(leaving);
  expect(held).toHaveLength(2);

  await loginThroughForms(page, 'alice');
  await expect(page.locator('#status')).toHaveText('authenticated');
  const how = await finishLogin(second, stack, 'alice', 1);
  expect(['forms', 'no forms']).toContain(how);
  // The vault already holds the first tab's tokens, so the second tab reads as
  // authenticated before its own callback is through: wait for that too.
  for (const tab of tabs) await settled(tab);
  await expect(second.locator('#status')).toHaveText('authenticated');

  // Both callbacks were handled: two code exchanges, no error in either tab.
  expect(stack.server.records.tokenRequests.map((r) => `${r.grantType} ${r.status}`)).toEqual([
    'authorization_code 200', 'authorization_code 200',
  ]);
  for (const tab of tabs) {
    await expect(tab.locator('#error')).toHaveText('');
    expect(new URL(tab.url()).search).toBe('');
  }
  // The first tab took the second tab's tokens (broadcast), so both hold the same session.
  await expect.poll(async () => new Set(await Promise.all(tabs.map((tab) =>
    tab.evaluate(() => window.session!.getSnapshot().expiresAt)))).size).toBe(1);

  for (const tab of tabs) {
    await tab.reload();
    await tab.evaluate(() => window.session!.ready);
    await expect(tab.locator('#status')).toHaveText('authenticated');
    await expect(tab.locator('#user')).toHaveText('alice');
  }
  const answers = await Promise.all(tabs.map((tab) => callApi(tab, stack)));
  for (const answer of answers) expect(answer).toMatchObject({ status: 200, body: { sub: 'alice', dpopBound: true } });
  const [one, two] = await Promise.all(tabs.map((tab) => tab.evaluate(() => window.session!.getSnapshot().expiresAt)));
  expect(one).toBe(two);
  expect(stack.server.records.apiCalls.map((c) => c.status)).toEqual([200, 200]);

  // One vault: one session (its token set, sealed under its own key, with its DPoP key pair), no transaction left.
  const ns = JSON.stringify([`${stack.server.issuer}/`, stack.server.clientId]);
  expect(await indexedDbKeys(page)).toEqual({ 'latchkey/vault': [`${ns}/session`] });
  const state = await readBrowserState(page);
  expect(state.records).toBe(1);
  expect(state.keys.map((key) => `${key.algorithm} ${key.type}`).sort()).toEqual(['AES-GCM secret', 'ECDSA private', 'ECDSA public']);
});

test('no secret in the console: login, API call, refresh, replayed callback, reload and logout', async ({ page, stack }) => {
  const said: string[] = [];
  // The text, and the URL the entry points at (DevTools shows it: "Failed to load resource" names the request).
  page.on('console', (message) => said.push(`console.${message.type()}: ${message.text()} @ ${message.location().url}`));
  page.on('pageerror', (error) => said.push(`pageerror: ${error.name}: ${error.message}\n${error.stack ?? ''}`));

  const secrets = new Map<string, string>();
  const keep = (name: string, value: string | null | undefined) => {
    if (value && !secrets.has(value)) secrets.set(value, name); // named where first seen
  };
  let callbackUrl: string | undefined;
  page.on('request', (request: Request) => {
    const url = new URL(request.url());
    if (request.isNavigationRequest() && url.href.startsWith(stack.appUrl) && url.searchParams.has('code')) {
      callbackUrl = url.href;
      keep('code', url.searchParams.get('code'));
    }
    const body = request.method() === 'POST' ? request.postData() : null;
    if (body && url.origin === stack.server.issuer) {
      const form = new URLSearchParams(body);
      keep('code_verifier', form.get('code_verifier'));
      keep('code', form.get('code'));
      keep('refresh_token (sent)', form.get('refresh_token'));
      keep('token (revoked)', form.get('token'));
    }
  });
  // Token responses are read on their way to the page (a body read after the page
  // navigated away is gone, and a busy machine makes that likely).
  await page.route(`${stack.server.issuer}/token`, async (route: Route) => {
    const response = await route.fetch();
    const body = (await response.json().catch(() => ({}))) as Record<string, unknown>;
    for (const name of ['access_token', 'refresh_token', 'id_token']) keep(name, body[name] as string | undefined);
    await route.fulfill({ response });
  });

  await logIn(page, stack, 'alice');
  expect((await callApi(page, stack)).status).toBe(200);
  await rejectNextApiCall(page, stack);
  expect((await callApi(page, stack)).status).toBe(200); // after a refresh
  expect(countTokenRequests(stack, 'refresh_token')).toBe(1);
  // The callback URL again (its code is spent, its transaction gone).
  await page.goto(callbackUrl!);
  await page.evaluate(() => window.session!.ready);
  await expect(page.locator('#error')).toHaveText('invalid_callback');
  await page.reload();
  await expect(page.locator('#status')).toHaveText('authenticated');
  await page.evaluate(() => void window.session!.logout());
  await page.waitForURL((url) => url.origin === stack.server.issuer);
  await page.waitForURL(stack.appUrl);
  await expect(page.locator('#status')).toHaveText('unauthenticated');

  const found: Record<string, number> = {};
  for (const name of secrets.values()) found[name] = (found[name] ?? 0) + 1;
  // Two access and refresh tokens (the login's, and the refresh's: refresh tokens rotate),
  // the ID token, the code and its verifier. What was sent back (the refresh token, the
  // revoked one) had been received before.
  expect(found).toEqual({ code: 1, code_verifier: 1, access_token: 2, refresh_token: 2, id_token: expect.any(Number) });
  expect(found.id_token).toBeGreaterThanOrEqual(1); // a new one on refresh is up to the server
  expect(said.length, 'the flow says something in the console (vite does)').toBeGreaterThan(0);
  const everything = said.join('\n');
  for (const [secret, name] of secrets) {
    // The whole value, and each JWT part on its own (a payload alone would leak the claims).
    for (const part of [secret, ...secret.split('.').filter((p) => p.length > 16)]) {
      expect(everything.includes(part), `the console shows a ${name}`).toBe(false);
    }
  }
});

/**
 * The journey profiles.spec.ts runs under every server profile (login → API call
 * → refresh → reload → logout, as an app lives it), and what the page saw of the
 * token responses on the way: shapes only, never a token.
 */
import type { Page } from '@playwright/test';
import { readBrowserState } from './browser-state.ts';
import { expect, logIn, openApp, type Stack } from './fixtures.ts';

/** What the page saw of each token response: shapes only, never a token. */
export interface TokenAnswer {
  grantType: string;
  status: number;
  tokenType?: unknown;
  expiresInType?: string;
  idToken?: boolean;
  refreshToken?: boolean;
  accessTokenIsJwt?: boolean;
}

export function watchTokenAnswers(page: Page, stack: Stack): { answers: TokenAnswer[]; settled(): Promise<void> } {
  const answers: TokenAnswer[] = [];
  const reading: Promise<void>[] = [];
  const tokenEndpoint = new URL('token', stack.server.issuer.endsWith('/') ? stack.server.issuer : `${stack.server.issuer}/`).href;
  page.context().on('response', (response) => {
    if (response.request().method() !== 'POST' || response.url() !== tokenEndpoint) return;
    const grantType = new URLSearchParams(response.request().postData() ?? '').get('grant_type') ?? 'unknown';
    reading.push(
      response.text().then((text) => {
        const answer: TokenAnswer = { grantType, status: response.status() };
        try {
          const body = JSON.parse(text) as Record<string, unknown>;
          answer.tokenType = body.token_type;
          answer.expiresInType = typeof body.expires_in;
          answer.idToken = typeof body.id_token === 'string';
          answer.refreshToken = typeof body.refresh_token === 'string';
          if (typeof body.access_token === 'string') answer.accessTokenIsJwt = body.access_token.split('.').length === 3;
        } catch {
          // not JSON: the shape is the status alone
        }
        answers.push(answer);
      }, () => undefined),
    );
  });
  return { answers, settled: () => Promise.all(reading).then(() => undefined) };
}

/** `session.fetch` of `${apiOrigin}/api/me`: status and body. */
export function callApi(page: Page, stack: Stack): Promise<{ status: number; body: Record<string, unknown> }> {
  return page.evaluate(async (api) => {
    const response = await window.session!.fetch(`${api}/api/me`);
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  }, stack.server.apiOrigin);
}

export function snapshotOf(page: Page): Promise<{ status: string; error: { code: string; message: string } | null; sub?: unknown }> {
  return page.evaluate(() => {
    const s = window.session!.getSnapshot();
    return { status: s.status, sub: s.user?.sub, error: s.error && { code: s.error.code, message: s.error.message } };
  });
}

export interface JourneyExpectations {
  /** The access token lifetime the server was started with. */
  lifetimeSeconds: number;
  /** The scheme the API saw. Default 'DPoP'. */
  scheme?: 'DPoP' | 'Bearer';
  /** How refresh answers carry the refresh token (server records). Default 'new'. */
  refreshToken?: 'new' | 'same' | 'none';
  /** Refreshes to wait for (a second one proves what the first left behind still works). Default 1. */
  refreshes?: number;
  /** Where `logout()` ends: back at the app through the end-session endpoint (default), or locally. */
  logout?: 'end-session' | 'local';
  /** Revocation answers the server gave. Default [200]. */
  revocations?: number[];
}

/**
 * The whole journey under one profile, as an app lives it: login, an API call,
 * refreshes by the timer (a call after each), a reload restored without a
 * request, and a logout that reaches a second tab too.
 */
export async function journey(page: Page, stack: Stack, user: string, expected: JourneyExpectations): Promise<void> {
  const { scheme = 'DPoP', refreshToken = 'new', refreshes = 1, logout = 'end-session', revocations = [200] } = expected;
  const activeBefore = await stack.server.activeRefreshTokens();

  // Login: authenticated, the address bar clean.
  await logIn(page, stack, user);
  expect(page.url()).toBe(stack.appUrl);
  expect(await snapshotOf(page)).toEqual({ status: 'authenticated', sub: user, error: null });

  // An API call with the right scheme.
  const first = await callApi(page, stack);
  expect(first).toMatchObject({ status: 200, body: { sub: user, dpopBound: scheme === 'DPoP' } });
  expect(stack.server.records.apiCalls.filter((c) => c.status === 200).map((c) => c.scheme)).toEqual([scheme]);

  // Refreshes by the timer, each answered 200; the new token works.
  const refreshed = () => stack.server.records.tokenRequests.filter((r) => r.grantType === 'refresh_token' && r.status === 200).length;
  await expect.poll(refreshed, { timeout: refreshes * expected.lifetimeSeconds * 1000 + 10_000 })
    .toBeGreaterThanOrEqual(refreshes);
  // (A proof refused for want of a fresh DPoP nonce is retried at once: not a refresh of its own.)
  const refreshRecords = stack.server.records.tokenRequests.filter((r) => r.grantType === 'refresh_token' && r.error !== 'use_dpop_nonce');
  expect(refreshRecords.map((r) => [r.status, r.refreshToken])).toEqual(refreshRecords.map(() => [200, refreshToken]));
  expect((await callApi(page, stack)).status).toBe(200);
  expect(await snapshotOf(page)).toEqual({ status: 'authenticated', sub: user, error: null });

  // Reload: restored from IndexedDB, no token request.
  const tokenRequests = stack.server.records.tokenRequests.length;
  await page.reload();
  await page.evaluate(() => window.session!.ready);
  await expect(page.locator('#status')).toHaveText('authenticated');
  await expect(page.locator('#user')).toHaveText(user);
  expect(stack.server.records.tokenRequests.length).toBe(tokenRequests);

  // Logout: everywhere, with no error left in either tab.
  const second = await page.context().newPage();
  await openApp(second, stack);
  await expect(second.locator('#status')).toHaveText('authenticated');
  if (logout === 'end-session') {
    await page.evaluate(() => void window.session!.logout());
    await page.waitForURL((url) => url.origin === new URL(stack.server.issuer).origin, { timeout: 15_000 });
    // Back at the post-logout URI; the server may echo the request's `state` there.
    await page.waitForURL((url) => `${url.origin}${url.pathname}` === stack.appUrl, { timeout: 15_000 });
    expect([...new URL(page.url()).searchParams.keys()].filter((name) => name !== 'state')).toEqual([]);
  } else {
    const issuerOrigin = new URL(stack.server.issuer).origin;
    const toIssuer: string[] = [];
    page.on('framenavigated', (frame) => {
      if (frame === page.mainFrame() && frame.url().startsWith(issuerOrigin)) toIssuer.push(frame.url());
    });
    await page.evaluate(() => window.session!.logout());
    expect(toIssuer).toEqual([]);
    expect(page.url()).toBe(stack.appUrl);
  }
  await expect(page.locator('#status')).toHaveText('unauthenticated');
  await expect(page.locator('#error')).toHaveText('');
  await expect(second.locator('#status')).toHaveText('unauthenticated');
  await expect(second.locator('#error')).toHaveText('');
  expect(stack.server.records.revocations.map((r) => r.status)).toEqual(revocations);
  if (revocations.every((status) => status === 200)) expect(await stack.server.activeRefreshTokens()).toBe(activeBefore);
  // Nothing of the session is left: at most the vault's own sealing key (non-extractable).
  const state = await readBrowserState(page);
  expect(state.records).toBeLessThanOrEqual(1);
  expect(state.keys.filter((key) => key.algorithm !== 'AES-GCM' || key.extractable)).toEqual([]);
  await second.close();
}

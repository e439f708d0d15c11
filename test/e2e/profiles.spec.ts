/**
 * latchkey against every server behaviour the embedded server can imitate
 * (demo/server/profiles.ts): login → API call → refresh → reload → logout under
 * each profile, with a short access token. One stack per profile (a worker of
 * its own, started once). The README's "Servers" table names the real servers
 * that behave so and points at these tests by name.
 */
import { test as base, type Page } from '@playwright/test';
import type { ProfileName } from '../../demo/server/profiles.ts';
import { startStack } from '../../demo/server/stack.ts';
import { countTokenRequests, expect, logIn, type Stack } from './fixtures.ts';
import { callApi, journey as runJourney, snapshotOf, watchTokenAnswers, type JourneyExpectations } from './journey.ts';

const TTL_SECONDS = 6; // refreshed at 75 %: 4.5 s after each token

/**
 * A stack per test, started with the test's `profile` (Playwright allows a
 * worker option only at the top of a file, so the profile is a test option and
 * each profile's one test starts its own stack).
 */
const test = base.extend<{ profile: ProfileName; stack: Stack }>({
  profile: ['default', { option: true }],
  stack: async ({ profile }, use) => {
    const stack = await startStack({ appRoot: 'test/e2e/app', profile, accessTokenTtl: TTL_SECONDS });
    try {
      await use(stack);
    } finally {
      await stack.close();
    }
  },
});
test.describe.configure({ timeout: 60_000 });

/** The journey with this file's token lifetime. */
function journey(page: Page, stack: Stack, user: string, expected: Omit<JourneyExpectations, 'lifetimeSeconds'> = {}): Promise<void> {
  return runJourney(page, stack, user, { lifetimeSeconds: TTL_SECONDS, ...expected });
}

/** The profile of the tests in this group. */
function useProfile(profile: ProfileName): void {
  test.use({ profile });
}

test.describe('profile default (rotation, JWT, PAR, DPoP)', () => {
  useProfile('default');
  test('default: login, API call, rotating refresh, reload, logout through end-session', async ({ page, stack }) => {
    const watch = watchTokenAnswers(page, stack);
    await journey(page, stack, 'alice');
    await watch.settled();
    expect(watch.answers.map((a) => [a.grantType, a.tokenType, a.accessTokenIsJwt])).toEqual([
      ['authorization_code', 'DPoP', true],
      ['refresh_token', 'DPoP', true],
    ]);
  });
});

test.describe('profile refresh-not-rotated', () => {
  useProfile('refresh-not-rotated');
  test('refresh tokens not rotated: the same refresh token works again and again', async ({ page, stack }) => {
    await journey(page, stack, 'bob', { refreshToken: 'same', refreshes: 2 });
  });
});

test.describe('profile refresh-omitted-on-refresh', () => {
  useProfile('refresh-omitted-on-refresh');
  test('refresh answers without refresh_token: the first refresh token is kept and used again', async ({ page, stack }) => {
    await journey(page, stack, 'carol', { refreshToken: 'none', refreshes: 2 });
  });
});

test.describe('profile no-refresh-token', () => {
  useProfile('no-refresh-token');
  test('no refresh token issued: the session ends at expiry with login_required, never a refresh request', async ({ page, stack }) => {
    await logIn(page, stack, 'dave');
    expect((await callApi(page, stack)).status).toBe(200);
    const expiresAt = await page.evaluate(() => window.session!.getSnapshot().expiresAt!);
    expect(expiresAt).toBeGreaterThan(Date.now());

    await expect(page.locator('#status')).toHaveText('unauthenticated', { timeout: TTL_SECONDS * 1000 + 10_000 });
    const snapshot = await snapshotOf(page);
    expect(snapshot.error?.code).toBe('login_required');
    expect(snapshot.error?.message).toMatch(/no refresh token was issued|issued no refresh token/i);
    const code = await page.evaluate(() => window.session!.getAccessToken().then(() => 'token', (e: { code: string }) => e.code));
    expect(code).toBe('login_required');
    await page.waitForTimeout(2_000); // time enough for a loop to show
    expect(stack.server.records.tokenRequests.map((r) => r.grantType)).toEqual(['authorization_code']);
    expect(stack.server.records.apiCalls.map((c) => c.status)).toEqual([200]);
  });
});

test.describe('profile opaque-access-tokens', () => {
  useProfile('opaque-access-tokens');
  test('opaque access tokens: the API validates them by introspection; refresh and logout as usual', async ({ page, stack }) => {
    const watch = watchTokenAnswers(page, stack);
    await journey(page, stack, 'erin');
    await watch.settled();
    expect(watch.answers.map((a) => a.accessTokenIsJwt)).toEqual([false, false]);
  });
});

test.describe('profile revocation-refuses-public-clients', () => {
  useProfile('revocation-refuses-public-clients');
  test('revocation refused (401 invalid_client): logout completes everywhere, no error shown', async ({ page, stack }) => {
    await journey(page, stack, 'frank', { revocations: [401] });
    // And a local logout, watched on the same page: no error at any point.
    await logIn(page, stack, 'frank');
    const seen = await page.evaluate(async () => {
      const session = window.session!;
      const errors: string[] = [];
      const stop = session.subscribe(() => {
        const error = session.getSnapshot().error;
        if (error) errors.push(error.code);
      });
      await session.logout({ localOnly: true });
      await new Promise((resolve) => setTimeout(resolve, 500)); // a late revocation outcome would show by now
      stop();
      return { errors, status: session.getSnapshot().status, error: session.getSnapshot().error };
    });
    expect(seen).toEqual({ errors: [], status: 'unauthenticated', error: null });
    expect(stack.server.records.revocations.map((r) => r.status)).toEqual([401, 401]);
  });
});

for (const profile of ['refresh-refused-empty-400', 'refresh-refused-html-401'] as const) {
  test.describe(`profile ${profile}`, () => {
    useProfile(profile);
    test(`${profile}: the session ends with login_required at once, no retry`, async ({ page, stack }) => {
      await logIn(page, stack, 'gina');
      expect((await callApi(page, stack)).status).toBe(200);
      await expect.poll(() => countTokenRequests(stack, 'refresh_token'), { timeout: TTL_SECONDS * 1000 + 10_000 }).toBe(1);
      await expect(page.locator('#status')).toHaveText('unauthenticated');
      await expect(page.locator('#error')).toHaveText('login_required');
      await page.waitForTimeout(3_000); // a retry with backoff would show by now
      expect(countTokenRequests(stack, 'refresh_token')).toBe(1);
      await page.reload();
      await page.evaluate(() => window.session!.ready);
      await expect(page.locator('#status')).toHaveText('unauthenticated');
      expect(countTokenRequests(stack, 'refresh_token')).toBe(1);
    });
  });
}

test.describe('profile end-session-requires-state', () => {
  useProfile('end-session-requires-state');
  test('end-session endpoint that returns only with state: logout comes back to the app', async ({ page, stack }) => {
    await journey(page, stack, 'hank');
  });
});

test.describe('profile no-end-session', () => {
  useProfile('no-end-session');
  test('no end_session_endpoint: logout is local plus revocation', async ({ page, stack }) => {
    await journey(page, stack, 'iris', { logout: 'local' });
  });
});

test.describe('profile response-quirks', () => {
  useProfile('response-quirks');
  test('response quirks: issuer with a trailing slash, lower-case token_type, string expires_in, no ID token on refresh, no Date', async ({ page, stack }) => {
    expect(stack.server.issuer.endsWith('/')).toBe(true);
    const watch = watchTokenAnswers(page, stack);
    await journey(page, stack, 'jack', { refreshes: 2 });
    await watch.settled();
    expect(watch.answers.map((a) => [a.grantType, a.tokenType, a.expiresInType, a.idToken])).toEqual([
      ['authorization_code', 'dpop', 'string', true],
      ['refresh_token', 'dpop', 'string', false],
      ['refresh_token', 'dpop', 'string', false],
    ]);
    // The token endpoint does not expose Date to the page (so no clock estimate from it).
    await page.goto(stack.appUrl);
    const date = await page.evaluate(async ({ issuer, clientId }) => {
      const body = new URLSearchParams({ grant_type: 'refresh_token', client_id: clientId, refresh_token: 'not-a-token' });
      const response = await fetch(`${issuer}token`, { method: 'POST', body });
      return { status: response.status, date: response.headers.get('date') };
    }, { issuer: stack.server.issuer, clientId: stack.server.clientId });
    expect(date).toEqual({ status: 400, date: null });
  });
});

test.describe('profile callback-extras', () => {
  useProfile('callback-extras');
  test('extra callback parameters (session_state, client_info): the callback completes and the address bar is clean', async ({ page, stack }) => {
    const landed: string[] = [];
    page.on('framenavigated', (frame) => {
      if (frame === page.mainFrame() && frame.url().startsWith(stack.appUrl)) landed.push(frame.url());
    });
    await journey(page, stack, 'kim');
    const callback = new URL(landed.find((url) => url.includes('code='))!);
    expect([...callback.searchParams.keys()].sort()).toEqual(['client_info', 'code', 'iss', 'session_state', 'state']);
  });
});

test.describe('profile par-required', () => {
  useProfile('par-required');
  test('PAR required by the server: login goes through PAR', async ({ page, stack }) => {
    const pushed: string[] = [];
    page.on('request', (request) => {
      if (request.method() === 'POST' && request.url() === `${stack.server.issuer}/request`) pushed.push(request.url());
    });
    await journey(page, stack, 'kate');
    expect(pushed).toHaveLength(1);
  });
});

test.describe('profile no-par', () => {
  useProfile('no-par');
  test('PAR not offered: a plain authorization request', async ({ page, stack }) => {
    const pushed: string[] = [];
    const authorizations: URL[] = [];
    page.on('request', (request) => {
      const url = new URL(request.url());
      if (url.origin !== stack.server.issuer) return;
      if (url.pathname === '/request') pushed.push(request.url());
      if (url.pathname === '/auth') authorizations.push(url);
    });
    await journey(page, stack, 'liam');
    expect(pushed).toEqual([]);
    expect(authorizations[0]!.searchParams.get('code_challenge_method')).toBe('S256');
    expect(authorizations[0]!.searchParams.has('request_uri')).toBe(false);
  });
});

test.describe('profile dpop-nonces', () => {
  useProfile('dpop-nonces');
  test('DPoP nonces demanded by the server and by the API: every step still completes', async ({ page, stack }) => {
    await journey(page, stack, 'mia');
    expect(stack.server.records.apiCalls.filter((c) => c.status === 401).map((c) => c.error)).toContain('use_dpop_nonce');
    expect(stack.server.records.tokenRequests.filter((r) => r.status === 200).map((r) => r.grantType)).toEqual([
      'authorization_code',
      'refresh_token',
    ]);
  });
});

test.describe('profile no-dpop', () => {
  useProfile('no-dpop');
  test('no DPoP at the server: Bearer tokens, no proof sent', async ({ page, stack }) => {
    const watch = watchTokenAnswers(page, stack);
    await journey(page, stack, 'noah', { scheme: 'Bearer' });
    await watch.settled();
    expect(watch.answers.map((a) => a.tokenType)).toEqual(['Bearer', 'Bearer']);
    expect(stack.server.records.tokenRequests.map((r) => r.dpop)).toEqual([false, false]);
  });
});

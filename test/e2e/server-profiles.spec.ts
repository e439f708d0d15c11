/**
 * The embedded server's profiles WITHOUT latchkey: a plain oauth4webapi client in
 * Node proves each profile behaves as the server it imitates, so that a failure
 * in profiles.spec.ts points at latchkey, not at the imitation.
 */
import * as oauth from 'oauth4webapi';
import { startEmbedded, type EmbeddedServer } from '../../demo/server/embedded.ts';
import { listen, type Listening } from '../../demo/server/net.ts';
import type { ProfileName } from '../../demo/server/profiles.ts';
import { expect, test } from './fixtures.ts';
import { callApi, codeFlow, insecure, refresh } from './node-client.ts';

let app: Listening;
test.beforeAll(async () => {
  // A stand-in for the app: any page, so the browser can land on the callback.
  app = await listen((_req, res) => res.writeHead(200, { 'Content-Type': 'text/html' }).end('<p>app</p>'));
});
test.afterAll(async () => {
  await app.close();
});

async function withServer<T>(profile: ProfileName, fn: (server: EmbeddedServer) => Promise<T>): Promise<T> {
  const server = await startEmbedded({ appOrigin: app.origin, profile });
  try {
    return await fn(server);
  } finally {
    await server.close();
  }
}

async function discover(profile: ProfileName): Promise<{ issuer: string; metadata: Record<string, unknown> }> {
  return withServer(profile, async (server) => {
    const base = server.issuer.endsWith('/') ? server.issuer : `${server.issuer}/`;
    const metadata = (await (await fetch(`${base}.well-known/openid-configuration`)).json()) as Record<string, unknown>;
    return { issuer: server.issuer, metadata };
  });
}

/** Posts a refresh-token grant as-is and returns the raw answer. */
async function rawRefresh(
  server: EmbeddedServer,
  refreshToken: string,
): Promise<{ status: number; type: string | null; cors: string | null; body: string }> {
  const response = await fetch(new URL('token', `${server.issuer.replace(/\/$/, '')}/`), {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', Origin: app.origin },
    body: new URLSearchParams({ grant_type: 'refresh_token', client_id: server.clientId, refresh_token: refreshToken }),
  });
  return {
    status: response.status,
    type: response.headers.get('content-type'),
    cors: response.headers.get('access-control-allow-origin'),
    body: await response.text(),
  };
}

test('profiles change discovery as the servers they imitate do', async () => {
  const plain = (await discover('default')).metadata;
  expect(plain.require_pushed_authorization_requests ?? false).toBe(false);
  expect(plain.introspection_endpoint).toBeUndefined();
  expect((await discover('no-end-session')).metadata.end_session_endpoint).toBeUndefined();
  expect((await discover('no-par')).metadata.pushed_authorization_request_endpoint).toBeUndefined();
  expect((await discover('par-required')).metadata.require_pushed_authorization_requests).toBe(true);
  expect((await discover('no-dpop')).metadata.dpop_signing_alg_values_supported).toBeUndefined();
  expect((await discover('opaque-access-tokens')).metadata.introspection_endpoint).toEqual(expect.any(String));
  const quirks = await discover('response-quirks');
  expect(quirks.issuer).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
  expect(quirks.metadata.issuer).toBe(quirks.issuer);
  expect(quirks.metadata.token_endpoint).toBe(`${quirks.issuer}token`);
});

test('no-refresh-token: the code exchange brings no refresh token', async ({ page }) => {
  await withServer('no-refresh-token', async (server) => {
    const flow = await codeFlow(page, server, { username: 'ann', redirectUri: `${app.origin}/callback` });
    expect(flow.tokens.refresh_token).toBeUndefined();
    expect(await server.activeRefreshTokens()).toBe(0);
  });
});

test('refresh refusals: 400 with an empty body, 401 with an HTML page, both with CORS for the app', async ({ page }) => {
  for (const [profile, expected] of [
    ['refresh-refused-empty-400', { status: 400, type: null, cors: app.origin, body: '' }],
    ['refresh-refused-html-401', { status: 401, type: expect.stringContaining('text/html'), cors: app.origin, body: expect.stringContaining('401') }],
  ] as const) {
    await withServer(profile, async (server) => {
      const flow = await codeFlow(page, server, { username: 'ben', redirectUri: `${app.origin}/callback`, dpop: false });
      expect(await rawRefresh(server, flow.tokens.refresh_token!)).toEqual(expected);
      expect(server.records.tokenRequests.map((r) => [r.grantType, r.status])).toEqual([
        ['authorization_code', 200],
        ['refresh_token', expected.status],
      ]);
    });
  }
});

test('refresh-not-rotated and refresh-omitted-on-refresh: the refresh token stays the same', async ({ page }) => {
  await withServer('refresh-not-rotated', async (server) => {
    const flow = await codeFlow(page, server, { username: 'cy', redirectUri: `${app.origin}/callback` });
    const first = flow.tokens.refresh_token!;
    expect((await refresh(flow, first)).refresh_token).toBe(first);
    expect((await refresh(flow, first)).refresh_token).toBe(first);
    expect(server.records.tokenRequests.map((r) => r.refreshToken)).toEqual(['new', 'same', 'same']);
  });
  await withServer('refresh-omitted-on-refresh', async (server) => {
    const flow = await codeFlow(page, server, { username: 'cy', redirectUri: `${app.origin}/callback` });
    const first = flow.tokens.refresh_token!;
    expect((await refresh(flow, first)).refresh_token).toBeUndefined();
    expect((await refresh(flow, first)).refresh_token).toBeUndefined();
    expect(await server.activeRefreshTokens()).toBe(1);
  });
});

test('revocation-refuses-public-clients: 401 invalid_client, and the token stays valid', async ({ page }) => {
  await withServer('revocation-refuses-public-clients', async (server) => {
    const flow = await codeFlow(page, server, { username: 'dee', redirectUri: `${app.origin}/callback` });
    const response = await oauth.revocationRequest(flow.as, flow.client, oauth.None(), flow.tokens.refresh_token!, insecure);
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ error: 'invalid_client' });
    expect(server.records.revocations.map((r) => r.status)).toEqual([401]);
    expect(await server.activeRefreshTokens()).toBe(1);
  });
});

test('opaque-access-tokens: not a JWT, accepted by the API through introspection, refused once revoked', async ({ page }) => {
  await withServer('opaque-access-tokens', async (server) => {
    const flow = await codeFlow(page, server, { username: 'eve', redirectUri: `${app.origin}/callback` });
    expect(flow.tokens.access_token.split('.')).toHaveLength(1);
    const ok = await callApi(server, flow);
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ sub: 'eve', dpopBound: true });
    // A public client may not introspect.
    const asClient = await fetch(flow.as.introspection_endpoint!, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token: flow.tokens.access_token, client_id: server.clientId }),
    });
    expect(await asClient.json()).toEqual({ active: false });
    const revoked = await oauth.revocationRequest(flow.as, flow.client, oauth.None(), flow.tokens.access_token, insecure);
    expect(revoked.status).toBe(200);
    const after = await callApi(server, flow).catch((error: unknown) => error);
    expect(after).toBeInstanceOf(oauth.WWWAuthenticateChallengeError);
    expect((after as oauth.WWWAuthenticateChallengeError).status).toBe(401);
    expect((after as oauth.WWWAuthenticateChallengeError).cause[0]?.parameters.error).toBe('invalid_token');
  });
});

test('end-session-requires-state: back at the app only when the request carries state', async ({ page }) => {
  await withServer('end-session-requires-state', async (server) => {
    const redirectUri = `${app.origin}/`;
    const endSession = async (state?: string) => {
      const flow = await codeFlow(page, server, { username: 'fay', redirectUri });
      const url = new URL(flow.as.end_session_endpoint!);
      url.searchParams.set('id_token_hint', flow.tokens.id_token!);
      url.searchParams.set('post_logout_redirect_uri', redirectUri);
      if (state) url.searchParams.set('state', state);
      await page.goto(url.href);
      await page.waitForURL((at) => at.origin === app.origin || /signed out/i.test(at.pathname) || at.pathname.endsWith('/success'));
      await page.waitForLoadState();
      return new URL(page.url());
    };
    const withState = await endSession('s-123');
    expect(withState.origin + withState.pathname).toBe(redirectUri);
    expect(withState.searchParams.get('state')).toBe('s-123');
    const without = await endSession();
    expect(without.origin).toBe(new URL(server.issuer).origin);
    await expect(page.locator('h1')).toHaveText('Signed out');
  });
});

test('callback-extras: the redirect back carries session_state and client_info', async ({ page }) => {
  await withServer('callback-extras', async (server) => {
    await codeFlow(page, server, { username: 'gus', redirectUri: `${app.origin}/callback` });
    const landed = new URL(page.url());
    expect([...landed.searchParams.keys()].sort()).toEqual(['client_info', 'code', 'iss', 'session_state', 'state']);
  });
});

test('response-quirks: lower-case token_type, string expires_in, no ID token on refresh', async ({ page }) => {
  await withServer('response-quirks', async (server) => {
    const flow = await codeFlow(page, server, { username: 'hal', redirectUri: `${app.origin}/callback`, dpop: false });
    const raw = await rawRefresh(server, flow.tokens.refresh_token!);
    const body = JSON.parse(raw.body) as Record<string, unknown>;
    expect({ tokenType: body.token_type, expiresIn: body.expires_in, idToken: 'id_token' in body }).toEqual({
      tokenType: 'bearer',
      expiresIn: String(300),
      idToken: false,
    });
  });
});

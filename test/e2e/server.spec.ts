/**
 * Smoke tests of the embedded servers WITHOUT latchkey: a plain oauth4webapi
 * client in Node does the protocol, the browser only fills the login forms.
 * They prove the servers behave the way latchkey's own e2e tests rely on.
 */
import { decodeJwt } from 'jose';
import * as oauth from 'oauth4webapi';
import { startEmbedded } from '../../demo/server/embedded.ts';
import { listen } from '../../demo/server/net.ts';
import { countTokenRequests, expect, test } from './fixtures.ts';
import { callApi, codeFlow, insecure, refresh } from './node-client.ts';

test('discovery advertises PAR, DPoP, revocation and end_session', async ({ stack }) => {
  const response = await fetch(`${stack.server.issuer}/.well-known/openid-configuration`);
  expect(response.status).toBe(200);
  const metadata = (await response.json()) as Record<string, unknown>;
  expect(metadata.issuer).toBe(stack.server.issuer);
  expect(metadata.pushed_authorization_request_endpoint).toBe(`${stack.server.issuer}/request`);
  expect(metadata.dpop_signing_alg_values_supported).toContain('ES256');
  expect(metadata.revocation_endpoint).toBe(`${stack.server.issuer}/token/revocation`);
  expect(metadata.end_session_endpoint).toBe(`${stack.server.issuer}/session/end`);
  expect(metadata.code_challenge_methods_supported).toEqual(['S256']);
});

test('code + PKCE + PAR + DPoP: bound JWT for the API, rotation, reuse detection, records', async ({ page, stack }) => {
  const { server } = stack;
  const base = await server.activeRefreshTokens(); // sessions of earlier tests in this worker
  const flow = await codeFlow(page, server, {
    username: 'alice',
    redirectUri: new URL('/callback', stack.appUrl).href,
    scope: 'openid profile offline_access api:read',
  });
  const { tokens } = flow;

  expect(tokens.token_type.toLowerCase()).toBe('dpop');
  expect(tokens.expires_in).toBe(300);
  expect(typeof tokens.refresh_token).toBe('string');
  const claims = decodeJwt(tokens.access_token);
  expect(claims.aud).toBe(server.apiResource);
  expect(claims.iss).toBe(server.issuer);
  expect(claims.sub).toBe('alice');
  expect(claims.scope).toBe('api:read');
  expect((claims.cnf as { jkt?: string }).jkt).toEqual(expect.any(String));
  expect(oauth.getValidatedIdTokenClaims(tokens)).toMatchObject({ sub: 'alice', name: 'alice' });
  expect(await server.activeRefreshTokens()).toBe(base + 1);

  // The bound token works with the DPoP scheme ...
  const ok = await callApi(server, flow);
  expect(ok.status).toBe(200);
  expect(await ok.json()).toMatchObject({ sub: 'alice', dpopBound: true, method: 'GET', scope: 'api:read' });
  const posted = await callApi(server, flow, { method: 'POST', body: 'hello' });
  expect(await posted.json()).toMatchObject({ method: 'POST', echo: 'hello' });

  // ... and is refused as a Bearer token.
  const bearer = await fetch(`${server.apiOrigin}/api/me`, {
    headers: { Authorization: `Bearer ${tokens.access_token}` },
  });
  expect(bearer.status).toBe(401);
  expect(bearer.headers.get('www-authenticate')).toMatch(/^Bearer error="invalid_token"/);
  expect(server.records.apiCalls.map(({ scheme, status, sub }) => ({ scheme, status, sub }))).toEqual([
    { scheme: 'DPoP', status: 200, sub: 'alice' },
    { scheme: 'DPoP', status: 200, sub: 'alice' },
    { scheme: 'Bearer', status: 401, sub: undefined },
  ]);

  // Refresh rotates: a new refresh token, the old one spent.
  const first = tokens.refresh_token!;
  const rotated = await refresh(flow, first);
  expect(rotated.refresh_token).toEqual(expect.any(String));
  expect(rotated.refresh_token).not.toBe(first);
  expect(rotated.expires_in).toBe(300);
  expect(decodeJwt(rotated.access_token).aud).toBe(server.apiResource);
  expect(await server.activeRefreshTokens()).toBe(base + 1);

  // Reusing the spent one fails with invalid_grant and revokes the whole grant.
  const reuse = await refresh(flow, first).catch((error: unknown) => error);
  expect(reuse).toBeInstanceOf(oauth.ResponseBodyError);
  expect((reuse as oauth.ResponseBodyError).error).toBe('invalid_grant');
  expect(await server.activeRefreshTokens()).toBe(base);

  expect(countTokenRequests(stack, 'authorization_code')).toBe(1);
  expect(countTokenRequests(stack, 'refresh_token')).toBe(2);
  expect(server.records.tokenRequests.map(({ grantType, status, dpop }) => ({ grantType, status, dpop }))).toEqual([
    { grantType: 'authorization_code', status: 200, dpop: true },
    { grantType: 'refresh_token', status: 200, dpop: true },
    { grantType: 'refresh_token', status: 400, dpop: true },
  ]);
});

test('plain openid profile offline_access login, no DPoP: Bearer JWT for the API, refresh token, logout', async ({
  page,
  stack,
}) => {
  const { server } = stack;
  const base = await server.activeRefreshTokens(); // sessions of earlier tests in this worker
  const flow = await codeFlow(page, server, { username: 'dave', redirectUri: stack.appUrl, dpop: false });
  const { tokens } = flow;
  expect(tokens.token_type.toLowerCase()).toBe('bearer');
  expect(tokens.expires_in).toBe(300);
  expect(typeof tokens.refresh_token).toBe('string');
  expect(decodeJwt(tokens.access_token)).toMatchObject({ aud: server.apiResource, sub: 'dave' });
  expect(decodeJwt(tokens.access_token).cnf).toBeUndefined();
  expect(oauth.getValidatedIdTokenClaims(tokens)).toMatchObject({ sub: 'dave', name: 'dave' });

  const ok = await callApi(server, flow);
  expect(await ok.json()).toMatchObject({ sub: 'dave', dpopBound: false, method: 'GET' });
  const api = `${server.apiOrigin}/api/me`;
  const asDpop = await fetch(api, { headers: { Authorization: `DPoP ${tokens.access_token}` } });
  expect(asDpop.status).toBe(401);
  expect(asDpop.headers.get('www-authenticate')).toMatch(/^DPoP error="invalid_token"/);
  const tampered = await fetch(api, { headers: { Authorization: `Bearer ${tokens.access_token.slice(0, -4)}AAAA` } });
  expect(tampered.status).toBe(401);
  expect(tampered.headers.get('www-authenticate')).toMatch(/^Bearer error="invalid_token"/);
  expect(server.records.apiCalls.map((c) => c.error)).toEqual([undefined, 'invalid_token', 'invalid_token']);

  // RP-initiated logout confirms itself and lands on the post-logout URI; the grant is gone.
  const endSession = new URL(flow.as.end_session_endpoint!);
  endSession.searchParams.set('id_token_hint', tokens.id_token!);
  endSession.searchParams.set('post_logout_redirect_uri', stack.appUrl);
  await page.goto(endSession.href);
  await page.waitForURL(stack.appUrl);
  expect(await server.activeRefreshTokens()).toBe(base);
});

test('a second client is registered alike, and its tokens are its own', async ({ page, stack }) => {
  const { server } = stack;
  expect(server.otherClientId).toBe('latchkey-other');
  expect(server.otherClientId).not.toBe(server.clientId);
  const flow = await codeFlow(page, server, { username: 'olga', redirectUri: stack.appUrl, clientId: server.otherClientId });
  expect(oauth.getValidatedIdTokenClaims(flow.tokens)).toMatchObject({ sub: 'olga', aud: server.otherClientId });
  // The first client cannot spend the other client's refresh token.
  const asFirst = { ...flow, client: { client_id: server.clientId } };
  const stolen = await refresh(asFirst, flow.tokens.refresh_token!).catch((error: unknown) => error);
  expect((stolen as oauth.ResponseBodyError).error).toBe('invalid_grant');
  const own = await refresh(flow, flow.tokens.refresh_token!);
  expect(own.refresh_token).toEqual(expect.any(String));
});

test('revocation of a refresh token is recorded and takes effect', async ({ page, stack }) => {
  const { server } = stack;
  const base = await server.activeRefreshTokens(); // sessions of earlier tests in this worker
  const flow = await codeFlow(page, server, { username: 'bob', redirectUri: stack.appUrl });
  const response = await oauth.revocationRequest(flow.as, flow.client, oauth.None(), flow.tokens.refresh_token!, insecure);
  await oauth.processRevocationResponse(response);
  expect(server.records.revocations).toEqual([{ at: expect.any(Number), status: 200 }]);
  expect(await server.activeRefreshTokens()).toBe(base);
});

test('nonce mode: both servers demand DPoP nonces and the flow still completes', async ({ page }) => {
  // A stand-in for the app: any page, so the browser can land on the callback.
  const app = await listen((_req, res) => res.writeHead(200, { 'Content-Type': 'text/html' }).end('<p>app</p>'));
  const appOrigin = app.origin;
  const server = await startEmbedded({
    appOrigin,
    dpopRequireNonce: true,
    apiRequireDpopNonce: true,
    accessTokenTtl: 120,
  });
  try {
    const flow = await codeFlow(page, server, { username: 'carol', redirectUri: `${appOrigin}/callback` });
    expect(flow.tokens.expires_in).toBe(120);
    // oauth4webapi already had a nonce from PAR; a proof without one is refused.
    const noNonce = oauth.DPoP(flow.client, await oauth.generateKeyPair('ES256'));
    const refused = await oauth
      .refreshTokenGrantRequest(flow.as, flow.client, oauth.None(), flow.tokens.refresh_token!, { DPoP: noNonce, ...insecure })
      .then((response) => oauth.processRefreshTokenResponse(flow.as, flow.client, response))
      .catch((error: unknown) => error);
    expect(oauth.isDPoPNonceError(refused)).toBe(true);
    expect(server.records.tokenRequests.map((r) => [r.grantType, r.status])).toEqual([
      ['authorization_code', 200],
      ['refresh_token', 400],
    ]);

    const ok = await callApi(server, flow);
    expect(ok.status).toBe(200);
    expect(ok.headers.get('dpop-nonce')).toEqual(expect.any(String));
    expect(server.records.apiCalls.map((c) => [c.status, c.error])).toEqual([
      [401, 'use_dpop_nonce'],
      [200, undefined],
    ]);
  } finally {
    await Promise.all([server.close(), app.close()]);
  }
});

test('CORS: the app origin can call the API, /public and the token endpoint', async ({ page, stack }) => {
  const { server } = stack;
  const base = await server.activeRefreshTokens(); // sessions of earlier tests in this worker
  await page.goto(`${stack.appUrl}?manual`);
  const result = await page.evaluate(
    async ({ apiOrigin, issuer, clientId }) => {
      const echo = await fetch(`${apiOrigin}/public`, { headers: { Authorization: 'Bearer not-a-token' } });
      const api = await fetch(`${apiOrigin}/api/me`, { method: 'PUT', headers: { 'X-Custom': '1' } });
      const token = await fetch(`${issuer}/token`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded', DPoP: 'x' },
        body: new URLSearchParams({ client_id: clientId, grant_type: 'refresh_token', refresh_token: 'bogus' }),
      });
      return {
        echo: await echo.json(),
        apiStatus: api.status,
        apiChallenge: api.headers.get('www-authenticate'),
        tokenStatus: token.status,
        tokenError: ((await token.json()) as { error: string }).error,
      };
    },
    { apiOrigin: server.apiOrigin, issuer: server.issuer, clientId: server.clientId },
  );
  expect(result).toEqual({
    echo: { authorization: 'Bearer not-a-token' },
    apiStatus: 401,
    apiChallenge: expect.stringContaining('Bearer'),
    tokenStatus: 400,
    tokenError: 'invalid_dpop_proof',
  });
  expect(server.records.apiCalls.map((c) => [c.path, c.scheme, c.status])).toEqual([
    ['/public', 'Bearer', 200],
    ['/api/me', null, 401],
  ]);
});

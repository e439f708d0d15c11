import { describe, expect, it, vi } from 'vitest';
import { API, APP, ISSUER } from './fake-server.ts';
import { harness } from './harness.ts';

describe('snapshot and subscribe', () => {
  it('starts loading, becomes unauthenticated, and keeps its identity between changes', async () => {
    const h = harness();
    const session = h.make();
    const first = session.getSnapshot();
    expect(first.status).toBe('loading');
    expect(session.getSnapshot()).toBe(first);
    const listener = vi.fn();
    const unsubscribe = session.subscribe(listener);
    await session.ready;
    const after = session.getSnapshot();
    expect(after).not.toBe(first);
    expect(after).toEqual({ status: 'unauthenticated', user: null, expiresAt: null, error: null });
    expect(session.getSnapshot()).toBe(after);
    expect(listener).toHaveBeenCalledTimes(1);
    unsubscribe();
    await expect(session.getAccessToken()).rejects.toMatchObject({ code: 'login_required' });
    expect(listener).toHaveBeenCalledTimes(1);
    expect(Object.isFrozen(after)).toBe(true);
  });

  it('makes no network request to restore an empty or valid session', async () => {
    const h = harness({ par: true });
    await (await h.logIn()).ready;
    const before = h.server.requests.length;
    h.page.url = APP;
    const restored = h.make();
    await restored.ready;
    expect(restored.getSnapshot().status).toBe('authenticated');
    expect(await restored.getAccessToken()).toMatch(/^at-/);
    expect(h.server.requests.length).toBe(before);
  });
});

describe('login and callback', () => {
  it('sends the window to the authorization endpoint with PKCE S256, state and nonce', async () => {
    const h = harness();
    const session = h.make();
    await session.login({ prompt: 'login', loginHint: 'bob', extraParams: { ui_locales: 'fr' } });
    const url = new URL(h.page.navigations[0]!);
    expect(url.origin + url.pathname).toBe(`${ISSUER}/auth`);
    const p = url.searchParams;
    expect(p.get('code_challenge_method')).toBe('S256');
    expect(p.get('code_challenge')).toMatch(/^[\w-]{43}$/);
    expect(p.get('state')).toMatch(/^[\w-]{20,}$/);
    expect(p.get('nonce')).toMatch(/^[\w-]{20,}$/);
    expect(p.get('redirect_uri')).toBe(APP);
    expect(p.get('scope')).toBe('openid profile offline_access');
    expect(p.get('prompt')).toBe('login');
    expect(p.get('login_hint')).toBe('bob');
    expect(p.get('ui_locales')).toBe('fr');
    expect(p.has('dpop_jkt')).toBe(false);
  });

  it('pushes the request (PAR) with dpop_jkt when the server offers both', async () => {
    const h = harness({ par: true, dpop: true });
    await h.make().login();
    const url = new URL(h.page.navigations[0]!);
    expect([...url.searchParams.keys()].sort()).toEqual(['client_id', 'request_uri']);
    const pushed = h.server.pushedParams(url.searchParams.get('request_uri')!)!;
    expect(pushed.get('dpop_jkt')).toMatch(/^[\w-]{43}$/);
    expect(pushed.get('code_challenge_method')).toBe('S256');
  });

  it('rejects extraParams that would override a security parameter', async () => {
    const h = harness();
    await expect(h.make().login({ extraParams: { state: 'x' } })).rejects.toMatchObject({ code: 'invalid_config' });
    expect(h.page.navigations).toEqual([]);
  });

  it('completes the callback: authenticated, address bar cleaned, returnTo handed back', async () => {
    const h = harness({ par: true, dpop: true });
    const session = await h.logIn({ returnTo: '/inbox?x=1', sub: 'carol' });
    const snapshot = session.getSnapshot();
    expect(snapshot.status).toBe('authenticated');
    expect(snapshot.user?.sub).toBe('carol');
    expect(snapshot.expiresAt).toBeGreaterThan(Date.now());
    expect(snapshot.error).toBeNull();
    expect(h.page.url).toBe(APP);
    expect(await session.handleRedirectCallback()).toEqual({ returnTo: '/inbox?x=1' });
    const exchange = h.server.requests.find((r) => r.url.pathname === '/token')!;
    expect(exchange.headers.get('dpop')).toBeTruthy();
    expect(new URLSearchParams(exchange.body).get('code_verifier')).toMatch(/^[\w-]{43}$/);
  });

  it('retries the code exchange once when the server asks for a DPoP nonce', async () => {
    const h = harness({ dpop: true, tokenNonce: true });
    const session = await h.logIn();
    expect(session.getSnapshot().status).toBe('authenticated');
    expect(h.server.requests.filter((r) => r.url.pathname === '/token')).toHaveLength(2);
  });

  it('rejects a forged state, stores nothing and keeps the existing session', async () => {
    const h = harness();
    const session = await h.logIn({ sub: 'alice' });
    await session.login();
    const callback = new URL(h.server.authorize(h.page.navigations.at(-1)!, { sub: 'mallory' }));
    callback.searchParams.set('state', 'forged');
    h.page.url = callback.href;
    const next = h.make();
    await next.ready;
    const snapshot = next.getSnapshot();
    expect(snapshot.error?.code).toBe('invalid_callback');
    expect(snapshot.status).toBe('authenticated');
    expect(snapshot.user?.sub).toBe('alice');
    expect(h.page.url).toBe(APP);
  });

  it('rejects a replayed callback', async () => {
    const h = harness();
    await h.make().login();
    const callback = h.server.authorize(h.page.navigations.at(-1)!);
    h.page.url = callback;
    await h.make().ready;
    const replay = h.make();
    await replay.ready;
    await expect(replay.handleRedirectCallback(callback)).rejects.toMatchObject({ code: 'invalid_callback' });
    expect(replay.getSnapshot().status).toBe('authenticated');
  });

  it('reports a server error= as authorization_error with its details', async () => {
    const h = harness();
    await h.make().login();
    h.page.url = h.server.authorize(h.page.navigations.at(-1)!, { error: 'access_denied' });
    const session = h.make();
    await session.ready;
    const { status, error } = session.getSnapshot();
    expect(status).toBe('unauthenticated');
    expect(error).toMatchObject({ name: 'LatchkeyError', code: 'authorization_error', serverError: 'access_denied' });
    expect(h.server.requests.some((r) => r.url.pathname === '/token')).toBe(false);
  });

  it('rejects a callback with a foreign iss (RFC 9207)', async () => {
    const h = harness();
    await h.make().login();
    const callback = new URL(h.server.authorize(h.page.navigations.at(-1)!));
    callback.searchParams.set('iss', 'https://evil.example.com');
    const session = h.make();
    await session.ready;
    await expect(session.handleRedirectCallback(callback.href)).rejects.toMatchObject({ code: 'invalid_callback' });
    expect(session.getSnapshot().status).toBe('unauthenticated');
  });

  it('gives network when the authorization server cannot be reached', async () => {
    const h = harness();
    h.server.setOnline(false);
    await expect(h.make().login()).rejects.toMatchObject({ code: 'network' });
  });
});

describe('session.fetch', () => {
  it('sends Bearer tokens only to api origins and keeps the caller\'s request', async () => {
    const h = harness();
    const session = await h.logIn();
    const f = session.fetch;
    const answer = await (await f(`${API}/items?q=1`, { method: 'POST', body: 'hello', headers: { 'x-custom': 'yes' } })).json();
    expect(answer.authorization).toMatch(/^Bearer at-/);
    expect(answer.body).toBe('hello');
    const sent = h.server.requests.at(-1)!;
    expect(sent.headers.get('x-custom')).toBe('yes');
    const lookAlikes = [
      'https://other.example.com/x',
      'https://api.example.com.evil.test/x',
      'http://api.example.com/x',
      'https://api.example.com:8443/x',
      '/relative/on/the/app/origin',
    ];
    for (const url of lookAlikes) {
      const other = await (await f(url)).json();
      expect(other.authorization).toBeNull();
    }
  });

  it('sends a DPoP proof bound to the token and answers the nonce challenge once', async () => {
    const h = harness({ dpop: true, apiNonce: true });
    const session = await h.logIn();
    const response = await session.fetch(new Request(`${API}/items?q=1#frag`, { method: 'PUT', body: 'x' }));
    const answer = await response.json();
    expect(answer.authorization).toMatch(/^DPoP at-/);
    const attempts = h.server.requests.filter((r) => r.url.origin === API);
    expect(attempts).toHaveLength(2);
    const { header, payload } = h.server.decodeProof(attempts[1]!.headers.get('dpop')!);
    expect(header).toMatchObject({ typ: 'dpop+jwt', alg: 'ES256' });
    expect(payload).toMatchObject({ htm: 'PUT', htu: `${API}/items`, nonce: 'server-nonce-1' });
    expect(payload.ath).toMatch(/^[\w-]{43}$/);
    expect(attempts[1]!.body).toBe('x');
  });

  it('rejects with login_required and sends nothing without a session', async () => {
    const h = harness();
    const session = h.make();
    await session.ready;
    await expect(session.fetch(`${API}/items`)).rejects.toMatchObject({ code: 'login_required' });
    expect(h.server.requests.filter((r) => r.url.origin === API)).toHaveLength(0);
  });
});

describe('logout', () => {
  it('revokes the refresh token, forgets everything and goes to the end-session endpoint', async () => {
    const h = harness({ dpop: true });
    const session = await h.logIn();
    expect(h.server.refreshTokens.size).toBe(1);
    await session.logout({ returnTo: APP });
    expect(h.server.refreshTokens.size).toBe(0);
    expect(session.getSnapshot().status).toBe('unauthenticated');
    expect(await h.store().keys()).toEqual([]);
    const end = new URL(h.page.navigations.at(-1)!);
    expect(end.origin + end.pathname).toBe(`${ISSUER}/logout`);
    expect(end.searchParams.get('id_token_hint')).toBeTruthy();
    expect(end.searchParams.get('post_logout_redirect_uri')).toBe(APP);
    expect(end.searchParams.get('state')).toMatch(/^lk-logout\.[0-9a-f]{24}$/);
  });

  it('back from the end-session endpoint, the state latchkey sent leaves the address bar; an app\'s own state stays', async () => {
    const h = harness();
    h.page.url = `${APP}?tab=2&state=lk-logout.0123456789abcdef01234567`;
    await h.make().ready;
    expect(h.page.url).toBe(`${APP}?tab=2`);
    h.page.url = `${APP}?state=the-apps-own`;
    h.page.replaced.length = 0;
    await h.make().ready;
    expect(h.page.replaced).toEqual([]);
  });

  it('localOnly stays on the page', async () => {
    const h = harness();
    const session = await h.logIn();
    const navigations = h.page.navigations.length;
    await session.logout({ localOnly: true });
    expect(h.page.navigations.length).toBe(navigations);
    await expect(session.getAccessToken()).rejects.toMatchObject({ code: 'login_required' });
  });
});

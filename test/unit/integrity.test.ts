/**
 * The integrity review's findings, one test each (issue "integrity"): sessions
 * isolated per issuer + client, ordered writes, nothing resurrected, nothing
 * leaked. Each of these failed on the first release.
 */
import { describe, expect, it } from 'vitest';
import type { LatchkeyEvent } from '../../src/events.ts';
import { createSessionWith } from '../../src/session.ts';
import { idbStore } from '../../src/store.ts';
import { createVault } from '../../src/vault.ts';
import { API, APP, ISSUER } from './fake-server.ts';
import { settle } from './fakes.ts';
import { harness } from './harness.ts';

type H = ReturnType<typeof harness>;

/** What the vault of (issuer, client) holds now, read as the session would. */
function storedSession(h: H, clientId = 'spa') {
  return createVault({ store: h.store(), crypto, now: () => h.clock.now, issuer: `${ISSUER}/`, clientId }).readSession();
}

/** Starts a login in one page load and returns its genuine callback URL (not yet visited). */
async function startedCallback(h: H): Promise<string> {
  const starter = h.make();
  await starter.ready;
  await starter.login();
  starter.dispose();
  return h.server.authorize(h.page.navigations.at(-1)!);
}

/** A second app on the same origin and the same storageName, under another client id. */
function otherApp(h: H, clientId = 'other-spa') {
  return createSessionWith({ issuer: ISSUER, clientId, redirectUri: APP, apiOrigins: [API], storageName: h.storageName }, h.env);
}

describe('isolation between sessions on one origin (finding 1)', () => {
  it('another client with the default storageName starts unauthenticated and sends nothing', async () => {
    const h = harness();
    await h.logIn({ sub: 'alice' });
    const other = otherApp(h);
    await other.ready;
    expect(other.getSnapshot()).toMatchObject({ status: 'unauthenticated', user: null });
    const before = h.server.requests.length;
    await expect(other.fetch(`${API}/me`)).rejects.toMatchObject({ code: 'login_required' });
    await expect(other.getAccessToken()).rejects.toMatchObject({ code: 'login_required' });
    expect(h.server.requests.length).toBe(before);
  });

  it('another issuer with the same client id sees nothing either', async () => {
    const h = harness();
    await h.logIn({ sub: 'alice' });
    const other = createSessionWith({ issuer: 'https://login.example.org', clientId: 'spa', redirectUri: APP, storageName: h.storageName }, h.env);
    await other.ready;
    expect(other.getSnapshot().status).toBe('unauthenticated');
  });

  it('one app\'s logout does not touch the other\'s session', async () => {
    const h = harness();
    const first = await h.logIn({ sub: 'alice' });
    const other = otherApp(h);
    await other.ready;
    await other.login();
    h.page.url = h.server.authorize(h.page.navigations.at(-1)!, { sub: 'bob' });
    const otherBack = otherApp(h);
    await otherBack.ready;
    expect(otherBack.getSnapshot().user?.sub).toBe('bob');
    await first.logout({ localOnly: true });
    await settle();
    expect(otherBack.getSnapshot()).toMatchObject({ status: 'authenticated', user: { sub: 'bob' } });
    expect((await storedSession(h, 'other-spa'))?.tokens.claims.sub).toBe('bob');
  });

  it('a callback for another app\'s login is left to that app: no error, address bar untouched', async () => {
    const h = harness();
    h.page.url = await startedCallback(h);
    const other = otherApp(h); // created first on the callback page, as an app with two sessions might
    const mine = h.make();
    await Promise.all([other.ready, mine.ready]);
    expect(other.getSnapshot()).toMatchObject({ status: 'unauthenticated', error: null });
    expect(mine.getSnapshot()).toMatchObject({ status: 'authenticated', error: null });
    expect(h.server.tokenRequests('authorization_code')).toBe(1);
  });

  it('two tabs racing for one callback: exactly one code exchange', async () => {
    const h = harness();
    h.page.url = await startedCallback(h);
    const [a, b] = [h.make(), h.make()];
    await Promise.all([a.ready, b.ready]);
    expect(h.server.tokenRequests('authorization_code')).toBe(1);
    const statuses = [a.getSnapshot(), b.getSnapshot()].map((s) => s.error?.code ?? s.status);
    expect(statuses.sort()).toEqual(['authenticated', 'invalid_callback']);
  });
});

describe('writes are ordered: nothing comes back after logout (finding 2)', () => {
  it('a refresh answer that lands after logout() is discarded, not stored, and its refresh token revoked', async () => {
    const h = harness({ expiresIn: 60 });
    const session = await h.logIn();
    const held = h.server.hold('refresh');
    h.clock.jump(50_000);
    const refreshing = session.getAccessToken().catch((error: unknown) => error);
    await held.arrived;
    await session.logout({ localOnly: true });
    expect(session.getSnapshot().status).toBe('unauthenticated');
    held.release();
    await refreshing;
    await settle();
    expect(session.getSnapshot().status).toBe('unauthenticated');
    expect(await storedSession(h)).toBeUndefined();
    expect(h.server.refreshTokens.size).toBe(0); // the one the late refresh brought was revoked
    const reloaded = h.make();
    await reloaded.ready;
    expect(reloaded.getSnapshot().status).toBe('unauthenticated');
  });

  it('a logout in another tab is not undone by this tab\'s refresh in flight', async () => {
    const h = harness({ expiresIn: 60 });
    const tab1 = await h.logIn();
    const tab2 = h.make();
    await tab2.ready;
    const held = h.server.hold('refresh');
    h.clock.jump(50_000);
    const refreshing = tab1.getAccessToken().catch((error: unknown) => error);
    await held.arrived;
    await tab2.logout({ localOnly: true });
    held.release();
    await refreshing;
    await settle();
    expect([tab1.getSnapshot().status, tab2.getSnapshot().status]).toEqual(['unauthenticated', 'unauthenticated']);
    expect(await storedSession(h)).toBeUndefined();
    expect(h.server.refreshTokens.size).toBe(0);
  });

  it('a login as bob is not overwritten by alice\'s late refresh in another tab', async () => {
    const h = harness({ expiresIn: 60 });
    const tab1 = await h.logIn({ sub: 'alice' });
    const held = h.server.hold('refresh');
    h.clock.jump(50_000);
    const refreshing = tab1.getAccessToken().catch((error: unknown) => error);
    await held.arrived;
    const tab2 = await h.logIn({ sub: 'bob' }); // tab 2 logs in as bob meanwhile
    held.release();
    await refreshing;
    await settle();
    expect((await storedSession(h))?.tokens.claims.sub).toBe('bob');
    expect(tab2.getSnapshot().user?.sub).toBe('bob');
    expect(tab1.getSnapshot().user?.sub).toBe('bob');
    expect(h.server.refreshTokens.size).toBe(1); // bob's; alice's late one was revoked
  });

  it('logout revokes the live refresh token, even when another tab rotated it', async () => {
    const h = harness({ expiresIn: 60 });
    const tab1 = await h.logIn();
    const tab2 = h.make();
    await tab2.ready;
    h.clock.jump(50_000);
    await tab2.getAccessToken(); // tab 2 rotates; tab 1 may still hold the old one
    expect(h.server.refreshTokens.size).toBe(1);
    await tab1.logout({ localOnly: true });
    expect(h.server.refreshTokens.size).toBe(0);
  });

  it('a DPoP-bound session whose key is gone is never refreshed (no proof-less refresh token)', async () => {
    const h = harness({ dpop: true, expiresIn: 60 });
    await h.logIn();
    const stored = (await storedSession(h))!;
    const vault = createVault({ store: h.store(), crypto, now: () => h.clock.now, issuer: `${ISSUER}/`, clientId: 'spa' });
    await vault.writeSession(stored.tokens, undefined, null); // the key pair is gone
    h.clock.jump(50_000);
    const session = h.make();
    await session.ready;
    await expect(session.getAccessToken()).rejects.toMatchObject({ code: 'login_required' });
    expect(h.server.sentRefreshTokens()).toEqual([]);
  });
});

describe('logout clears first (finding 3)', () => {
  it('the session is gone here, in storage and in other tabs before revocation answers; a hanging revocation is abandoned', async () => {
    const h = harness();
    const tab1 = await h.logIn();
    const tab2 = h.make();
    await tab2.ready;
    const revocation = h.server.hold('revoke');
    const done = tab1.logout();
    await revocation.arrived;
    await settle();
    expect(tab1.getSnapshot().status).toBe('unauthenticated');
    expect(tab2.getSnapshot().status).toBe('unauthenticated');
    expect(await storedSession(h)).toBeUndefined();
    await h.clock.advance(5_000); // the revocation never answers
    await done;
    expect(h.page.navigations.at(-1)).toMatch(/\/logout\?/);
  });
});

describe('a spent refresh token is never sent again (finding 4)', () => {
  it('when storing the successor fails, it is kept in memory, used next, and stored later', async () => {
    const h = harness({ expiresIn: 60 });
    const tab1 = await h.logIn();
    const tab2 = h.make();
    await tab2.ready;
    const put = IDBObjectStore.prototype.put;
    let failures = 1;
    IDBObjectStore.prototype.put = function (this: IDBObjectStore, value: unknown, key?: IDBValidKey) {
      if ((key === 'tokens' || String(key).endsWith('/session')) && failures-- > 0) throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
      return put.call(this, value, key);
    };
    try {
      h.clock.jump(50_000);
      const token = await tab1.getAccessToken(); // refreshed; storing failed
      expect(tab1.getSnapshot()).toMatchObject({ status: 'authenticated' });
      await settle();
      // Tab 2 must not spend the old refresh token while tab 1 holds its successor.
      await expect(tab2.getAccessToken()).resolves.toBeTypeOf('string');
      h.clock.jump(50_000);
      await tab1.getAccessToken();
      const sent = h.server.sentRefreshTokens();
      expect(new Set(sent).size).toBe(sent.length);
      expect(token).toMatch(/^at-/);
      expect(h.server.tokenRequests('refresh_token')).toBe(h.server.requests.filter((r) => r.url.pathname === '/token' && r.body.includes('refresh_token')).length);
      expect((await storedSession(h))?.tokens.refreshToken).toBe([...h.server.refreshTokens][0]);
      expect(tab1.getSnapshot().status).toBe('authenticated');
    } finally {
      IDBObjectStore.prototype.put = put;
    }
  });
});

describe('what counts as a callback (finding 6)', () => {
  it('on a callback page the snapshot goes loading → authenticated, never unauthenticated in between', async () => {
    const h = harness();
    h.page.url = await startedCallback(h);
    const session = h.make();
    const seen: string[] = [session.getSnapshot().status];
    session.subscribe(() => seen.push(session.getSnapshot().status));
    await session.ready;
    expect(seen).toEqual(['loading', 'authenticated']);
  });

  it('handleRedirectCallback() hands back the returnTo of the callback ready handled', async () => {
    const h = harness();
    const session = await h.logIn({ returnTo: '/deep/page?x=1#h' });
    await expect(session.handleRedirectCallback()).resolves.toEqual({ returnTo: '/deep/page?x=1#h' });
  });
});

describe('tab messages and storage faults (finding 7)', () => {
  it('a failed storage read while handling a tab message keeps this tab signed in', async () => {
    const h = harness();
    const tab1 = await h.logIn();
    const tab2 = h.make();
    await tab2.ready;
    const getAll = IDBObjectStore.prototype.get;
    IDBObjectStore.prototype.get = function () {
      throw new DOMException('The operation failed for reasons unrelated to the database itself', 'UnknownError');
    };
    try {
      h.clock.jump(250_000);
      await tab1.getAccessToken().catch(() => undefined); // tab 1 tries (its read fails too)
      // Another tab says "changed": this tab cannot read, and stays as it was.
      h.announceEverywhere({ type: 'changed' });
      await settle();
      expect(tab2.getSnapshot().status).toBe('authenticated');
    } finally {
      IDBObjectStore.prototype.get = getAll;
    }
  });
});

describe('session.fetch and redirects (finding 8)', () => {
  it('a token-bearing request is sent with redirect: manual, so no token or proof follows a redirect', async () => {
    for (const dpop of [false, true]) {
      const h = harness({ dpop });
      const session = await h.logIn();
      const seen: RequestRedirect[] = [];
      const original = h.env.fetch;
      h.env.fetch = async (input, init) => {
        const request = new Request(input, init);
        if (new URL(request.url).origin === API) seen.push(request.redirect);
        return original(input, init);
      };
      const restored = h.make();
      await restored.ready;
      await restored.fetch(`${API}/x`);
      await restored.fetch(new Request(`${API}/y`, { redirect: 'follow' }));
      expect(seen).toEqual(['manual', 'manual']);
      void session;
    }
  });
});

describe('a login pending in another tab survives a logout (finding 9)', () => {
  it('tab 2 started a login; tab 1 logs out; tab 2\'s callback still completes', async () => {
    const h = harness();
    const tab1 = await h.logIn({ sub: 'alice' });
    const tab2 = h.make();
    await tab2.ready;
    await tab2.login();
    const callback = h.server.authorize(h.page.navigations.at(-1)!, { sub: 'bob' });
    await tab1.logout({ localOnly: true });
    h.page.url = callback;
    const back = h.make();
    await back.ready;
    expect(back.getSnapshot()).toMatchObject({ status: 'authenticated', user: { sub: 'bob' }, error: null });
  });
});

describe('expires_in: 0 (finding 10)', () => {
  it('getAccessToken never resolves to an already-expired token', async () => {
    const h = harness({ expiresIn: 0 });
    const session = await h.logIn();
    await expect(session.getAccessToken()).rejects.toMatchObject({ code: expect.stringMatching(/server_error|login_required/) });
  });
});

describe('dispose() during a refresh (finding 11)', () => {
  it('the late answer throws nothing, counts no failure and arms no timer', async () => {
    const h = harness({ expiresIn: 60 });
    const session = await h.logIn();
    const errors: unknown[] = [];
    session.subscribe(() => errors.push(session.getSnapshot().error));
    const held = h.server.hold('refresh');
    h.clock.jump(50_000);
    const refreshing = session.getAccessToken().catch((error: unknown) => error);
    await held.arrived;
    session.dispose();
    held.release();
    await refreshing;
    await settle();
    expect(h.clock.pending).toBe(0);
    expect(errors).toEqual([]);
  });
});

describe('token endpoint refusals end the session at once (finding 12)', () => {
  it.each(['400-empty', '401-html'] as const)('a refresh answered %s ends the session with login_required, no retries', async (fault) => {
    const events: LatchkeyEvent[] = [];
    const h = harness({ expiresIn: 60 }, { onEvent: (event) => events.push(event) });
    const session = await h.logIn();
    h.server.setTokenFault(fault);
    h.clock.jump(50_000);
    await expect(session.getAccessToken()).rejects.toMatchObject({ code: 'login_required' });
    expect(session.getSnapshot()).toMatchObject({ status: 'unauthenticated', error: { code: 'login_required' } });
    await h.clock.advance(120_000);
    expect(h.server.tokenRequests('refresh_token')).toBe(1);
    expect(events.map((event) => event.type)).toContain('session_ended');
  });

  it.each([429, 503] as const)('a refresh answered %i is transient: the session stays and retries', async (fault) => {
    const h = harness({ expiresIn: 60 });
    const session = await h.logIn();
    h.server.setTokenFault(fault);
    await h.clock.advance(50_000);
    expect(session.getSnapshot().status).toBe('authenticated');
    h.server.setTokenFault(undefined);
    await h.clock.advance(35_000);
    expect(session.getSnapshot()).toMatchObject({ status: 'authenticated', error: null });
  });

  it('with no refresh token the session lives until expiry, then ends saying so — never a refresh loop', async () => {
    const events: LatchkeyEvent[] = [];
    const h = harness({ expiresIn: 60 }, { onEvent: (event) => events.push(event) });
    h.server.tamper.token = ({ refresh_token: _drop, ...rest }) => Response.json(rest);
    const session = await h.logIn();
    await h.clock.advance(50_000);
    expect(session.getSnapshot().status).toBe('authenticated'); // not cut short at 75 % of the lifetime
    await h.clock.advance(20_000);
    expect(session.getSnapshot()).toMatchObject({ status: 'unauthenticated', error: { code: 'login_required' } });
    expect(session.getSnapshot().error?.message).toMatch(/no refresh token/);
    expect(events.find((event) => event.type === 'session_ended')?.reason).toBe('no_refresh_token');
    await h.clock.advance(600_000);
    expect(h.server.tokenRequests('refresh_token')).toBe(0);
  });
});

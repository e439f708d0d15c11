import { describe, expect, it } from 'vitest';
import { REFRESH_BUDGET } from '../../src/refresh.ts';
import { API } from './fake-server.ts';
import { eventually, settle } from './fakes.ts';
import { harness } from './harness.ts';

const refreshes = (h: ReturnType<typeof harness>) => h.server.tokenRequests('refresh_token');

describe('refresh scheduling', () => {
  it('refreshes on the timer before expiry, and keeps doing so', async () => {
    const h = harness({ expiresIn: 300 });
    const session = await h.logIn();
    const firstExpiry = session.getSnapshot().expiresAt!;
    await h.clock.advance(239_000);
    expect(refreshes(h)).toBe(0);
    await h.clock.advance(1_000);
    expect(refreshes(h)).toBe(1);
    expect(session.getSnapshot().expiresAt).toBeGreaterThan(firstExpiry);
    await h.clock.advance(240_000 * 3);
    expect(refreshes(h)).toBe(4);
    expect(session.getSnapshot().status).toBe('authenticated');
  });

  it('shares one refresh between concurrent callers in a tab', async () => {
    const h = harness();
    const session = await h.logIn();
    h.clock.jump(301_000); // asleep past expiry: the timer did not fire
    const results = await Promise.all([session.getAccessToken(), session.getAccessToken(), session.getAccessToken()]);
    expect(refreshes(h)).toBe(1);
    expect(new Set(results).size).toBe(1);
  });

  it('never hands out an expired token after a sleep: getAccessToken refreshes first', async () => {
    const h = harness();
    const session = await h.logIn();
    const old = await session.getAccessToken();
    h.clock.jump(8 * 3600_000);
    const fresh = await session.getAccessToken();
    expect(fresh).not.toBe(old);
    expect(refreshes(h)).toBe(1);
  });

  it('refreshes when the page becomes visible and the token is due', async () => {
    const h = harness();
    await h.logIn();
    h.clock.jump(250_000);
    h.wake('visible');
    await settle();
    expect(refreshes(h)).toBe(1);
    h.wake('focus');
    await settle();
    expect(refreshes(h)).toBe(1);
  });

  it('stops after a bounded number of refreshes per minute and says so', async () => {
    const h = harness({ expiresIn: 1 });
    const session = await h.logIn();
    // Second by second, so that a refresh slowed by the machine only delays the next one.
    for (let second = 0; second < 30; second++) await h.clock.advance(1_000);
    expect(refreshes(h)).toBe(REFRESH_BUDGET.limit);
    expect(session.getSnapshot().error?.message).toMatch(/too many refreshes/);
    await h.clock.advance(2 * 60_000);
    expect(refreshes(h)).toBeLessThanOrEqual(REFRESH_BUDGET.limit * 3);
  }, 30_000);
});

describe('faults', () => {
  it('keeps the session through a token endpoint outage and recovers by itself', async () => {
    const h = harness({ expiresIn: 60 });
    const session = await h.logIn();
    h.server.setTokenFault(503);
    await h.clock.advance(45_000);
    expect(session.getSnapshot().status).toBe('authenticated');
    expect(session.getSnapshot().error?.code).toBe('network');
    h.server.setTokenFault('offline');
    await h.clock.advance(120_000);
    expect(session.getSnapshot().status).toBe('authenticated');
    const failedTries = h.server.requests.length;
    h.server.setTokenFault(undefined);
    await h.clock.advance(31_000);
    await eventually(() => session.getSnapshot().error === null);
    expect(session.getSnapshot()).toMatchObject({ status: 'authenticated', error: null });
    expect(session.getSnapshot().expiresAt).toBeGreaterThan(h.clock.now);
    expect(h.server.requests.length).toBeGreaterThan(failedTries);
  });

  it('backs off: callers during an outage do not each send a request', async () => {
    const h = harness({ expiresIn: 60 });
    const session = await h.logIn();
    h.server.setTokenFault('offline');
    h.clock.jump(61_000); // expired
    await expect(session.getAccessToken()).rejects.toMatchObject({ code: 'network' });
    const tries = h.server.requests.length;
    for (let i = 0; i < 10; i++) {
      await expect(session.fetch(`${API}/x`)).rejects.toMatchObject({ code: 'network' });
    }
    expect(h.server.requests.length).toBe(tries);
    expect(session.getSnapshot().status).toBe('authenticated');
    h.server.setTokenFault(undefined);
    await h.clock.advance(1_000);
    expect((await session.fetch(`${API}/x`)).status).toBe(200);
  });

  it('retries at once when the browser comes back online', async () => {
    const h = harness({ expiresIn: 60 });
    const session = await h.logIn();
    h.server.setTokenFault('offline');
    await h.clock.advance(46_000);
    expect(session.getSnapshot().error?.code).toBe('network');
    h.server.setTokenFault(undefined);
    h.wake('online');
    await settle();
    expect(session.getSnapshot().error).toBeNull();
  });

  it('ends the session on invalid_grant', async () => {
    const h = harness();
    const session = await h.logIn();
    h.server.refreshTokens.clear(); // revoked at the server
    h.clock.jump(301_000);
    await expect(session.getAccessToken()).rejects.toMatchObject({ code: 'login_required' });
    expect(session.getSnapshot()).toMatchObject({ status: 'unauthenticated', user: null });
    expect(session.getSnapshot().error?.code).toBe('login_required');
    expect(await h.store().keys()).toEqual([]);
  });

  it('rotates: the new refresh token replaces the old one', async () => {
    const h = harness();
    const session = await h.logIn();
    h.clock.jump(301_000);
    await session.getAccessToken();
    h.clock.jump(301_000);
    await session.getAccessToken(); // would be invalid_grant if the spent refresh token were reused
    expect(refreshes(h)).toBe(2);
    expect(session.getSnapshot().status).toBe('authenticated');
  });
});

describe('session.fetch and invalid_token', () => {
  it('refreshes once and retries once when the API rejects the token', async () => {
    const h = harness();
    const session = await h.logIn();
    h.server.revokeAccessTokens();
    const response = await session.fetch(`${API}/strict/items`, { method: 'POST', body: 'again' });
    expect(response.status).toBe(200);
    expect((await response.json()).body).toBe('again');
    expect(refreshes(h)).toBe(1);
  });

  it('returns the 401 when the retry is rejected too, and does not loop', async () => {
    const h = harness();
    const session = await h.logIn();
    const original = h.server.fetch;
    let apiCalls = 0;
    h.env.fetch = async (input, init) => {
      const url = new Request(input, init).url;
      if (url.startsWith(API)) {
        apiCalls += 1;
        return new Response(null, { status: 401, headers: { 'www-authenticate': 'Bearer error="invalid_token"' } });
      }
      return original(input, init);
    };
    const again = h.make();
    await again.ready;
    expect((await again.fetch(`${API}/x`)).status).toBe(401);
    expect(apiCalls).toBe(2);
    expect(refreshes(h)).toBe(1);
    void session;
  });

  it('does not replay a stream body', async () => {
    const h = harness();
    const session = await h.logIn();
    h.server.revokeAccessTokens();
    const body = new ReadableStream({ start: (c) => { c.enqueue(new TextEncoder().encode('s')); c.close(); } });
    const response = await session.fetch(`${API}/strict/upload`, { method: 'POST', body, duplex: 'half' } as RequestInit);
    expect(response.status).toBe(401);
    expect(refreshes(h)).toBe(0);
  });
});

describe('tabs', () => {
  it('one refresh across tabs: the others take the stored tokens', async () => {
    const h = harness();
    await h.logIn();
    const tabs = [h.make(), h.make(), h.make()];
    await Promise.all(tabs.map((tab) => tab.ready));
    h.clock.jump(301_000);
    const tokens = await Promise.all(tabs.map((tab) => tab.getAccessToken()));
    expect(refreshes(h)).toBe(1);
    expect(new Set(tokens).size).toBe(1);
  });

  it('a login in one tab authenticates the others; a logout unauthenticates them', async () => {
    const h = harness();
    const other = h.make();
    await other.ready;
    expect(other.getSnapshot().status).toBe('unauthenticated');
    const first = await h.logIn({ sub: 'dana' });
    await settle();
    expect(other.getSnapshot()).toMatchObject({ status: 'authenticated', user: { sub: 'dana' } });
    await first.logout({ localOnly: true });
    await settle();
    expect(other.getSnapshot().status).toBe('unauthenticated');
    expect(h.clock.pending).toBe(0);
  });

  it('a refresh in one tab reaches the others without a request of theirs', async () => {
    const h = harness();
    const first = await h.logIn();
    const second = h.make();
    await second.ready;
    await h.clock.advance(240_000);
    expect(refreshes(h)).toBe(1);
    expect(second.getSnapshot().expiresAt).toBe(first.getSnapshot().expiresAt);
  });
});

describe('dispose', () => {
  it('leaves no timer armed, even when a refresh lands afterwards', async () => {
    const h = harness();
    const session = await h.logIn();
    expect(h.clock.pending).toBe(1);
    h.clock.jump(301_000);
    const pending = session.getAccessToken();
    session.dispose();
    await pending.catch(() => undefined);
    await settle();
    expect(h.clock.pending).toBe(0);
    await expect(session.getAccessToken()).rejects.toMatchObject({ name: 'LatchkeyError' });
  });
});

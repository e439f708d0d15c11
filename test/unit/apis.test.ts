/**
 * Per-API tokens (RFC 8707, narrow scopes): an object entry in apiOrigins gets a
 * token of its own through the refresh-token grant, sealed with the session,
 * refreshed on its own schedule, sent only to its origin; every token request
 * runs under the one lock, so a rotating refresh token is spent once.
 */
import { describe, expect, it } from 'vitest';
import { API } from './fake-server.ts';
import { harness } from './harness.ts';

const BILLING = 'https://billing.example.com';
const config = { apiOrigins: [API, { origin: BILLING, resource: `${BILLING}/`, scope: 'billing:read', params: { audience: 'billing' } }] };

type H = ReturnType<typeof harness>;

/** The access tokens each API origin received, from the server's records. */
function tokensSeenBy(h: H, origin: string): string[] {
  return h.server.requests.filter((r) => r.url.origin === origin).map((r) => r.headers.get('authorization')?.split(' ')[1] ?? '');
}

describe('per-API tokens', () => {
  it.each([false, true])('each API gets only its own token (DPoP %s), obtained with resource, scope and params', async (dpop) => {
    const h = harness({ dpop, expiresIn: 60 }, config);
    const session = await h.logIn();
    expect((await session.fetch(`${BILLING}/invoices`)).status).toBe(200);
    expect((await session.fetch(`${API}/me`)).status).toBe(200);
    const grant = h.server.requests.find((r) => r.url.pathname === '/token' && r.body.includes('resource='))!;
    const params = new URLSearchParams(grant.body);
    expect(params.get('resource')).toBe(`${BILLING}/`);
    expect(params.get('scope')).toBe('billing:read');
    expect(params.get('audience')).toBe('billing');
    expect(tokensSeenBy(h, BILLING).map((t) => h.server.audienceOf(t))).toEqual([`${BILLING}/`]);
    expect(tokensSeenBy(h, API).map((t) => h.server.audienceOf(t))).toEqual(['main']);
    if (dpop) {
      const billingCall = h.server.requests.find((r) => r.url.origin === BILLING)!;
      expect(billingCall.headers.get('authorization')).toMatch(/^DPoP /);
      expect(h.server.decodeProof(billingCall.headers.get('dpop')!).payload.htu).toBe(`${BILLING}/invoices`);
    }
    expect(await session.getAccessToken({ api: BILLING })).toBe(tokensSeenBy(h, BILLING)[0]);
    expect(await session.getAccessToken({ api: `${API}/anything` })).toBe(await session.getAccessToken());
    await expect(session.getAccessToken({ api: 'https://evil.example.com' })).rejects.toMatchObject({ code: 'origin_not_allowed' });
  });

  it('the login asks for every API\'s resource and scope; the code exchange narrows to the main resource', async () => {
    const h = harness({}, { ...config, resource: `${API}/`, scope: 'openid offline_access api:read' });
    await h.logIn();
    const authorize = new URL(h.page.navigations.find((href) => href.includes('/auth?'))!);
    expect(authorize.searchParams.getAll('resource')).toEqual([`${API}/`, `${BILLING}/`]);
    expect(authorize.searchParams.get('scope')).toBe('openid offline_access api:read billing:read');
    const exchange = h.server.requests.find((r) => r.body.includes('grant_type=authorization_code'))!;
    expect(new URLSearchParams(exchange.body).getAll('resource')).toEqual([`${API}/`]);
  });

  it('the refreshed event names the API whose own token was obtained', async () => {
    const events: Array<{ type: string; reason?: string }> = [];
    const h = harness({}, { ...config, onEvent: (event) => events.push(event) });
    const session = await h.logIn();
    await session.getAccessToken({ api: BILLING });
    expect(events.filter((event) => event.type === 'refreshed')).toEqual([expect.objectContaining({ reason: BILLING })]);
  });

  it('the API token is sealed with the session and restored without a request', async () => {
    const h = harness({ expiresIn: 300 }, config);
    const session = await h.logIn();
    const billing = await session.getAccessToken({ api: BILLING });
    const before = h.server.requests.length;
    const reloaded = h.make();
    await reloaded.ready;
    expect(await reloaded.getAccessToken({ api: BILLING })).toBe(billing);
    expect(h.server.requests.length).toBe(before);
  });

  it('three tabs over several lifetimes: each API only ever sees its own tokens, and every refresh token is spent once', async () => {
    const h = harness({ expiresIn: 60 }, config);
    const tabs = [await h.logIn(), h.make(), h.make()];
    await Promise.all(tabs.map((tab) => tab.ready));
    for (let round = 0; round < 12; round++) {
      await h.clock.advance(20_000);
      await Promise.all(tabs.flatMap((tab) => [tab.fetch(`${API}/me`), tab.fetch(`${BILLING}/invoices`)]));
    }
    const sent = h.server.sentRefreshTokens();
    expect(new Set(sent).size).toBe(sent.length);
    expect(sent.length).toBeGreaterThanOrEqual(8); // main and billing tokens, refreshed over 4 lifetimes
    expect(new Set(tokensSeenBy(h, BILLING).map((t) => h.server.audienceOf(t)))).toEqual(new Set([`${BILLING}/`]));
    expect(new Set(tokensSeenBy(h, API).map((t) => h.server.audienceOf(t)))).toEqual(new Set(['main']));
    for (const tab of tabs) expect(tab.getSnapshot()).toMatchObject({ status: 'authenticated', error: null });
    const statuses = h.server.requests.filter((r) => r.url.origin === API || r.url.origin === BILLING).length;
    expect(statuses).toBe(12 * 6);
  });

  it('an API whose own token is refused (invalid_target) fails alone; the session stays', async () => {
    const h = harness({ expiresIn: 300 }, config);
    const session = await h.logIn();
    h.server.tamper.token = (body) => (body.access_token && h.server.requests.at(-1)!.body.includes('resource=')
      ? Response.json({ error: 'invalid_target' }, { status: 400 })
      : Response.json(body));
    await expect(session.fetch(`${BILLING}/invoices`)).rejects.toMatchObject({ code: 'server_error', serverError: 'invalid_target' });
    expect(session.getSnapshot().status).toBe('authenticated');
    expect((await session.fetch(`${API}/me`)).status).toBe(200);
  });

  it('logout forgets the API tokens too', async () => {
    const h = harness({ expiresIn: 300 }, config);
    const session = await h.logIn();
    await session.getAccessToken({ api: BILLING });
    await session.logout({ localOnly: true });
    const reloaded = h.make();
    await reloaded.ready;
    await expect(reloaded.getAccessToken({ api: BILLING })).rejects.toMatchObject({ code: 'login_required' });
  });
});

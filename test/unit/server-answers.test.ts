import { describe, expect, it } from 'vitest';
import { harness } from './harness.ts';

/** Logs in with the server tampered as given; returns the settled session. */
async function loginAgainst(setup: (h: ReturnType<typeof harness>) => void, options = {}) {
  const h = harness(options);
  setup(h);
  const session = await h.logIn();
  return { h, session, snapshot: session.getSnapshot() };
}

function allText(value: unknown): string {
  const seen = new Set<unknown>();
  return JSON.stringify(value, (_key, v) => {
    if (typeof v === 'object' && v !== null) {
      if (seen.has(v)) return undefined;
      seen.add(v);
      if (v instanceof Error) return { ...v, message: v.message, name: v.name, cause: (v as { cause?: unknown }).cause };
    }
    return v;
  });
}

describe('hostile or broken server answers at the code exchange', () => {
  it.each<[string, (h: ReturnType<typeof harness>) => void, string]>([
    ['malformed JSON', (h) => { h.server.tamper.token = () => new Response('{"access_token":', { headers: { 'content-type': 'application/json' } }); }, 'server_error'],
    ['an HTML page (a captive portal or proxy)', (h) => { h.server.tamper.token = () => new Response('<html>Sign in to the Wi-Fi</html>', { headers: { 'content-type': 'text/html' } }); }, 'server_error'],
    ['no access_token', (h) => { h.server.tamper.token = ({ access_token: _drop, ...rest }) => Response.json(rest); }, 'server_error'],
    ['an unknown token_type', (h) => { h.server.tamper.token = (b) => Response.json({ ...b, token_type: 'MAC' }); }, 'server_error'],
    ['an ID token for another issuer', (h) => { h.server.tamper.idToken = (c) => ({ ...c, iss: 'https://evil.example.com' }); }, 'invalid_callback'],
    ['an ID token for another client', (h) => { h.server.tamper.idToken = (c) => ({ ...c, aud: 'someone-else' }); }, 'invalid_callback'],
    ['an ID token with another nonce', (h) => { h.server.tamper.idToken = (c) => ({ ...c, nonce: 'replayed' }); }, 'invalid_callback'],
    ['an expired ID token', (h) => { h.server.tamper.idToken = (c) => ({ ...c, exp: Math.floor(Date.now() / 1000) - 3600 }); }, 'invalid_callback'],
    ['no ID token', (h) => { h.server.tamper.token = ({ id_token: _drop, ...rest }) => Response.json(rest); }, 'invalid_callback'],
    ['a 500', (h) => { h.server.tamper.token = () => new Response('oops', { status: 500 }); }, 'network'],
  ])('%s → %s, nothing stored', async (_name, setup, code) => {
    const { h, snapshot } = await loginAgainst(setup);
    expect(snapshot.status).toBe('unauthenticated');
    expect(snapshot.error?.code).toBe(code);
    const keys = await h.store().keys();
    expect(keys.filter((k) => k.endsWith('/session'))).toEqual([]);
  });

  it('refuses a Bearer token when it asked for a DPoP-bound one', async () => {
    const { snapshot } = await loginAgainst((h) => { h.server.tamper.token = (b) => Response.json({ ...b, token_type: 'Bearer' }); }, { dpop: true });
    expect(snapshot.error).toMatchObject({ code: 'server_error', message: expect.stringMatching(/DPoP/) });
  });

  it('never puts a token into the error, its message or its cause', async () => {
    const { snapshot } = await loginAgainst((h) => {
      h.server.tamper.token = ({ access_token: _drop, ...rest }) => Response.json({ ...rest, access_token: 42 });
    });
    expect(snapshot.error).not.toBeNull();
    const text = allText(snapshot.error) + String(snapshot.error) + String(snapshot.error?.stack);
    expect(text).not.toMatch(/rt-\d|eyJ/);
  });
});

describe('discovery', () => {
  it('rejects a discovery document for another issuer', async () => {
    const h = harness();
    h.server.tamper.discovery = (doc) => ({ ...doc, issuer: 'https://evil.example.com' });
    await expect(h.make().login()).rejects.toMatchObject({ code: 'server_error' });
    expect(h.page.navigations).toEqual([]);
  });

  it('retries discovery after a failure instead of caching it', async () => {
    const h = harness();
    h.server.setOnline(false);
    const session = h.make();
    await expect(session.login()).rejects.toMatchObject({ code: 'network' });
    h.server.setOnline(true);
    await session.login();
    expect(h.page.navigations).toHaveLength(1);
  });
});

describe('storage faults', () => {
  it('ready resolves with storage_unavailable when IndexedDB is missing', async () => {
    const original = globalThis.indexedDB;
    // @ts-expect-error simulate private mode without IndexedDB
    delete globalThis.indexedDB;
    try {
      const h = harness();
      const session = h.make();
      await session.ready;
      expect(session.getSnapshot()).toMatchObject({ status: 'unauthenticated', error: { code: 'storage_unavailable' } });
      await expect(session.login()).rejects.toMatchObject({ code: 'storage_unavailable' });
      expect(h.page.navigations).toEqual([]);
    } finally {
      globalThis.indexedDB = original;
    }
  });
});

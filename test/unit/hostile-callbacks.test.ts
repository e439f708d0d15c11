import { describe, expect, it } from 'vitest';
import { APP, ISSUER } from './fake-server.ts';
import { harness } from './harness.ts';

type H = ReturnType<typeof harness>;

/** Starts a real login and returns its genuine callback URL (not yet visited). */
async function genuineCallback(h: H, result: { error?: string } = {}): Promise<URL> {
  const session = h.make();
  await session.ready;
  await session.login();
  session.dispose();
  return new URL(h.server.authorize(h.page.navigations.at(-1)!, result));
}

describe('hostile callbacks: a clear error, nothing stored, an existing session untouched', () => {
  const cases: Array<[string, (h: H) => Promise<string>, string]> = [
    ['a forged state', async (h) => {
      const url = await genuineCallback(h);
      url.searchParams.set('state', 'forged');
      return url.href;
    }, 'invalid_callback'],
    ['a duplicated state', async (h) => {
      const url = await genuineCallback(h);
      url.searchParams.append('state', url.searchParams.get('state')!);
      return url.href;
    }, 'invalid_callback'],
    ['a duplicated code', async (h) => {
      const url = await genuineCallback(h);
      url.searchParams.append('code', 'second-code');
      return url.href;
    }, 'invalid_callback'],
    ['error= with its state', async (h) => (await genuineCallback(h, { error: 'access_denied' })).href, 'authorization_error'],
    ['a foreign iss (RFC 9207)', async (h) => {
      const url = await genuineCallback(h);
      url.searchParams.set('iss', 'https://evil.example.com');
      return url.href;
    }, 'invalid_callback'],
    ['a missing iss where the server promises it', async (h) => {
      const url = await genuineCallback(h);
      url.searchParams.delete('iss');
      return url.href;
    }, 'invalid_callback'],
    ['a callback in a browser that never started this login', async () => `${APP}?code=abc&state=never-issued&iss=${encodeURIComponent(ISSUER)}`, 'invalid_callback'],
    ['a transaction older than ten minutes', async (h) => {
      const url = await genuineCallback(h);
      h.clock.jump(10 * 60_000 + 1);
      return url.href;
    }, 'invalid_callback'],
  ];

  it.each(cases)('%s → %s', async (_name, makeUrl, code) => {
    const h = harness({ expiresIn: 3600 });
    const existing = await h.logIn({ sub: 'alice' });
    const before = await existing.getAccessToken();
    const exchangesBefore = h.server.tokenRequests('authorization_code');
    h.page.url = await makeUrl(h);
    const session = h.make();
    await session.ready;
    expect(session.getSnapshot().error?.code).toBe(code);
    expect(session.getSnapshot()).toMatchObject({ status: 'authenticated', user: { sub: 'alice' } });
    expect(await session.getAccessToken()).toBe(before);
    expect(h.server.tokenRequests('authorization_code')).toBe(exchangesBefore);
    expect(h.page.url).toBe(APP);
  });

  it.each([
    ['the app\'s own ?code= (no state)', async (h: H) => {
      const url = await genuineCallback(h);
      url.searchParams.delete('state');
      return url.href;
    }],
    ['?error= without state (attacker text)', async () => `${APP}?error=<script>alert(1)</script>&error_description=Call+0800-SCAM`],
    ['?code=&error= on another path', async () => `${APP}other?code=1&state=2&error=x`],
  ])('%s is not a callback: address bar and session left alone', async (_name, makeUrl) => {
    const h = harness({ expiresIn: 3600 });
    await h.logIn({ sub: 'alice' });
    const url = await makeUrl(h);
    h.page.url = url;
    h.page.replaced.length = 0;
    const exchangesBefore = h.server.tokenRequests('authorization_code');
    const session = h.make();
    await session.ready;
    expect(session.getSnapshot()).toMatchObject({ status: 'authenticated', user: { sub: 'alice' }, error: null });
    expect(h.page.replaced).toEqual([]);
    expect(h.page.url).toBe(url);
    expect(h.server.tokenRequests('authorization_code')).toBe(exchangesBefore);
    await expect(session.handleRedirectCallback()).rejects.toMatchObject({ code: 'invalid_callback' });
    expect(session.getSnapshot().error).toBeNull();
  });

  it('a replayed callback (the back button onto /?code=…) fails cleanly', async () => {
    const h = harness();
    const callback = (await genuineCallback(h)).href;
    h.page.url = callback;
    const first = h.make();
    await first.ready;
    const token = await first.getAccessToken();
    h.page.url = callback; // back button
    const again = h.make();
    await again.ready;
    expect(again.getSnapshot().error?.code).toBe('invalid_callback');
    expect(await again.getAccessToken()).toBe(token);
  });
});

describe('storage that throws', () => {
  it('a quota error while saving tokens ends as storage_unavailable, never an unhandled rejection', async () => {
    const h = harness();
    const callback = (await genuineCallback(h)).href;
    const put = IDBObjectStore.prototype.put;
    IDBObjectStore.prototype.put = function (this: IDBObjectStore, value: unknown, key?: IDBValidKey) {
      if (String(key).endsWith('/session')) throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
      return put.call(this, value, key);
    };
    try {
      h.page.url = callback;
      const session = h.make();
      await session.ready;
      expect(session.getSnapshot()).toMatchObject({ status: 'unauthenticated', error: { code: 'storage_unavailable' } });
      await expect(session.getAccessToken()).rejects.toMatchObject({ code: 'login_required' });
    } finally {
      IDBObjectStore.prototype.put = put;
    }
  });
});

import { describe, expect, it, vi } from 'vitest';
import { estimateServerOffset, unverifiedIat } from '../../src/skew.ts';
import { API } from './fake-server.ts';
import { harness } from './harness.ts';

describe('estimateServerOffset', () => {
  const local = Date.parse('2026-11-23T10:00:00.000Z');
  it.each<[string, { date?: string | null; idTokenIat?: number }, number | undefined]>([
    ['nothing to go by', {}, undefined],
    ['an unparseable Date header and no iat', { date: 'yesterday-ish' }, undefined],
    ['the Date header: server 5 min ahead', { date: 'Mon, 23 Nov 2026 10:05:00 GMT' }, 300],
    ['the Date header: server 5 min behind', { date: 'Mon, 23 Nov 2026 09:55:00 GMT' }, -300],
    ['the ID token iat when there is no Date header', { idTokenIat: local / 1000 - 300 }, -300],
    ['the Date header wins over iat', { date: 'Mon, 23 Nov 2026 10:00:00 GMT', idTokenIat: local / 1000 + 999 }, 0],
    ['in step', { idTokenIat: local / 1000 }, 0],
  ])('%s', (_name, evidence, expected) => {
    expect(estimateServerOffset(local, evidence)).toBe(expected);
  });

  it('reads iat from a JWT payload and nothing else', () => {
    const jwt = `e30.${Buffer.from(JSON.stringify({ iat: 123 })).toString('base64url')}.sig`;
    expect(unverifiedIat(jwt)).toBe(123);
    expect(unverifiedIat('not a jwt')).toBeUndefined();
    expect(unverifiedIat(undefined)).toBeUndefined();
  });
});

describe('a server clock 5 minutes off', () => {
  it.each([300_000, -300_000])('DPoP proofs carry server time (offset %i ms), also after a reload', async (offset) => {
    const h = harness({ dpop: true, clockOffsetMs: offset });
    const session = await h.logIn();
    const proofIat = async (s: typeof session) => {
      await s.fetch(`${API}/x`);
      const proof = h.server.requests.at(-1)!.headers.get('dpop')!;
      return h.server.decodeProof(proof).payload.iat as number;
    };
    const serverNow = () => (Date.now() + offset) / 1000;
    expect(Math.abs((await proofIat(session)) - serverNow())).toBeLessThanOrEqual(2);
    const restored = h.make();
    await restored.ready;
    expect(Math.abs((await proofIat(restored)) - serverNow())).toBeLessThanOrEqual(2);
    expect(restored.getSnapshot().status).toBe('authenticated');
  });

  it('accepts an ID token that looks expired by the browser clock but is valid by the server\'s (within 15 minutes)', async () => {
    // The server is 12 minutes behind: its 5-minute ID token "expired" 7 minutes ago locally.
    const h = harness({ clockOffsetMs: -12 * 60_000 });
    const session = await h.logIn();
    expect(session.getSnapshot()).toMatchObject({ status: 'authenticated', error: null });
  });
});

describe('time from bounded sources', () => {
  it('an estimate beyond 15 minutes is not believed: an expired ID token stays expired, and an event says so', async () => {
    // Evidence: only the ID token's own iat, 90 minutes old (a replayed or stale token).
    const events: string[] = [];
    const h = harness({ clockOffsetMs: -90 * 60_000 }, { onEvent: (event) => events.push(event.type) });
    const session = await h.logIn();
    expect(session.getSnapshot()).toMatchObject({ status: 'unauthenticated', error: { code: 'invalid_callback' } });
    expect(events).toContain('clock_untrusted');
  });

  it('a Date: 1 Jan 1970 header does not make DPoP proofs carry iat 0, now or after a reload', async () => {
    const h = harness({ dpop: true });
    h.server.setDateHeader(() => 'Thu, 01 Jan 1970 00:00:00 GMT');
    const session = await h.logIn();
    const proofIat = async (s: typeof session) => {
      await s.fetch(`${API}/x`);
      return h.server.decodeProof(h.server.requests.at(-1)!.headers.get('dpop')!).payload.iat as number;
    };
    expect(Math.abs((await proofIat(session)) - Date.now() / 1000)).toBeLessThanOrEqual(2);
    const restored = h.make();
    await restored.ready;
    expect(Math.abs((await proofIat(restored)) - Date.now() / 1000)).toBeLessThanOrEqual(2);
  });

  it('an estimate of 0 is stored like any other', async () => {
    // A server in step, to the second: the estimate is exactly 0, and stored.
    const T = 1_800_000_000_000;
    const now = vi.spyOn(Date, 'now').mockReturnValue(T);
    try {
      const h = harness({ dpop: true });
      h.server.setDateHeader(() => new Date(T).toUTCString());
      await h.logIn();
      const { createVault } = await import('../../src/vault.ts');
      const vault = createVault({ store: h.store(), crypto, now: () => h.clock.now, issuer: 'https://auth.example.com/', clientId: 'spa' });
      expect((await vault.readSession())?.tokens.serverOffsetSeconds).toBe(0);
    } finally {
      now.mockRestore();
    }
  });

  it('a moving estimate never throws away learned DPoP nonces', async () => {
    const h = harness({ dpop: true, apiNonce: true, expiresIn: 60 });
    let jitter = 0;
    // The Date header wobbles by a second or two around the true time, as second-resolution clocks do.
    h.server.setDateHeader(() => new Date(Date.now() + (jitter++ % 3) * 1000 - 1000).toUTCString());
    const session = await h.logIn();
    for (let i = 0; i < 20; i++) {
      h.clock.jump(46_000); // every call refreshes first: a new estimate each time
      expect((await session.fetch(`${API}/x`)).status).toBe(200);
    }
    const apiRequests = h.server.requests.filter((r) => r.url.origin === API).length;
    expect(apiRequests).toBeLessThanOrEqual(21); // one nonce round trip at first, then none
  });
});

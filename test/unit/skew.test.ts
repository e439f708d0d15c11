import { describe, expect, it } from 'vitest';
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

  it('accepts an ID token that looks expired by the browser clock but is valid by the server\'s', async () => {
    // The server is an hour and a half behind: its 5-minute ID token "expired" long ago locally.
    const h = harness({ clockOffsetMs: -90 * 60_000 });
    const session = await h.logIn();
    expect(session.getSnapshot()).toMatchObject({ status: 'authenticated', error: null });
  });
});

import { describe, expect, it } from 'vitest';
import { BACKOFF, REFRESH_BUDGET, backoffDelay, isRefreshDue, isTokenUsable, refreshAt, withinBudget } from '../../src/refresh.ts';
import type { TokenSet } from '../../src/vault.ts';

const T0 = 1_700_000_000_000;
const tokens = (lifetimeSeconds: number | null): TokenSet => ({
  issuer: 'https://auth.example.com/',
  clientId: 'spa',
  sessionId: 's',
  accessToken: 'a',
  tokenType: 'bearer',
  receivedAt: T0,
  expiresAt: lifetimeSeconds === null ? null : T0 + lifetimeSeconds * 1000,
  claims: { sub: 's' },
});

describe('refreshAt', () => {
  it.each<[string, number | null, number, number | null]>([
    ['an hour-long token refreshes a leeway before expiry', 3600, 60, T0 + 3540_000],
    ['a 5-minute token with a 60 s leeway refreshes at 4 min (75 % is 3:45)', 300, 60, T0 + 240_000],
    ['a 2-minute token: 75 % (90 s) is later than exp − 60 s', 120, 60, T0 + 90_000],
    ['a lifetime shorter than the leeway refreshes at 75 %', 10, 60, T0 + 7_500],
    ['leeway 0 refreshes at expiry', 100, 0, T0 + 100_000],
    ['a token issued already expired is due at once', 0, 60, T0],
    ['a token without expires_in is never scheduled', null, 60, null],
  ])('%s', (_name, lifetime, leeway, expected) => {
    expect(refreshAt(tokens(lifetime), leeway)).toBe(expected);
  });

  it('is never after exp', () => {
    for (const lifetime of [1, 5, 59, 60, 61, 300, 86_400]) {
      for (const leeway of [0, 1, 30, 60, 600]) {
        const set = tokens(lifetime);
        expect(refreshAt(set, leeway)!).toBeLessThanOrEqual(set.expiresAt!);
      }
    }
  });

  it('judges due-ness from the clock, whatever it jumped to', () => {
    const set = tokens(300);
    expect(isRefreshDue(set, 60, T0 + 239_999)).toBe(false);
    expect(isRefreshDue(set, 60, T0 + 240_000)).toBe(true);
    expect(isRefreshDue(set, 60, T0 + 10 * 3600_000)).toBe(true); // after a night asleep
    expect(isRefreshDue(set, 60, T0 - 3600_000)).toBe(false); // the clock was set back
    expect(isRefreshDue(tokens(null), 60, T0 + 1e12)).toBe(false);
  });

  it('does not hand out a token about to expire', () => {
    const set = tokens(300);
    expect(isTokenUsable(set, T0 + 290_000)).toBe(true);
    expect(isTokenUsable(set, T0 + 296_000)).toBe(false);
    expect(isTokenUsable(tokens(null), T0 + 1e12)).toBe(true);
  });

  it('keeps a short-lived token usable until after its refresh moment', () => {
    const set = tokens(10);
    expect(refreshAt(set, 60)).toBe(T0 + 7_500);
    expect(isTokenUsable(set, T0 + 8_000)).toBe(true); // so busy tabs wait for the 75 % mark
    expect(isTokenUsable(set, T0 + 9_000)).toBe(false);
  });
});

describe('backoffDelay', () => {
  it('grows exponentially from the base, with jitter between half and all of it, up to the cap', () => {
    expect(backoffDelay(1, 0)).toBe(BACKOFF.baseMs / 2);
    expect(backoffDelay(1, 0.999_999)).toBeCloseTo(BACKOFF.baseMs, -1);
    expect(backoffDelay(2, 0)).toBe(BACKOFF.baseMs);
    expect(backoffDelay(4, 0)).toBe(BACKOFF.baseMs * 4);
    for (const attempt of [10, 20, 1000]) {
      expect(backoffDelay(attempt, 0.999_999)).toBeLessThanOrEqual(BACKOFF.capMs);
      expect(backoffDelay(attempt, 0)).toBe(BACKOFF.capMs / 2);
    }
  });
});

describe('withinBudget', () => {
  it('allows a bounded number of refreshes per window', () => {
    const recent: number[] = [];
    let now = T0;
    let allowed = 0;
    for (let i = 0; i < 100; i++, now += 100) {
      if (withinBudget(recent, now)) {
        recent.push(now);
        allowed += 1;
      }
    }
    expect(allowed).toBe(REFRESH_BUDGET.limit);
    expect(withinBudget(recent, T0 + REFRESH_BUDGET.windowMs + 1)).toBe(true);
  });
});

import { describe, expect, it } from 'vitest';
import type { LatchkeyEvent } from '../../src/events.ts';
import { API } from './fake-server.ts';
import { settle } from './fakes.ts';
import { harness } from './harness.ts';

describe('onEvent', () => {
  it('tells a whole session: login, refresh, a failed refresh, tab sync, logout, the end — and never a secret', async () => {
    const events: LatchkeyEvent[] = [];
    const h = harness({ expiresIn: 60, dpop: true }, { onEvent: (event) => events.push(event) });
    const tab1 = await h.logIn();
    const tab2 = h.make();
    await tab2.ready;
    h.clock.jump(50_000);
    await tab1.fetch(`${API}/x`); // refreshes first
    await settle();
    h.server.setTokenFault(503);
    h.clock.jump(50_000);
    await tab1.getAccessToken().catch(() => undefined);
    h.server.setTokenFault(undefined);
    await tab1.logout({ localOnly: true });
    await settle();
    const types = events.map((event) => event.type);
    for (const type of ['login_started', 'logged_in', 'refreshed', 'refresh_failed', 'tab_synced', 'logged_out'] as const) {
      expect(types, type).toContain(type);
    }
    expect(events.find((event) => event.type === 'refresh_failed')?.code).toBe('network');
    for (const event of events) {
      expect(typeof event.at).toBe('number');
      expect(Object.keys(event).every((key) => ['type', 'at', 'reason', 'code'].includes(key))).toBe(true);
    }
    // Nothing the server issued (at-N, rt-N, code-N, JWTs) appears in any event.
    expect(JSON.stringify(events)).not.toMatch(/\b(at|rt|code)-\d+\b|eyJ/);
  });

  it('a throwing onEvent never breaks the session', async () => {
    const h = harness({}, { onEvent: () => { throw new Error('listener bug'); } });
    const session = await h.logIn();
    expect(session.getSnapshot().status).toBe('authenticated');
    await session.logout({ localOnly: true });
    expect(session.getSnapshot().status).toBe('unauthenticated');
  });
});

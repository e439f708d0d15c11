// The fake session of latchkey/testing.
import { describe, expect, expectTypeOf, it, vi } from 'vitest';
import { createTestSession, type TestSession } from '../../src/testing/index.ts';
import { isLatchkeyError, type Session, type SessionSnapshot } from '../../src/index.ts';

describe('createTestSession', () => {
  it('takes a Partial<SessionSnapshot> and is a Session', () => {
    expectTypeOf<Partial<SessionSnapshot>>().toExtend<NonNullable<Parameters<typeof createTestSession>[0]>>();
    expectTypeOf<TestSession>().toExtend<Session>();
  });

  it('starts unauthenticated, or authenticated when given a user', () => {
    expect(createTestSession().getSnapshot()).toEqual({ status: 'unauthenticated', user: null, expiresAt: null, error: null });
    expect(createTestSession({ user: { sub: 'a' } }).getSnapshot().status).toBe('authenticated');
  });

  it('keeps the snapshot object until set changes a field, and notifies only then', () => {
    const session = createTestSession();
    const listener = vi.fn();
    const off = session.subscribe(listener);
    const first = session.getSnapshot();
    session.set({ status: 'unauthenticated' });
    expect(session.getSnapshot()).toBe(first);
    expect(listener).not.toHaveBeenCalled();
    session.set({ status: 'authenticated', user: { sub: 'a' } });
    expect(listener).toHaveBeenCalledTimes(1);
    expect(Object.isFrozen(session.getSnapshot())).toBe(true);
    off();
    session.set({ status: 'unauthenticated', user: null });
    expect(listener).toHaveBeenCalledTimes(1);
  });

  it('resolves ready when the status leaves loading', async () => {
    const session = createTestSession({ status: 'loading' });
    let ready = false;
    void session.ready.then(() => {
      ready = true;
    });
    await Promise.resolve();
    expect(ready).toBe(false);
    session.set({ status: 'unauthenticated' });
    await session.ready;
    expect(ready).toBe(true);
  });

  it('gives a token only while authenticated', async () => {
    const session = createTestSession({ user: { sub: 'a' } }, { accessToken: 'tok' });
    expect(await session.getAccessToken()).toBe('tok');
    await session.logout({ localOnly: true });
    expect(session.calls.logout).toEqual([{ localOnly: true }]);
    expect(session.getSnapshot().status).toBe('unauthenticated');
    await expect(session.getAccessToken()).rejects.toSatisfy((error) => isLatchkeyError(error, 'login_required'));
  });

  it('fetch: login_required when signed out, the handler with a Bearer header when signed in, never the network', async () => {
    const network = vi.spyOn(globalThis, 'fetch');
    const handler = vi.fn(async (_input: RequestInfo | URL, init?: RequestInit) =>
      new Response(new Headers(init?.headers).get('authorization')));
    const session = createTestSession({}, { fetch: handler });
    await expect(session.fetch('https://api.example/x')).rejects.toSatisfy((error) => isLatchkeyError(error, 'login_required'));
    session.set({ status: 'authenticated', user: { sub: 'a' } });
    expect(await (await session.fetch('https://api.example/x')).text()).toBe('Bearer test-access-token');
    await expect(createTestSession({ user: { sub: 'a' } }).fetch('https://api.example/x')).rejects.toThrow(/pass \{ fetch \}/);
    expect(network).not.toHaveBeenCalled();
    expect(session.calls.fetch).toHaveLength(2);
  });

  it('login records and changes nothing; handleRedirectCallback follows the option', async () => {
    const session = createTestSession();
    await session.login({ returnTo: '/x' });
    expect(session.calls.login).toEqual([{ returnTo: '/x' }]);
    expect(session.getSnapshot().status).toBe('unauthenticated');
    await expect(session.handleRedirectCallback()).rejects.toSatisfy((error) => isLatchkeyError(error, 'invalid_callback'));
    expect(session.getSnapshot().error).toBeNull();
    const returning = createTestSession({ user: { sub: 'a' } }, { redirectCallback: { returnTo: '/r' } });
    expect(await returning.handleRedirectCallback()).toEqual({ returnTo: '/r' });
    returning.dispose();
    expect(returning.disposed).toBe(true);
  });
});

import { describe, expectTypeOf, it } from 'vitest';
import {
  createSession,
  isLatchkeyError,
  LatchkeyError,
  type LatchkeyErrorCode,
  type LoginOptions,
  type Session,
  type SessionConfig,
  type SessionSnapshot,
} from '../../src/index.ts';

describe('public types', () => {
  it('createSession takes a SessionConfig and returns a Session', () => {
    expectTypeOf(createSession).parameters.toEqualTypeOf<[SessionConfig]>();
    expectTypeOf(createSession).returns.toEqualTypeOf<Session>();
  });

  it('session.fetch has exactly the signature of window.fetch', () => {
    expectTypeOf<Session['fetch']>().parameters.toEqualTypeOf<Parameters<typeof fetch>>();
    expectTypeOf<Session['fetch']>().returns.toEqualTypeOf<Promise<Response>>();
  });

  it('the snapshot is what useSyncExternalStore wants', () => {
    expectTypeOf<Session['getSnapshot']>().returns.toEqualTypeOf<SessionSnapshot>();
    expectTypeOf<Session['subscribe']>().toEqualTypeOf<(listener: () => void) => () => void>();
    expectTypeOf<SessionSnapshot['status']>().toEqualTypeOf<'loading' | 'authenticated' | 'unauthenticated'>();
    expectTypeOf<SessionSnapshot['error']>().toEqualTypeOf<LatchkeyError | null>();
    expectTypeOf<SessionSnapshot['user']>().not.toBeAny();
  });

  it('methods resolve to the contract\'s shapes', () => {
    expectTypeOf<Session['login']>().parameters.toEqualTypeOf<[options?: LoginOptions]>();
    expectTypeOf<Session['handleRedirectCallback']>().returns.toEqualTypeOf<Promise<{ returnTo?: string }>>();
    expectTypeOf<Session['getAccessToken']>().returns.toEqualTypeOf<Promise<string>>();
    expectTypeOf<Session['ready']>().toEqualTypeOf<Promise<void>>();
  });

  it('error codes narrow', () => {
    expectTypeOf<LatchkeyError['code']>().toEqualTypeOf<LatchkeyErrorCode>();
    const value: unknown = null;
    if (isLatchkeyError(value)) expectTypeOf(value).toEqualTypeOf<LatchkeyError>();
    expectTypeOf<LatchkeyErrorCode>().toMatchTypeOf<string>();
    expectTypeOf<'login_required'>().toMatchTypeOf<LatchkeyErrorCode>();
  });
});

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
  type IdTokenClaims,
  type LatchkeyEvent,
} from '../../src/index.ts';

describe('public types', () => {
  it('createSession takes a SessionConfig and returns a Session', () => {
    expectTypeOf(createSession).parameters.toEqualTypeOf<[SessionConfig]>();
    expectTypeOf(createSession<IdTokenClaims>).returns.toEqualTypeOf<Session>();
  });

  it('a typed user: createSession<User>() types the snapshot\'s user; IdTokenClaims by default', () => {
    interface User { sub: string; email: string; roles: string[] }
    type Typed = ReturnType<typeof createSession<User>>;
    expectTypeOf<ReturnType<Typed['getSnapshot']>['user']>().toEqualTypeOf<User | null>();
    expectTypeOf<Session['getSnapshot']>().returns.toEqualTypeOf<SessionSnapshot<IdTokenClaims>>();
    expectTypeOf<NonNullable<SessionSnapshot['user']>['email']>().toEqualTypeOf<string | undefined>();
    expectTypeOf<NonNullable<SessionSnapshot['user']>['sub']>().toEqualTypeOf<string>();
    // @ts-expect-error a user type must have sub
    createSession<{ email: string }>;
  });

  it('events carry a type, a time and at most a reason or a code', () => {
    expectTypeOf<LatchkeyEvent['type']>().toEqualTypeOf<
      'login_started' | 'logged_in' | 'refreshed' | 'refresh_failed' | 'tab_synced' | 'logged_out' | 'session_ended' | 'clock_untrusted'>();
    expectTypeOf<LatchkeyEvent['at']>().toEqualTypeOf<number>();
    expectTypeOf<SessionConfig['onEvent']>().toEqualTypeOf<((event: LatchkeyEvent) => void) | undefined>();
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
    expectTypeOf<LatchkeyErrorCode>().toEqualTypeOf<'invalid_config' | 'login_required' | 'invalid_callback' | 'authorization_error' |
      'network' | 'server_error' | 'storage_unavailable' | 'popup_blocked' | 'popup_closed' | 'timeout' | 'origin_not_allowed' |
      'unsupported_environment'>();
  });
});

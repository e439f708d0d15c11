/**
 * `latchkey/testing`: a fake {@link Session} for an application's own tests. It
 * talks to no server, stores nothing, never navigates, and its snapshot is
 * whatever the test says, so components (and `useSession` from `latchkey/react`
 * or `latchkey/vue`) can be rendered in every state.
 *
 * @example
 * ```tsx
 * import { createTestSession } from 'latchkey/testing';
 * import { SessionProvider } from 'latchkey/react';
 *
 * const session = createTestSession({ status: 'authenticated', user: { sub: 'alice' } });
 * render(<SessionProvider session={session}><Profile /></SessionProvider>);
 * session.set({ status: 'unauthenticated', user: null });   // re-renders Profile
 * expect(session.calls.login).toEqual([]);
 * ```
 * @packageDocumentation
 */
import { LatchkeyError, type LoginOptions, type LogoutOptions, type Session, type SessionSnapshot } from '../index.js';

/**
 * A user for a test: `sub` and any other claims. Tests need not spell out every
 * claim a real ID token carries.
 *
 * @example
 * ```ts
 * const alice: TestUser = { sub: 'alice', name: 'Alice', roles: ['admin'] };
 * ```
 */
export type TestUser = { readonly sub: string; readonly [claim: string]: unknown };

/**
 * The fields of a snapshot a test sets: any of {@link SessionSnapshot}'s, with
 * `user` a {@link TestUser}.
 *
 * @example
 * ```ts
 * const signedIn: TestSnapshot = { status: 'authenticated', user: { sub: 'alice' } };
 * ```
 */
export type TestSnapshot = Omit<Partial<SessionSnapshot>, 'user'> & { user?: SessionSnapshot['user'] | TestUser | null };

/**
 * What a {@link TestSession} recorded, in call order.
 *
 * @example
 * ```ts
 * expect(session.calls.login).toEqual([{ returnTo: '/deep' }]);
 * ```
 */
export interface TestSessionCalls {
  /** The options of every `login()` call. */
  readonly login: LoginOptions[];
  /** The options of every `logout()` call. */
  readonly logout: LogoutOptions[];
  /** The arguments of every `session.fetch()` call. */
  readonly fetch: Array<[input: RequestInfo | URL, init: RequestInit | undefined]>;
}

/**
 * Options of {@link createTestSession} beyond the initial snapshot.
 *
 * @example
 * ```ts
 * createTestSession({ user: { sub: 'a' } }, { fetch: async () => Response.json({ ok: true }), redirectCallback: { returnTo: '/x' } });
 * ```
 */
export interface TestSessionOptions {
  /** What `getAccessToken()` resolves to while authenticated. Default `'test-access-token'`. */
  accessToken?: string;
  /**
   * Answers `session.fetch` while authenticated, called with the request and the
   * `Authorization: Bearer <accessToken>` header added. Without it, `session.fetch`
   * rejects (a test session talks to no server).
   */
  fetch?: (input: RequestInfo | URL, init?: RequestInit) => Promise<Response>;
  /**
   * Pretend `ready` handled a login callback: `handleRedirectCallback()` resolves
   * with this (as the real session does after such a page load). Without it,
   * `handleRedirectCallback()` rejects with `invalid_callback` and changes nothing,
   * like a real session on a page that is no callback.
   */
  redirectCallback?: { returnTo?: string };
}

/**
 * A fake {@link Session} with a snapshot a test controls.
 *
 * @example
 * ```ts
 * const session: TestSession = createTestSession({ status: 'loading' });
 * session.set({ status: 'unauthenticated' });
 * ```
 */
export interface TestSession extends Session {
  /**
   * Changes the snapshot (fields not given keep their value) and notifies the
   * subscribers when something changed. `status` defaults from `user` only at
   * creation, never here.
   */
  set(partial: TestSnapshot): void;
  /** What the code under test asked of the session. */
  readonly calls: TestSessionCalls;
  /** Whether `dispose()` was called. */
  readonly disposed: boolean;
}

const loginRequired = () => new LatchkeyError('login_required', 'The test session is not authenticated');

/**
 * Creates a {@link TestSession}. The fakes:
 *
 * - `ready` resolves when the status is not `loading` (at once, unless the initial
 *   status is `loading`; then at the first `set` that leaves it).
 * - the initial status defaults to `authenticated` when `initial.user` is given,
 *   else `unauthenticated`.
 * - `login(options)` records `options` and resolves; nothing changes (a real login
 *   leaves the page). Simulate the return with `set({ status: 'authenticated', user })`.
 * - `logout(options)` records `options` and makes the session `unauthenticated`.
 * - `getAccessToken()` resolves to `options.accessToken` while authenticated, else
 *   rejects with `LatchkeyError` `login_required`.
 * - `fetch` records the call; rejects with `login_required` while not authenticated;
 *   else hands the request, with an `Authorization: Bearer` header, to `options.fetch`
 *   (and rejects when there is none).
 * - `handleRedirectCallback()`: see {@link TestSessionOptions.redirectCallback}.
 * - `dispose()` sets `disposed`; the listeners are dropped.
 *
 * @example
 * ```ts
 * const session = createTestSession({ status: 'loading' });
 * session.set({ status: 'authenticated', user: { sub: 'alice', name: 'Alice' } });
 * await session.getAccessToken(); // 'test-access-token'
 * ```
 */
export function createTestSession(initial: TestSnapshot = {}, options: TestSessionOptions = {}): TestSession {
  let snapshot = Object.freeze({
    status: initial.user ? 'authenticated' : 'unauthenticated',
    user: null,
    expiresAt: null,
    error: null,
    ...initial,
  }) as SessionSnapshot;
  const listeners = new Set<() => void>();
  const calls: TestSessionCalls = { login: [], logout: [], fetch: [] };
  let disposed = false;
  let markReady!: () => void;
  const ready = new Promise<void>((resolve) => {
    markReady = resolve;
  });
  if (snapshot.status !== 'loading') markReady();

  function set(partial: TestSnapshot): void {
    const next = { ...snapshot, ...partial } as SessionSnapshot;
    if (next.status === snapshot.status && next.user === snapshot.user &&
      next.expiresAt === snapshot.expiresAt && next.error === snapshot.error) return;
    snapshot = Object.freeze(next);
    if (snapshot.status !== 'loading') markReady();
    for (const listener of [...listeners]) listener();
  }

  const accessToken = options.accessToken ?? 'test-access-token';
  const authenticated = () => snapshot.status === 'authenticated';

  return {
    ready,
    getSnapshot: () => snapshot,
    subscribe(listener) {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
    async login(loginOptions = {}) {
      calls.login.push(loginOptions);
    },
    async handleRedirectCallback() {
      await ready;
      if (!options.redirectCallback) throw new LatchkeyError('invalid_callback', 'This test page is no login callback');
      return options.redirectCallback;
    },
    async getAccessToken() {
      if (!authenticated()) throw loginRequired();
      return accessToken;
    },
    async fetch(input, init) {
      calls.fetch.push([input, init]);
      if (!authenticated()) throw loginRequired();
      if (!options.fetch) throw new TypeError('createTestSession: pass { fetch } to answer session.fetch requests');
      const headers = new Headers(init?.headers ?? (input instanceof Request ? input.headers : undefined));
      headers.set('authorization', `Bearer ${accessToken}`);
      return options.fetch(input, { ...init, headers });
    },
    async logout(logoutOptions = {}) {
      calls.logout.push(logoutOptions);
      set({ status: 'unauthenticated', user: null, expiresAt: null });
    },
    dispose() {
      disposed = true;
      listeners.clear();
    },
    set,
    calls,
    get disposed() {
      return disposed;
    },
  };
}

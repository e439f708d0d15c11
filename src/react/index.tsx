/**
 * `latchkey/react`: React (18 and later) bindings for a latchkey session.
 *
 * @example
 * ```tsx
 * import { createSession } from 'latchkey';
 * import { SessionProvider, RequireAuth, useSession } from 'latchkey/react';
 *
 * const session = createSession(config); // once, at module scope
 *
 * createRoot(root).render(
 *   <SessionProvider session={session}>
 *     <RequireAuth fallback={<p>Signing in…</p>}>
 *       <Dashboard />
 *     </RequireAuth>
 *   </SessionProvider>,
 * );
 * ```
 * @packageDocumentation
 */
import { createContext, useCallback, useContext, useEffect, useMemo, useSyncExternalStore, type ReactElement, type ReactNode } from 'react';
import type { LoginOptions, Session, SessionSnapshot } from '../index.js';

/**
 * The part of a {@link Session} the bindings use. Every `Session`, whatever its
 * user type, is one (and so is `createTestSession()` from `latchkey/testing`).
 *
 * @example
 * ```ts
 * const session: BindableSession = createSession<MyUser>(config);
 * ```
 */
export type BindableSession = Omit<Session, 'getSnapshot'> & {
  getSnapshot(): Omit<SessionSnapshot, 'user'> & { readonly user: { readonly sub: string } | Readonly<Record<string, unknown>> | null };
};

/**
 * What {@link useSession} returns: the current snapshot's fields plus the session.
 *
 * @example
 * ```ts
 * const { status, user, expiresAt, error, session }: SessionState<{ sub: string }> = useSession();
 * ```
 */
export type SessionState<User = NonNullable<SessionSnapshot['user']>> = Omit<SessionSnapshot, 'user'> & {
  /** The validated ID token claims while `authenticated`, else null. */
  readonly user: User | null;
  /** The session itself: `login`, `logout`, `fetch`, `getAccessToken`… */
  readonly session: Session;
};

/**
 * Props of {@link SessionProvider}.
 *
 * @example
 * ```tsx
 * <SessionProvider session={session} onRedirectCallback={({ returnTo }) => navigate(returnTo ?? '/')}>…</SessionProvider>
 * ```
 */
export interface SessionProviderProps {
  /** The session, created once (at module scope), never inside a component. */
  session: BindableSession;
  /**
   * Called once after `session.ready` handled a login callback on this page, with
   * the `returnTo` given to `login()`. Navigate there with your router. Without it
   * the provider replaces the URL with `returnTo` (`history.replaceState`) when
   * there is one.
   */
  onRedirectCallback?: (result: { returnTo?: string }) => void;
  children?: ReactNode;
}

/**
 * Props of {@link RequireAuth}.
 *
 * @example
 * ```tsx
 * <RequireAuth fallback={<Spinner />} loginOptions={{ prompt: 'login' }}><Dashboard /></RequireAuth>
 * ```
 */
export interface RequireAuthProps {
  /** Rendered while the session loads and while the user is sent to log in. Default nothing. */
  fallback?: ReactNode;
  /** Passed to `session.login()` (after the default `returnTo`, so it can override it). */
  loginOptions?: LoginOptions;
  /** Rendered once the session is `authenticated`. */
  children?: ReactNode;
}

const SessionContext = createContext<BindableSession | null>(null);
SessionContext.displayName = 'LatchkeySession';

/** What every server render (and the first hydration pass) sees. */
const serverSnapshot: SessionSnapshot = Object.freeze({ status: 'loading', user: null, expiresAt: null, error: null });
const getServerSnapshot = () => serverSnapshot;

/** The latest `onRedirectCallback` of each session's providers, and whether its callback was claimed. */
const redirectHandlers = new WeakMap<object, { onRedirectCallback?: SessionProviderProps['onRedirectCallback'] }>();
/** Sessions for which a `RequireAuth` started a login (at most one per session and page show). */
const loginsStarted = new WeakSet<object>();
/** The back/forward-cache restore each session's guards last reacted to. */
const restoredBy = new WeakMap<object, Event>();

function replaceUrl(returnTo: string): void {
  const target = new URL(returnTo, location.href);
  if (target.origin !== location.origin) return; // returnTo is app-controlled, but never leave the origin here
  history.replaceState(history.state, '', target.pathname + target.search + target.hash);
}

/** Asks the session, once per session object, whether `ready` handled a callback; reports it. */
function watchRedirectCallback(session: BindableSession, handler: { onRedirectCallback?: SessionProviderProps['onRedirectCallback'] }): void {
  session.ready
    .then(() => session.handleRedirectCallback())
    .then(
      (result) => {
        const { onRedirectCallback } = handler;
        if (onRedirectCallback) onRedirectCallback(result);
        else if (result.returnTo !== undefined) replaceUrl(result.returnTo);
      },
      () => undefined, // this page was no callback (or it failed: the snapshot says so)
    );
}

/**
 * Makes `session` available to {@link useSession} and {@link RequireAuth} below
 * it, and reports a login callback handled on this page once
 * (`onRedirectCallback`, else `history.replaceState` to `returnTo`). It never
 * disposes the session: the session outlives the component (StrictMode, fast
 * refresh, remounts).
 *
 * @example
 * ```tsx
 * const session = createSession(config);
 *
 * function Root() {
 *   const navigate = useNavigate();
 *   return (
 *     <SessionProvider session={session} onRedirectCallback={({ returnTo }) => navigate(returnTo ?? '/', { replace: true })}>
 *       <App />
 *     </SessionProvider>
 *   );
 * }
 * ```
 */
export function SessionProvider({ session, onRedirectCallback, children }: SessionProviderProps): ReactElement {
  useEffect(() => {
    let handler = redirectHandlers.get(session);
    if (!handler) {
      handler = {};
      redirectHandlers.set(session, handler);
      watchRedirectCallback(session, handler);
    }
    handler.onRedirectCallback = onRedirectCallback;
  }, [session, onRedirectCallback]);
  return <SessionContext.Provider value={session}>{children}</SessionContext.Provider>;
}

/**
 * The session's current state; the component re-renders on every change. On the
 * server (and during hydration) the status is `loading`. `User` types `user`
 * (the ID token claims) when the session was created with a user type.
 *
 * @example
 * ```tsx
 * function Profile() {
 *   const { status, user, session } = useSession<{ sub: string; name?: string }>();
 *   if (status !== 'authenticated') return null;
 *   return <button onClick={() => session.logout()}>Sign out {user?.name}</button>;
 * }
 * ```
 * @throws Error when no {@link SessionProvider} is above the component.
 */
export function useSession<User = NonNullable<SessionSnapshot['user']>>(): SessionState<User> {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession() must be used inside <SessionProvider session={session}> (latchkey/react)');
  const subscribe = useCallback((listener: () => void) => session.subscribe(listener), [session]);
  const getSnapshot = useCallback(() => session.getSnapshot(), [session]);
  const snapshot = useSyncExternalStore(subscribe, getSnapshot, getServerSnapshot);
  return useMemo(
    () => ({ ...snapshot, session: session as Session }) as SessionState<User>,
    [snapshot, session],
  );
}

/**
 * Renders its children only for a signed-in user. While the session loads, and
 * while it sends a signed-out user to log in, it renders `fallback`. The login
 * (`login({ returnTo: path + query + hash, ...loginOptions })`) starts at most
 * once per session however often `RequireAuth` mounts or renders; a failed start
 * can be retried by mounting it again, and a page restored from the back/forward
 * cache (the user came back from the login page) starts one again.
 *
 * @example
 * ```tsx
 * <RequireAuth fallback={<Spinner />} loginOptions={{ prompt: 'login' }}>
 *   <Dashboard />
 * </RequireAuth>
 * ```
 * @throws Error when no {@link SessionProvider} is above it.
 */
export function RequireAuth({ fallback = null, loginOptions, children }: RequireAuthProps): ReactElement {
  const { status, session } = useSession();
  const mustLogIn = status === 'unauthenticated';
  useEffect(() => {
    if (!mustLogIn) return;
    const start = (): void => {
      if (loginsStarted.has(session)) return;
      loginsStarted.add(session);
      const returnTo = location.pathname + location.search + location.hash;
      session.login({ returnTo, ...loginOptions }).catch(() => {
        loginsStarted.delete(session); // could not leave (e.g. offline): a later mount may try again
      });
    };
    // Back from the login page, the browser may restore this page as it was (the
    // back/forward cache): the login that left is over, so start one again,
    // once per restore however many guards see it.
    const onPageShow = (event: PageTransitionEvent): void => {
      if (!event.persisted || restoredBy.get(session) === event) return;
      restoredBy.set(session, event);
      loginsStarted.delete(session);
      start();
    };
    start();
    window.addEventListener('pageshow', onPageShow);
    return () => window.removeEventListener('pageshow', onPageShow);
    // loginOptions is read when a login starts.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [mustLogIn, session]);
  // A fragment, so the component's type is an element under every @types/react from 18 on.
  return <>{status === 'authenticated' ? children : fallback}</>;
}

/**
 * `latchkey/vue`: Vue 3 bindings for a latchkey session: a plugin, a
 * `useSession()` composable and a vue-router navigation guard.
 *
 * @example
 * ```ts
 * import { createApp } from 'vue';
 * import { createSession } from 'latchkey';
 * import { createLatchkey, createAuthGuard } from 'latchkey/vue';
 *
 * const session = createSession(config);
 * const router = createRouter({ history: createWebHistory(), routes });
 * router.beforeEach(createAuthGuard(session));
 * createApp(App).use(router).use(createLatchkey(session)).mount('#app');
 * ```
 * @packageDocumentation
 */
import { computed, inject, readonly, shallowRef, type App, type ComputedRef, type InjectionKey, type Plugin, type ShallowRef } from 'vue';
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
 * What the plugin provides to the app's components (see {@link useSession}).
 *
 * @example
 * ```ts
 * const { session, snapshot }: LatchkeyContext = inject(latchkeyKey)!;
 * ```
 */
export interface LatchkeyContext {
  /** The session. */
  readonly session: Session;
  /** The current snapshot; replaced (never mutated) on every change. */
  readonly snapshot: Readonly<ShallowRef<SessionSnapshot>>;
}

/**
 * The injection key of the plugin's {@link LatchkeyContext}.
 *
 * @example
 * ```ts
 * const context = inject(latchkeyKey); // undefined outside an app that uses createLatchkey
 * ```
 */
export const latchkeyKey: InjectionKey<LatchkeyContext> = Symbol('latchkey');

/**
 * Options of {@link createLatchkey}.
 *
 * @example
 * ```ts
 * app.use(createLatchkey(session, { onRedirectCallback: ({ returnTo }) => router.replace(returnTo ?? '/') }));
 * ```
 */
export interface LatchkeyPluginOptions {
  /**
   * Called once after `session.ready` handled a login callback on this page, with
   * the `returnTo` given to `login()`. Default: `router.replace(returnTo)` when
   * vue-router is installed on the app, else `history.replaceState` to `returnTo`;
   * nothing when there is no `returnTo`.
   */
  onRedirectCallback?: (result: { returnTo?: string }, app: App) => void;
}

/**
 * What {@link useSession} returns: reactive, read-only views of the snapshot, and the session.
 *
 * @example
 * ```ts
 * const { status, user }: SessionState<{ sub: string }> = useSession();
 * watch(status, (now) => render(now));
 * ```
 */
export interface SessionState<User = NonNullable<SessionSnapshot['user']>> {
  /** The whole snapshot. */
  readonly snapshot: Readonly<ShallowRef<SessionSnapshot>>;
  readonly status: ComputedRef<SessionSnapshot['status']>;
  /** The validated ID token claims while `authenticated`, else null. */
  readonly user: ComputedRef<User | null>;
  readonly expiresAt: ComputedRef<number | null>;
  readonly error: ComputedRef<SessionSnapshot['error']>;
  /** `login`, `logout`, `fetch`, `getAccessToken`… */
  readonly session: Session;
}

/** Sessions whose callback result is being (or was) asked for: at most once per session. */
const callbacksWatched = new WeakSet<object>();
/** Sessions for which a guard started a login (at most one per session). */
const loginsStarted = new WeakSet<object>();

interface RouterLike {
  replace(to: string): unknown;
}

function defaultRedirect({ returnTo }: { returnTo?: string }, app: App): void {
  if (returnTo === undefined) return;
  const router = app.config.globalProperties.$router as RouterLike | undefined;
  if (router && typeof router.replace === 'function') {
    void router.replace(returnTo);
    return;
  }
  const target = new URL(returnTo, location.href);
  if (target.origin === location.origin) history.replaceState(history.state, '', target.pathname + target.search + target.hash);
}

/**
 * The plugin: provides the session and its reactive snapshot to every component
 * (one subscription per app, dropped when the app unmounts) and reports a login
 * callback handled on this page once. It never disposes the session.
 *
 * @example
 * ```ts
 * app.use(createLatchkey(session, {
 *   onRedirectCallback: ({ returnTo }) => router.replace(returnTo ?? '/'),
 * }));
 * ```
 */
export function createLatchkey(session: BindableSession, options: LatchkeyPluginOptions = {}): Plugin {
  return {
    install(app: App) {
      const snapshot = shallowRef(session.getSnapshot() as SessionSnapshot);
      const unsubscribe = session.subscribe(() => {
        snapshot.value = session.getSnapshot() as SessionSnapshot;
      });
      (app as App & { onUnmount?: (fn: () => void) => void }).onUnmount?.(unsubscribe); // Vue 3.5+
      app.provide(latchkeyKey, { session: session as Session, snapshot: readonly(snapshot) as Readonly<ShallowRef<SessionSnapshot>> });

      if (typeof window === 'undefined' || callbacksWatched.has(session)) return;
      callbacksWatched.add(session);
      session.ready
        .then(() => session.handleRedirectCallback())
        .then(
          (result) => (options.onRedirectCallback ?? defaultRedirect)(result, app),
          () => undefined, // no callback on this page (or it failed: the snapshot says so)
        );
    },
  };
}

/**
 * The session's reactive state, inside a component of an app that uses
 * {@link createLatchkey}.
 *
 * @example
 * ```ts
 * const { status, user, session } = useSession<{ sub: string; name?: string }>();
 * const greeting = computed(() => (status.value === 'authenticated' ? `Hello ${user.value?.name}` : ''));
 * ```
 * @throws Error when the app does not use the plugin.
 */
export function useSession<User = NonNullable<SessionSnapshot['user']>>(): SessionState<User> {
  const context = inject(latchkeyKey, null);
  if (!context) throw new Error('useSession() needs the latchkey plugin: app.use(createLatchkey(session)) (latchkey/vue)');
  const { snapshot, session } = context;
  return {
    snapshot,
    status: computed(() => snapshot.value.status),
    user: computed(() => snapshot.value.user as User | null),
    expiresAt: computed(() => snapshot.value.expiresAt),
    error: computed(() => snapshot.value.error),
    session,
  };
}

/**
 * Options of {@link createAuthGuard}.
 *
 * @example
 * ```ts
 * createAuthGuard(session, { requiresAuth: (to) => to.meta.requiresAuth === true, loginOptions: { prompt: 'login' } });
 * ```
 */
export interface AuthGuardOptions {
  /** Which routes need a signed-in user. Default: every route. E.g. `(to) => to.meta.requiresAuth === true`. */
  requiresAuth?: (to: GuardedRoute) => boolean;
  /** Passed to `session.login()` (after the default `returnTo`, so it can override it). */
  loginOptions?: LoginOptions;
}

/**
 * The part of vue-router's route location the guard reads (any `RouteLocationNormalized` is one).
 *
 * @example
 * ```ts
 * const isPublic = (to: GuardedRoute) => to.meta.public === true;
 * ```
 */
export interface GuardedRoute {
  /** Path, query and hash, relative to the router's base. */
  readonly fullPath: string;
  /** The path alone. */
  readonly path: string;
  readonly meta: Record<string | number | symbol, unknown>;
}

function settled(session: BindableSession): Promise<SessionSnapshot['status']> {
  return new Promise((resolve) => {
    const check = (): boolean => {
      const { status } = session.getSnapshot();
      if (status === 'loading') return false;
      resolve(status);
      return true;
    };
    if (check()) return;
    const unsubscribe = session.subscribe(() => {
      if (check()) unsubscribe();
    });
  });
}

/**
 * A vue-router navigation guard that does what `RequireAuth` does in React: it
 * waits until the session is no longer `loading` (a login callback on the page is
 * handled first), lets a signed-in user through, and otherwise cancels the
 * navigation and sends the user to log in with `returnTo: to.fullPath`, at most
 * once per session (and once more when the page comes back from the
 * back/forward cache). With a router `base`, `returnTo` is relative to it, as the
 * default `onRedirectCallback` (`router.replace`) expects. On the server (no
 * `window`) it lets every navigation through: the session stays `loading` there
 * and the guard decides again in the browser.
 *
 * @example
 * ```ts
 * router.beforeEach(createAuthGuard(session, { requiresAuth: (to) => to.meta.public !== true }));
 * // or per route: { path: '/admin', component: Admin, beforeEnter: createAuthGuard(session) }
 * ```
 */
export function createAuthGuard(session: BindableSession, options: AuthGuardOptions = {}): (to: GuardedRoute) => Promise<boolean> {
  let deniedRoute: string | undefined;
  const start = (fullPath: string): void => {
    deniedRoute = fullPath;
    if (loginsStarted.has(session)) return;
    loginsStarted.add(session);
    session.login({ returnTo: fullPath, ...options.loginOptions }).catch(() => {
      loginsStarted.delete(session); // could not leave (e.g. offline): a later navigation may try again
    });
  };
  if (typeof window !== 'undefined') {
    // Back from the login page, the browser may restore this page as it was (the
    // back/forward cache): no navigation runs the guard, so start the login again.
    window.addEventListener('pageshow', (event) => {
      if (!event.persisted || deniedRoute === undefined || session.getSnapshot().status !== 'unauthenticated') return;
      loginsStarted.delete(session);
      start(deniedRoute);
    });
  }
  return async (to) => {
    if (options.requiresAuth && !options.requiresAuth(to)) return true;
    if (typeof window === 'undefined') return true; // server rendering: the session stays loading; the browser decides
    const status = await settled(session);
    if (status === 'authenticated') return true;
    start(to.fullPath);
    return false;
  };
}

import { resolveConfig, type SessionConfig } from './config.js';
import { LatchkeyError } from './errors.js';
import type { Session } from './session.js';
import type { SessionSnapshot } from './snapshot.js';

/** Whether this is a browser page latchkey can keep a session in. @internal */
export function isBrowser(): boolean {
  return typeof window !== 'undefined' && typeof document !== 'undefined' && typeof indexedDB !== 'undefined';
}

const LOADING = Object.freeze({ status: 'loading', user: null, expiresAt: null, error: null } as const);

/**
 * The session outside a browser (server-side rendering): validates the config,
 * opens nothing, sends nothing; the snapshot stays `loading`.
 * @internal
 */
export function inertSession<User extends { sub: string }>(config: SessionConfig): Session<User> {
  resolveConfig(config);
  const unsupported = (what: string) => Promise.reject(
    new LatchkeyError('unsupported_environment', `${what} needs a browser; this is server-side rendering (no window or IndexedDB)`));
  return {
    ready: Promise.resolve(),
    getSnapshot: () => LOADING as SessionSnapshot<User>,
    subscribe: () => () => undefined,
    login: () => unsupported('login()'),
    handleRedirectCallback: () => unsupported('handleRedirectCallback()'),
    getAccessToken: () => unsupported('getAccessToken()'),
    fetch: () => unsupported('session.fetch()'),
    logout: () => unsupported('logout()'),
    dispose: () => undefined,
  };
}

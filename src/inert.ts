import { resolveConfig, type SessionConfig } from './config.js';
import { LatchkeyError } from './errors.js';
import type { Session } from './session.js';
import { LOADING } from './snapshot.js';

/** Whether this is a browser page latchkey can keep a session in. @internal */
export function isBrowser(): boolean {
  return typeof window !== 'undefined' && typeof document !== 'undefined' && typeof indexedDB !== 'undefined';
}

/**
 * The session outside a browser (server-side rendering): validates the config,
 * opens nothing, sends nothing; the snapshot stays `loading`.
 * @internal
 */
export function inertSession<User extends { sub: string }>(config: SessionConfig): Session<User> {
  resolveConfig(config);
  /** What `what` does here: reject with `unsupported_environment`. */
  const unsupported = (what: string) => () => Promise.reject(
    new LatchkeyError('unsupported_environment', `${what} needs a browser (no window or IndexedDB here)`));
  return {
    ready: Promise.resolve(),
    getSnapshot: () => LOADING,
    subscribe: () => () => undefined,
    login: unsupported('login()'),
    handleRedirectCallback: unsupported('handleRedirectCallback()'),
    getAccessToken: unsupported('getAccessToken()'),
    fetch: unsupported('session.fetch()'),
    logout: unsupported('logout()'),
    dispose: () => undefined,
  };
}

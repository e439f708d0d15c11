import { resolveConfig, type SessionConfig } from './config.js';
import { LatchkeyError } from './errors.js';
import type { Session } from './session.js';
import { LOADING } from './snapshot.js';

/**
 * The session outside a browser (server-side rendering): validates the config,
 * opens nothing, sends nothing; the snapshot stays `loading`; the operations
 * reject with `unsupported_environment`.
 * @internal
 */
export function inertSession<User extends { sub: string }>(config: SessionConfig): Session<User> {
  resolveConfig(config);
  const session: Partial<Session<User>> = { ready: Promise.resolve(), getSnapshot: () => LOADING, subscribe: () => () => undefined, dispose: () => undefined };
  for (const operation of ['login', 'handleRedirectCallback', 'getAccessToken', 'fetch', 'logout'] as const) {
    session[operation] = (): Promise<never> =>
      Promise.reject(new LatchkeyError('unsupported_environment', `${operation}() needs a browser (no window or IndexedDB here)`));
  }
  return session as Session<User>;
}

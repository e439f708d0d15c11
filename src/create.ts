import type { SessionConfig } from './config.js';
import { browserEnvironment } from './env.js';
import { inertSession } from './inert.js';
import { createSessionWith, type Session } from './session.js';
import type { IdTokenClaims } from './snapshot.js';

/**
 * Creates the session for this page. Synchronous: it validates the config and
 * starts restoring from IndexedDB; `session.ready` tells when that (and a pending
 * login callback on the redirect URI) is done.
 *
 * Outside a browser (server-side rendering) it returns an inert session: the
 * snapshot stays `loading`, `ready` resolves at once, nothing is opened, and the
 * operations reject with `unsupported_environment`.
 *
 * @example
 * ```ts
 * interface User { sub: string; email: string }
 * const session = createSession<User>({
 *   issuer: 'https://auth.example.com',
 *   clientId: 'spa',
 *   redirectUri: location.origin + '/',
 *   apiOrigins: ['https://api.example.com'],
 * });
 * session.subscribe(() => render(session.getSnapshot().user?.email));
 * ```
 * @throws LatchkeyError `invalid_config` for a missing `clientId`, a non-absolute
 * `issuer`/`redirectUri`, an `http:` URL outside localhost, or another bad field
 * (the message names the field).
 */
export function createSession<User extends { sub: string } = IdTokenClaims>(config: SessionConfig): Session<User> {
  // A browser page latchkey can keep a session in has a window, a document and IndexedDB.
  return typeof window !== 'undefined' && typeof document !== 'undefined' && typeof indexedDB !== 'undefined'
    ? createSessionWith<User>(config, browserEnvironment())
    : inertSession<User>(config);
}

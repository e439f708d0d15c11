import type { SessionConfig } from './config.js';
import { browserEnvironment } from './env.js';
import { createSessionWith, type Session } from './session.js';

/**
 * Creates the session for this page. Synchronous: it validates the config and
 * starts restoring from IndexedDB; `session.ready` tells when that (and a pending
 * login callback on the redirect URI) is done.
 *
 * @example
 * ```ts
 * const session = createSession({
 *   issuer: 'https://auth.example.com',
 *   clientId: 'spa',
 *   redirectUri: location.origin + '/',
 *   apiOrigins: ['https://api.example.com'],
 * });
 * session.subscribe(() => render(session.getSnapshot()));
 * ```
 * @throws LatchkeyError `invalid_config` for a missing `clientId`, a non-absolute
 * `issuer`/`redirectUri`, an `http:` URL outside localhost, or another bad field
 * (the message names the field).
 */
export function createSession(config: SessionConfig): Session {
  return createSessionWith(config, browserEnvironment());
}

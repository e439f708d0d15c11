/**
 * latchkey: a safe, self-maintaining OAuth 2.0 / OpenID Connect session for
 * browser single-page apps.
 *
 * @example
 * ```ts
 * import { createSession } from 'latchkey';
 *
 * const session = createSession({
 *   issuer: 'https://auth.example.com',
 *   clientId: 'spa',
 *   redirectUri: 'https://app.example.com/',
 *   apiOrigins: ['https://api.example.com'],
 * });
 * await session.ready;
 * if (session.getSnapshot().status !== 'authenticated') await session.login();
 * const response = await session.fetch('https://api.example.com/me');
 * ```
 * @packageDocumentation
 */
export { createSession } from './create.js';
export { LatchkeyError, isLatchkeyError } from './errors.js';
export type { LatchkeyErrorCode, LatchkeyErrorOptions } from './errors.js';
export type { LatchkeyEvent, LatchkeyEventType } from './events.js';
export type { ApiConfig, SessionConfig } from './config.js';
export type { LoginOptions } from './authorize.js';
export type { Session, LogoutOptions } from './session.js';
export type { IdTokenClaims, SessionSnapshot } from './snapshot.js';
export { loginWithPopup } from './popup.js';
export type { PopupLoginOptions } from './popup.js';
export { checkSession, enableSilentRenew } from './silent.js';
export type { CheckSessionOptions } from './silent.js';
export { getAuthorizationHeaders } from './headers.js';

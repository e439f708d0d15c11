/**
 * The codes a {@link LatchkeyError} can carry. The set is closed: a `switch` over
 * `error.code` narrows, and every code is documented here.
 *
 * - `invalid_config`: `createSession` was given a config it cannot work with.
 * - `login_required`: there is no usable session (never logged in, logged out,
 *   or the refresh token was rejected). Call `login()`.
 * - `invalid_callback`: a redirect callback that cannot be trusted: state
 *   mismatch, missing, expired or replayed transaction, a failed ID token check.
 * - `authorization_error`: the authorization server answered the login with
 *   `error=` (see `serverError` / `serverErrorDescription`).
 * - `network`: the server could not be reached, or answered with a 5xx.
 * - `server_error`: the server answered something latchkey cannot use
 *   (a malformed discovery document or token response) or refused a request
 *   outside the cases above.
 * - `storage_unavailable`: IndexedDB cannot be opened or used.
 * - `popup_blocked`: `loginWithPopup` could not open its window.
 * - `popup_closed`: the user closed the login popup.
 * - `timeout`: no answer came in time (popup login, `checkSession`).
 * - `origin_not_allowed`: a URL outside `apiOrigins` was asked for a token.
 * - `unsupported_environment`: not in a browser (server-side rendering).
 */
export type LatchkeyErrorCode =
  | 'invalid_config'
  | 'login_required'
  | 'invalid_callback'
  | 'authorization_error'
  | 'network'
  | 'server_error'
  | 'storage_unavailable'
  | 'popup_blocked'
  | 'popup_closed'
  | 'timeout'
  | 'origin_not_allowed'
  | 'unsupported_environment';

/** Options of the {@link LatchkeyError} constructor. */
export interface LatchkeyErrorOptions {
  /** The underlying error (for example an oauth4webapi error). */
  cause?: unknown;
  /** The OAuth `error` value the server sent, when there was one. */
  serverError?: string;
  /** The OAuth `error_description` value the server sent, when there was one. */
  serverErrorDescription?: string;
}

/**
 * The one error class latchkey throws or reports in `getSnapshot().error`.
 *
 * @example
 * ```ts
 * try {
 *   await session.getAccessToken();
 * } catch (error) {
 *   if (isLatchkeyError(error, 'login_required')) await session.login();
 *   else throw error;
 * }
 * ```
 */
export class LatchkeyError extends Error {
  // `declare`: no field initialisers; the constructor creates all four own
  // properties (undefined when not given), in this order, then `name`. (`cause`
  // overrides Error's, but `declare` cannot carry `override`.)
  /** What went wrong, one of {@link LatchkeyErrorCode}. */
  declare readonly code: LatchkeyErrorCode;
  /** The underlying error, when there is one. */
  declare readonly cause?: unknown;
  /** The OAuth `error` the server sent (code `authorization_error` and others). */
  declare readonly serverError?: string;
  /** The OAuth `error_description` the server sent. */
  declare readonly serverErrorDescription?: string;

  /**
   * @param code - one of {@link LatchkeyErrorCode}
   * @param message - a sentence for people; never contains a token
   * @param options - cause and server error details
   */
  constructor(code: LatchkeyErrorCode, message: string, options: LatchkeyErrorOptions = {}) {
    super(message);
    this.code = code;
    this.cause = options.cause;
    this.serverError = options.serverError;
    this.serverErrorDescription = options.serverErrorDescription;
    this.name = 'LatchkeyError';
  }
}

/**
 * Whether `value` is a {@link LatchkeyError}, optionally with the given code.
 * Checks `name` and `code` rather than `instanceof`, so it also recognises
 * errors from another copy of the package.
 *
 * @example
 * ```ts
 * if (isLatchkeyError(snapshot.error, 'network')) showOfflineBanner();
 * ```
 */
export function isLatchkeyError(value: unknown, code?: LatchkeyErrorCode): value is LatchkeyError {
  const candidate = value as { name?: unknown; code?: unknown } | null;
  return (
    typeof value === 'object' &&
    candidate?.name === 'LatchkeyError' &&
    typeof candidate.code === 'string' &&
    (code === undefined || candidate.code === code)
  );
}

/**
 * A copy of an error that keeps what explains it (name, message, `code`,
 * `status`, the OAuth `error` and `error_description`) and drops what can hold a
 * secret: oauth4webapi attaches response bodies (which carry tokens), JWT claims
 * and `Response` objects as its errors' `cause`. Apps log `error.cause`; it must be
 * safe to. Pure.
 * @internal
 */
export function redact(error: unknown): Error {
  const source = error instanceof Error ? error : new Error(String(error));
  const copy = new Error(source.message);
  copy.name = source.name;
  for (const key of ['code', 'status', 'error', 'error_description'] as const) {
    const value = (source as unknown as Record<string, unknown>)[key];
    if (typeof value === 'string' || typeof value === 'number') Object.defineProperty(copy, key, { value, enumerable: true });
  }
  return copy;
}

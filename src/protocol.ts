import * as oauth from 'oauth4webapi';
import { LatchkeyError, isLatchkeyError, redact, type LatchkeyErrorCode } from './errors.js';
import type { Emit } from './events.js';

/** The effects every request to the authorization server needs. @internal */
export interface Http {
  fetch: typeof fetch;
  /** Allow plain http: (loopback only; the config has checked that). */
  allowInsecure: boolean;
  /** Milliseconds before a request to the authorization server is abandoned. */
  timeoutMs: number;
  /** Send with `keepalive` (a request that must outlive the page). */
  keepalive?: boolean;
  /** Where protocol steps report events (an untrusted server clock). */
  emit?: Emit;
}

/** The authorization server's metadata and our client, as oauth4webapi wants them. @internal */
export interface Server {
  as: oauth.AuthorizationServer;
  client: oauth.Client;
  /** The configured issuer, as token sets record it. */
  issuer: string;
}

/** The oauth4webapi request options carrying our effects. @internal */
export function requestOptions(http: Http): {
  [oauth.customFetch]: typeof fetch;
  [oauth.allowInsecureRequests]: boolean;
  signal: AbortSignal;
} {
  return {
    [oauth.customFetch]: (url, init) => http.fetch(url, http.keepalive ? { ...(init as RequestInit), keepalive: true } : (init as RequestInit)),
    [oauth.allowInsecureRequests]: http.allowInsecure,
    signal: AbortSignal.timeout(http.timeoutMs),
  };
}

/**
 * Fetches and checks the discovery document (`issuer` must match exactly).
 * @throws LatchkeyError `network` or `server_error`
 * @internal
 */
export async function discover(issuer: URL, http: Http): Promise<oauth.AuthorizationServer> {
  try {
    const response = await oauth.discoveryRequest(issuer, { ...requestOptions(http), algorithm: 'oidc' });
    return await oauth.processDiscoveryResponse(issuer, response);
  } catch (error) {
    throw toLatchkeyError(error, 'discovery');
  }
}

/** Where in the protocol a failure happened; decides the error code. @internal */
export type Phase = 'discovery' | 'authorize' | 'callback' | 'exchange' | 'refresh' | 'api' | 'revoke';

function isNetworkFailure(error: unknown): boolean {
  if (error instanceof TypeError && !('code' in error)) return true; // fetch() failed
  const name = (error as { name?: unknown } | null)?.name;
  return name === 'AbortError' || name === 'TimeoutError' || name === 'NetworkError';
}

function isIdTokenFailure(error: oauth.OperationProcessingError): boolean {
  return error.code === oauth.JWT_CLAIM_COMPARISON || error.code === oauth.JWT_TIMESTAMP_CHECK ||
    /id_token|ID Token|nonce/i.test(error.message);
}

/** What each phase is called in messages. */
const PHASE_NAMES = {
  discovery: 'Discovery',
  authorize: 'The authorization request',
  callback: 'The login response',
  exchange: 'The code exchange',
  refresh: 'The token refresh',
  api: 'The API token request',
  revoke: 'The token revocation',
};

/**
 * Maps whatever a protocol step threw to a {@link LatchkeyError}. A redacted copy
 * of the oauth4webapi error is kept as `cause`; messages never contain tokens.
 * @internal
 */
export function toLatchkeyError(error: unknown, phase: Phase): LatchkeyError {
  if (isLatchkeyError(error)) return error;
  const where = PHASE_NAMES[phase];
  const body = error instanceof oauth.ResponseBodyError ? error : undefined;
  // The server's `error` and `error_description` go along when `refusal` is given (the constructor drops what is undefined).
  const fail = (code: LatchkeyErrorCode, message: string, refusal?: { error: string; error_description?: string }) =>
    new LatchkeyError(code, message, { cause: redact(error), serverError: refusal?.error, serverErrorDescription: refusal?.error_description });
  if (isNetworkFailure(error)) return fail('network', `${where} could not reach the authorization server`);
  // The HTTP status the server answered, 0 when none is known.
  const status = body?.status ??
    (error instanceof oauth.OperationProcessingError && error.cause instanceof Response ? error.cause.status : 0);
  const ended = () => fail('login_required', `The refresh token was refused (HTTP ${status}); log in again`, body);
  // An API's own token refused for the API's sake (invalid_target, invalid_scope) leaves the session alone.
  const apiRefusal = phase === 'api' && body && body.error !== 'invalid_grant';
  // Whatever the body (JSON, empty, HTML): the token endpoint refused this refresh token.
  if ((phase === 'refresh' || phase === 'api') && !apiRefusal && (status === 400 || status === 401)) return ended();
  if (status >= 500 || status === 429) return fail('network', `${where} failed: the authorization server answered ${status}`);
  if (error instanceof oauth.AuthorizationResponseError) return fail('authorization_error', `The login was refused: ${error.error}`, error);
  if (body) {
    if (phase === 'refresh' && body.error === 'invalid_grant') return ended();
    if (phase === 'exchange' && body.error === 'invalid_grant') {
      return fail('invalid_callback', 'The authorization code was refused (used, expired or not ours)', body);
    }
    return fail('server_error', `${where} was refused: ${body.error}`, body);
  }
  if (error instanceof oauth.OperationProcessingError && (phase === 'callback' || (phase === 'exchange' && isIdTokenFailure(error)))) {
    return fail('invalid_callback', `${where} failed validation: ${error.message}`);
  }
  return fail('server_error', `${where} failed: ${error instanceof Error ? error.message : String(error)}`);
}

/**
 * Runs a request-and-process step, once more if the server asked for a DPoP
 * nonce (the handle has cached it by then).
 * @internal
 */
export async function withDpopNonceRetry<T>(step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (error) {
    if (oauth.isDPoPNonceError(error)) return step();
    throw error;
  }
}

import * as oauth from 'oauth4webapi';
import { LatchkeyError, isLatchkeyError, redact } from './errors.js';
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

function serverStatus(error: unknown): number | undefined {
  if (error instanceof oauth.ResponseBodyError) return error.status;
  if (error instanceof oauth.OperationProcessingError && error.cause instanceof Response) return error.cause.status;
  return undefined;
}

/**
 * Maps whatever a protocol step threw to a {@link LatchkeyError}. A redacted copy
 * of the oauth4webapi error is kept as `cause`; messages never contain tokens.
 * @internal
 */
export function toLatchkeyError(error: unknown, phase: Phase): LatchkeyError {
  if (isLatchkeyError(error)) return error;
  const cause = redact(error);
  const where = {
    discovery: 'Discovery',
    authorize: 'The authorization request',
    callback: 'The login response',
    exchange: 'The code exchange',
    refresh: 'The token refresh',
    api: 'The request for an API\'s own token',
    revoke: 'The token revocation',
  }[phase];
  if (isNetworkFailure(error)) {
    return new LatchkeyError('network', `${where} could not reach the authorization server`, { cause });
  }
  const status = serverStatus(error);
  // An API's own token refused for the API's sake (invalid_target, invalid_scope) leaves the session alone.
  const apiRefusal = phase === 'api' && error instanceof oauth.ResponseBodyError && error.error !== 'invalid_grant';
  if ((phase === 'refresh' || phase === 'api') && !apiRefusal && (status === 400 || status === 401)) {
    // Whatever the body (JSON, empty, HTML): the token endpoint refused this refresh token.
    const details = error instanceof oauth.ResponseBodyError
      ? { serverError: error.error, ...(error.error_description !== undefined && { serverErrorDescription: error.error_description }) }
      : {};
    return new LatchkeyError('login_required', `The session has ended (the token endpoint answered ${status} to the refresh); log in again`, { cause, ...details });
  }
  if (status !== undefined && (status >= 500 || status === 429)) {
    return new LatchkeyError('network', `${where} failed: the authorization server answered ${status}`, { cause });
  }
  if (error instanceof oauth.AuthorizationResponseError) {
    return new LatchkeyError('authorization_error', `The authorization server refused the login: ${error.error}`, {
      cause,
      serverError: error.error,
      ...(error.error_description !== undefined && { serverErrorDescription: error.error_description }),
    });
  }
  if (error instanceof oauth.ResponseBodyError) {
    const details = {
      cause,
      serverError: error.error,
      ...(error.error_description !== undefined && { serverErrorDescription: error.error_description }),
    };
    if (phase === 'refresh' && error.error === 'invalid_grant') {
      return new LatchkeyError('login_required', 'The session has ended (the refresh token was rejected); log in again', details);
    }
    if (phase === 'exchange' && error.error === 'invalid_grant') {
      return new LatchkeyError('invalid_callback', 'The authorization code was refused (used already, expired, or not ours)', details);
    }
    return new LatchkeyError('server_error', `${where} was refused: ${error.error}`, details);
  }
  if (error instanceof oauth.OperationProcessingError && (phase === 'callback' || (phase === 'exchange' && isIdTokenFailure(error)))) {
    return new LatchkeyError('invalid_callback', `${where} failed validation: ${error.message}`, { cause });
  }
  const message = error instanceof Error ? error.message : String(error);
  return new LatchkeyError('server_error', `${where} failed: ${message}`, { cause });
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

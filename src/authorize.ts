import * as oauth from 'oauth4webapi';
import { LatchkeyError } from './errors.js';
import { requestOptions, toLatchkeyError, withDpopNonceRetry, type Http, type Server } from './protocol.js';
import type { LoginTransaction } from './vault.js';

/** Options of `session.login()`. */
export interface LoginOptions {
  /** Any string (usually a path); handed back by `handleRedirectCallback`. */
  returnTo?: string;
  /** The OIDC `prompt` parameter, e.g. `'login'` or `'consent'`. */
  prompt?: string;
  /** The OIDC `login_hint` parameter. */
  loginHint?: string;
  /** More authorization request parameters. The security parameters cannot be overridden. */
  extraParams?: Record<string, string>;
}

/** What the authorization request is built from. @internal */
export interface AuthorizationInput {
  issuer: string;
  clientId: string;
  redirectUri: string;
  scope: string;
  resource: readonly string[];
  options: LoginOptions;
  dpop: oauth.DPoPHandle | undefined;
  now: number;
}

/** Parameters latchkey owns; `extraParams` may not set them. */
const RESERVED = new Set([
  'client_id', 'redirect_uri', 'response_type', 'scope', 'state', 'nonce', 'code_challenge',
  'code_challenge_method', 'dpop_jkt', 'request_uri', 'request', 'response_mode', 'resource',
]);

function checkLoginOptions(options: LoginOptions): void {
  if (typeof options !== 'object' || options === null) {
    throw new LatchkeyError('invalid_config', 'login(options): options must be an object');
  }
  for (const field of ['returnTo', 'prompt', 'loginHint'] as const) {
    if (options[field] !== undefined && typeof options[field] !== 'string') {
      throw new LatchkeyError('invalid_config', `login(options): ${field} must be a string`);
    }
  }
  for (const [name, value] of Object.entries(options.extraParams ?? {})) {
    if (RESERVED.has(name)) {
      throw new LatchkeyError('invalid_config', `login(options): extraParams may not set "${name}"; latchkey sets it`);
    }
    if (typeof value !== 'string') {
      throw new LatchkeyError('invalid_config', `login(options): extraParams.${name} must be a string`);
    }
  }
}

/**
 * Builds the authorization request (PKCE S256, state, nonce, `dpop_jkt` when
 * DPoP is on) and, when the server advertises PAR, pushes it. Returns the URL to
 * send the window to and the transaction to seal before leaving.
 * @throws LatchkeyError `invalid_config`, `network` or `server_error`
 * @internal
 */
export async function buildAuthorizationRequest(
  server: Server,
  http: Http,
  input: AuthorizationInput,
): Promise<{ url: URL; transaction: LoginTransaction }> {
  checkLoginOptions(input.options);
  const codeVerifier = oauth.generateRandomCodeVerifier();
  const state = oauth.generateRandomState();
  const nonce = oauth.generateRandomNonce();
  const params = new URLSearchParams({
    client_id: input.clientId,
    redirect_uri: input.redirectUri,
    response_type: 'code',
    scope: input.scope,
    code_challenge: await oauth.calculatePKCECodeChallenge(codeVerifier),
    code_challenge_method: 'S256',
    state,
    nonce,
  });
  for (const value of input.resource) params.append('resource', value);
  if (input.options.prompt !== undefined) params.set('prompt', input.options.prompt);
  if (input.options.loginHint !== undefined) params.set('login_hint', input.options.loginHint);
  for (const [name, value] of Object.entries(input.options.extraParams ?? {})) params.set(name, value);
  if (input.dpop) params.set('dpop_jkt', await input.dpop.calculateThumbprint());

  const endpoint = server.as.authorization_endpoint;
  if (!endpoint) throw new LatchkeyError('server_error', 'The server metadata has no authorization_endpoint');
  const url = new URL(endpoint);
  if (server.as.pushed_authorization_request_endpoint) {
    try {
      const pushed = await withDpopNonceRetry(async () => {
        const response = await oauth.pushedAuthorizationRequest(server.as, server.client, oauth.None(), params, {
          ...requestOptions(http),
          ...(input.dpop && { DPoP: input.dpop }),
        });
        return oauth.processPushedAuthorizationResponse(server.as, server.client, response);
      });
      url.searchParams.set('client_id', input.clientId);
      url.searchParams.set('request_uri', pushed.request_uri);
    } catch (error) {
      throw toLatchkeyError(error, 'authorize');
    }
  } else {
    for (const [name, value] of params) url.searchParams.append(name, value);
  }

  const transaction: LoginTransaction = {
    issuer: input.issuer,
    clientId: input.clientId,
    state,
    codeVerifier,
    nonce,
    redirectUri: input.redirectUri,
    dpop: input.dpop !== undefined,
    createdAt: input.now,
  };
  if (input.options.returnTo !== undefined) transaction.returnTo = input.options.returnTo;
  return { url, transaction };
}

/** The authorization-response parameters latchkey removes from the address bar. */
const CALLBACK_PARAMS = ['code', 'state', 'iss', 'error', 'error_description', 'error_uri', 'session_state', 'client_info'];

/**
 * Whether `href` is an authorization response for this app: the redirect URI's
 * origin and path, carrying `state` and (`code` or `error`). Without `state`
 * the parameters are the app's own (or a stranger's link) and are left alone.
 * Pure.
 * @internal
 */
export function isCallbackUrl(href: string, redirectUri: URL): boolean {
  let url: URL;
  try {
    url = new URL(href);
  } catch {
    return false;
  }
  return url.origin === redirectUri.origin && url.pathname === redirectUri.pathname && url.searchParams.has('state') &&
    (url.searchParams.has('code') || url.searchParams.has('error'));
}

/** `href` without the authorization-response parameters. Pure. @internal */
export function withoutCallbackParams(href: string): string {
  const url = new URL(href);
  for (const name of CALLBACK_PARAMS) url.searchParams.delete(name);
  return url.href;
}

/**
 * Reads the `state` of a callback URL; a missing `state`, or any repeated
 * response parameter, is an untrustworthy callback. Nothing from the URL goes
 * into the message. Pure.
 * @throws LatchkeyError `invalid_callback`
 * @internal
 */
export function callbackState(url: URL): string {
  for (const name of ['code', 'iss', 'error']) {
    if (url.searchParams.getAll(name).length > 1) {
      throw new LatchkeyError('invalid_callback', `The callback carries more than one "${name}" parameter`);
    }
  }
  const states = url.searchParams.getAll('state');
  if (states.length === 1 && states[0]) return states[0];
  throw new LatchkeyError('invalid_callback', states.length > 1
    ? 'The callback carries more than one "state" parameter'
    : 'The callback carries no "state" parameter');
}

/**
 * Validates the authorization response against the transaction's `state` and
 * the server's `iss` (RFC 9207) through oauth4webapi.
 * @throws LatchkeyError `authorization_error` or `invalid_callback`
 * @internal
 */
export function validateCallback(server: Server, url: URL, state: string): URLSearchParams {
  try {
    return oauth.validateAuthResponse(server.as, server.client, url, state);
  } catch (error) {
    throw toLatchkeyError(error, 'callback');
  }
}

/** The `state` latchkey sends to the end-session endpoint starts so; see {@link isLogoutReturn}. @internal */
export const LOGOUT_STATE_PREFIX = 'lk-logout.';

/**
 * Whether `href` is the server sending the browser back after logout with the
 * `state` latchkey sent (and nothing of a callback): that `state` is latchkey's
 * own and is removed from the address bar. Pure.
 * @internal
 */
export function isLogoutReturn(href: string): boolean {
  try {
    const params = new URL(href).searchParams;
    return params.getAll('state').length === 1 && params.get('state')!.startsWith(LOGOUT_STATE_PREFIX) &&
      !params.has('code') && !params.has('error');
  } catch {
    return false;
  }
}

/** `href` without its `state` parameter. Pure. @internal */
export function withoutState(href: string): string {
  const url = new URL(href);
  url.searchParams.delete('state');
  return url.href;
}

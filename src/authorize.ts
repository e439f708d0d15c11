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

/**
 * Parameters latchkey owns besides those of the request it starts with (see
 * {@link buildAuthorizationRequest}); `extraParams` may set none of them.
 */
const RESERVED = ['dpop_jkt', 'request_uri', 'request', 'response_mode', 'resource'];

function invalidOptions(problem: string): LatchkeyError {
  return new LatchkeyError('invalid_config', `login(options): ${problem}`);
}

/**
 * Builds the authorization request (PKCE S256, state, nonce, `dpop_jkt` when
 * DPoP is on) and, when the server advertises PAR, pushes it. Returns the URL to
 * send the window to and the transaction to seal before leaving.
 * @throws LatchkeyError `invalid_config`, `network` or `server_error`
 * @internal
 */
export async function buildAuthorizationRequest(
  { as, client }: Server,
  http: Http,
  { issuer, clientId, redirectUri, scope, resource, options, dpop, now }: AuthorizationInput,
): Promise<{ url: URL; transaction: LoginTransaction }> {
  if (typeof options !== 'object' || options === null) throw invalidOptions('not an object');
  for (const field of ['returnTo', 'prompt', 'loginHint'] as const) {
    if (options[field] !== undefined && typeof options[field] !== 'string') throw invalidOptions(`${field} must be a string`);
  }
  const codeVerifier = oauth.generateRandomCodeVerifier();
  const state = oauth.generateRandomState();
  const nonce = oauth.generateRandomNonce();
  const params = new URLSearchParams({
    client_id: clientId,
    redirect_uri: redirectUri,
    response_type: 'code',
    scope,
    code_challenge: await oauth.calculatePKCECodeChallenge(codeVerifier),
    code_challenge_method: 'S256',
    state,
    nonce,
  });
  const extraParams = Object.entries(options.extraParams ?? {});
  for (const [name, value] of extraParams) {
    if (params.has(name) || RESERVED.includes(name)) throw invalidOptions(`latchkey sets "${name}", extraParams may not`);
    if (typeof value !== 'string') throw invalidOptions(`extraParams.${name} must be a string`);
  }
  for (const value of resource) params.append('resource', value);
  // In this order: `extraParams` may override `prompt` and `login_hint`.
  for (const [name, value] of [['prompt', options.prompt], ['login_hint', options.loginHint], ...extraParams] as Array<[string, string | undefined]>) {
    if (value !== undefined) params.set(name, value);
  }
  if (dpop) params.set('dpop_jkt', await dpop.calculateThumbprint());

  const endpoint = as.authorization_endpoint;
  if (!endpoint) throw new LatchkeyError('server_error', 'The server metadata has no authorization_endpoint');
  const url = new URL(endpoint);
  const query = url.searchParams;
  if (as.pushed_authorization_request_endpoint) {
    try {
      // oauth4webapi sends no DPoP proof when `DPoP` is undefined.
      const pushed = await withDpopNonceRetry(async () => oauth.processPushedAuthorizationResponse(as, client,
        await oauth.pushedAuthorizationRequest(as, client, oauth.None(), params, { ...requestOptions(http), DPoP: dpop })));
      query.set('client_id', clientId);
      query.set('request_uri', pushed.request_uri);
    } catch (error) {
      throw toLatchkeyError(error, 'authorize');
    }
  } else {
    for (const [name, value] of params) query.append(name, value);
  }

  const transaction: LoginTransaction = { issuer, clientId, state, codeVerifier, nonce, redirectUri, dpop: !!dpop, createdAt: now };
  if (options.returnTo !== undefined) transaction.returnTo = options.returnTo;
  return { url, transaction };
}

/** `href` as a URL, or undefined when it is not one. */
function parseUrl(href: string): URL | undefined {
  try {
    return new URL(href);
  } catch {
    return undefined;
  }
}

/** Whether `params` carry an authorization response (`code` or `error`). */
function hasResponse(params: URLSearchParams): boolean {
  return params.has('code') || params.has('error');
}

/** `href` without the parameters `names`. */
function withoutParams(href: string, names: string[]): string {
  const url = new URL(href);
  for (const name of names) url.searchParams.delete(name);
  return url.href;
}

/**
 * Whether `href` is an authorization response for this app: the redirect URI's
 * origin and path, carrying `state` and (`code` or `error`). Without `state`
 * the parameters are the app's own (or a stranger's link) and are left alone.
 * Pure.
 * @internal
 */
export function isCallbackUrl(href: string, redirectUri: URL): boolean {
  const url = parseUrl(href);
  return url?.origin === redirectUri.origin && url.pathname === redirectUri.pathname && url.searchParams.has('state') &&
    hasResponse(url.searchParams);
}

/**
 * `href` without the authorization-response parameters (those latchkey
 * removes from the address bar). Pure. @internal
 */
export function withoutCallbackParams(href: string): string {
  return withoutParams(href, ['code', 'state', 'iss', 'error', 'error_description', 'error_uri', 'session_state', 'client_info']);
}

/**
 * Reads the `state` of a callback URL; a missing `state`, or any repeated
 * response parameter, is an untrustworthy callback. Nothing from the URL goes
 * into the message. Pure.
 * @throws LatchkeyError `invalid_callback`
 * @internal
 */
export function callbackState(url: URL): string {
  for (const name of ['code', 'iss', 'error', 'state']) {
    if (url.searchParams.getAll(name).length > 1) {
      throw new LatchkeyError('invalid_callback', `The callback repeats its "${name}" parameter`);
    }
  }
  const state = url.searchParams.get('state');
  if (state) return state;
  throw new LatchkeyError('invalid_callback', 'The callback has no "state" parameter');
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
  const params = parseUrl(href)?.searchParams;
  return params?.getAll('state').length === 1 && params.get('state')!.startsWith(LOGOUT_STATE_PREFIX) && !hasResponse(params);
}

/** `href` without its `state` parameter. Pure. @internal */
export function withoutState(href: string): string {
  return withoutParams(href, ['state']);
}

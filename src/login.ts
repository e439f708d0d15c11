import { buildAuthorizationRequest, callbackState, validateCallback, withoutCallbackParams, type LoginOptions } from './authorize.js';
import { asLatchkeyError, type Core } from './core.js';
import { LatchkeyError } from './errors.js';
import type { Held } from './lifecycle.js';
import { exchangeCode } from './tokens.js';
import { stateHash } from './vault.js';

/**
 * What handling a callback came to: what `handleRedirectCallback` resolves to,
 * or `foreign` (another session's login, left to it).
 * @internal
 */
export type CallbackOutcome = { returnTo?: string } | 'foreign';

/** 24 random hex digits. @internal */
export function randomId(crypto: Crypto): string {
  return Array.from(crypto.getRandomValues(new Uint8Array(12)), (byte) => byte.toString(16).padStart(2, '0')).join('');
}

/**
 * Starts a login: a fresh non-extractable DPoP key pair for this login (when
 * DPoP is on), the authorization request (PKCE, state, nonce, PAR), the sealed
 * transaction, then the window leaves.
 * @internal
 */
export async function startLogin(core: Core, options: LoginOptions, go: (href: string) => void = core.env.navigate): Promise<{ id: string }> {
  const { config, env } = core;
  const server = await core.getServer();
  const advertised = server.as.dpop_signing_alg_values_supported?.includes('ES256');
  const keys = (config.dpop ?? advertised)
    ? await env.crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign', 'verify'])
    : undefined;
  const apis = [...config.apis.values()];
  const { url, transaction } = await buildAuthorizationRequest(server, core.http, {
    issuer: server.issuer,
    clientId: config.clientId,
    redirectUri: config.redirectUri.href,
    // The grant covers every API with a token of its own: their resources and scopes
    // are asked for at login (RFC 8707 §2), and each token request narrows to one.
    scope: [...new Set([config.scope, ...apis.map((api) => api.scope)].join(' ').split(/\s+/).filter(Boolean))].join(' '),
    resource: [...new Set([...config.resource, ...apis.flatMap((api) => api.resource)])],
    options,
    dpop: core.dpop(keys, `login:${randomId(env.crypto)}`),
    now: env.now(),
  });
  await core.vault.saveTransaction(transaction, keys);
  core.emit('login_started');
  go(url.href);
  return { id: await stateHash(transaction.state) };
}

/**
 * Handles the authorization response at `href`: takes our transaction (exactly
 * once across tabs and sessions), validates, exchanges the code, stores and
 * adopts the new session. A `state` of another session on this origin is left
 * alone. `fallback` is what this tab holds if the callback fails.
 * @internal
 */
export async function completeCallback(core: Core, href: string, fallback: () => Held | undefined): Promise<CallbackOutcome> {
  const { env, vault } = core;
  const logouts = core.logouts;
  let clean = env.currentUrl() === href;
  let id: string | undefined;
  try {
    const url = new URL(href);
    const state = callbackState(url);
    const taken = await vault.takeTransaction(state);
    if (taken.status === 'foreign') {
      clean = false; // another session's login: its page, its address bar
      return 'foreign';
    }
    if (taken.status !== 'found') {
      throw new LatchkeyError('invalid_callback', taken.status === 'expired'
        ? 'The login expired; log in again'
        : 'No login in progress matches this callback');
    }
    id = await stateHash(state);
    const { transaction, keys } = taken;
    if (transaction.dpop && !keys) throw new LatchkeyError('invalid_callback', 'DPoP key of this login gone');
    const server = await core.getServer();
    const callbackParameters = validateCallback(server, url, transaction.state);
    const sessionId = randomId(env.crypto);
    const tokens = await exchangeCode(server, core.http, {
      ...transaction, // its redirectUri, codeVerifier and nonce
      callbackParameters,
      dpop: core.dpop(keys, sessionId),
      now: env.now,
      sessionId,
      resource: core.config.resource,
    });
    if (core.logouts !== logouts) {
      // Logged out here while the code was being exchanged: this login is void.
      core.revoke(tokens.refreshToken);
      throw new LatchkeyError('login_required', 'Logged out during the login');
    }
    // A new login replaces whatever is stored (another user's session included).
    const version = await vault.writeSession(tokens, keys, null);
    core.adopt({ version, tokens, keys });
    core.tabs.announce({ type: 'changed' });
    core.tabs.announce({ type: 'callback', id, ok: true });
    core.emit('logged_in');
    return transaction.returnTo === undefined ? {} : { returnTo: transaction.returnTo };
  } catch (caught) {
    const error = asLatchkeyError('invalid_callback', caught);
    core.adopt(fallback(), error);
    // A popup or a frame opened by another window: tell it how its login ended.
    if (id) core.tabs.announce({ type: 'callback', id, ok: false, code: error.code, ...(error.serverError && { serverError: error.serverError }) });
    throw error;
  } finally {
    if (clean) env.replaceUrl(withoutCallbackParams(href));
  }
}

import { LOGOUT_STATE_PREFIX } from './authorize.js';
import type { Core } from './core.js';
import { randomId } from './login.js';
import type { Server } from './protocol.js';
import { revokeToken } from './tokens.js';

/** Options of `session.logout()`. */
export interface LogoutOptions {
  /** Overrides `postLogoutRedirectUri` for this logout (must be registered at the server). */
  returnTo?: string;
  /** Only forget the session here: no redirect to the server's end-session endpoint. */
  localOnly?: boolean;
}

/** How long logout waits for discovery and for the revocation, each: best-effort. */
export const LOGOUT_NETWORK_MS = 5_000;

/** What `promise` resolves to, or undefined when it fails or takes longer than {@link LOGOUT_NETWORK_MS}. */
function within<T>(core: Core, promise: Promise<T>): Promise<T | undefined> {
  const { timers } = core.env;
  return new Promise((resolve) => {
    const giveUp = () => resolve(undefined);
    const timer = timers.setTimeout(giveUp, LOGOUT_NETWORK_MS);
    promise.then(resolve, giveUp).finally(() => timers.clearTimeout(timer));
  });
}

/**
 * Ends the session: first here and in every tab (snapshot, stored session,
 * the other tabs told), and only then the network: the live refresh token
 * (the stored one, which another tab may have rotated) is revoked best-effort
 * with `keepalive` and a short timeout, and the window goes to the
 * end-session endpoint. Nothing that happens on the network can bring the
 * session back: a refresh in flight finds the stored session gone and
 * discards (and revokes) what it brings. A login pending in another tab is
 * untouched.
 * @internal
 */
export async function endSession(core: Core, options: LogoutOptions): Promise<void> {
  core.logouts += 1;
  const memory = core.held();
  core.adopt(undefined);
  const taken = await core.vault.takeSession().catch(() => undefined);
  core.tabs.announce({ type: 'logout' });
  core.emit('logged_out');

  const live = taken ?? memory;
  const server: Server | undefined = await within(core, core.getServer());
  const refreshToken = live?.tokens.refreshToken;
  if (server && refreshToken) {
    const http = { ...core.http, timeoutMs: Math.min(core.http.timeoutMs, LOGOUT_NETWORK_MS) };
    await within(core, revokeToken(server, http, refreshToken, 'refresh_token'));
  }
  const endpoint = server?.as.end_session_endpoint;
  if (options.localOnly || !endpoint) return;
  const target = new URL(endpoint);
  const params = target.searchParams;
  params.set('client_id', core.config.clientId);
  if (live?.tokens.idToken) params.set('id_token_hint', live.tokens.idToken);
  const returnTo = options.returnTo ?? core.config.postLogoutRedirectUri?.href;
  if (returnTo !== undefined) {
    params.set('post_logout_redirect_uri', returnTo);
    // OPTIONAL in RP-Initiated Logout 1.0; some servers only return with it.
    params.set('state', LOGOUT_STATE_PREFIX + randomId(core.env.crypto));
  }
  core.env.navigate(target.href);
}

import { isCallbackUrl, isLogoutReturn, withoutState, type LoginOptions } from './authorize.js';
import type { SessionConfig } from './config.js';
import { asLatchkeyError, createCore, noSession, usable, type Core } from './core.js';
import type { Environment } from './env.js';
import { LatchkeyError } from './errors.js';
import { createAuthorizedFetch, type Credentials } from './fetch.js';
import { registerCore } from './internal.js';
import { createRefresher, tokenOf, type Held, type Target } from './lifecycle.js';
import { completeCallback, startLogin, type CallbackOutcome } from './login.js';
import { endSession, type LogoutOptions } from './logout.js';
import type { IdTokenClaims, SessionSnapshot } from './snapshot.js';
import type { TabMessage } from './tabs.js';
import { refreshTokens } from './tokens.js';
import type { TokenSet } from './vault.js';

export type { LogoutOptions };

/** A browser OAuth 2.0 / OpenID Connect session. See the contract in the README. */
export interface Session<User extends { sub: string } = IdTokenClaims> {
  /** Resolves once the session is restored and a pending callback handled. Never rejects. */
  readonly ready: Promise<void>;
  /** The current snapshot; the same object until something changes. */
  getSnapshot(): SessionSnapshot<User>;
  /** Calls `listener` after every change; returns the unsubscribe function. */
  subscribe(listener: () => void): () => void;
  /** Starts a login: sends the window to the authorization server. */
  login(options?: LoginOptions): Promise<void>;
  /**
   * Completes a login from the callback URL. Without `url`: the callback `ready`
   * handled on this page (its `returnTo`), else the current URL.
   * @throws LatchkeyError `invalid_callback` (also when there is no callback here), `authorization_error`
   */
  handleRedirectCallback(url?: string): Promise<{ returnTo?: string }>;
  /**
   * A valid access token, refreshed first when needed; with `{ api }` the token
   * that API gets (its own, for an API configured as an object).
   * @throws LatchkeyError `login_required`; `origin_not_allowed` for an `api` outside `apiOrigins`
   */
  getAccessToken(options?: { api?: string }): Promise<string>;
  /** `window.fetch` that authorizes requests to the configured API origins. */
  fetch(input: RequestInfo | URL, init?: RequestInit): Promise<Response>;
  /** Ends the session here and in every tab, revokes, and (unless `localOnly`) at the server. */
  logout(options?: LogoutOptions): Promise<void>;
  /** Stops timers and listeners; the session is unusable afterwards. */
  dispose(): void;
}

const originOf = (href: string): string => {
  try {
    return new URL(href).origin;
  } catch {
    return href;
  }
};

/**
 * Creates a session from a config and an environment of effects (the browser's,
 * or fakes in tests). `createSession` is this with the browser's environment.
 * @internal
 */
export function createSessionWith<User extends { sub: string } = IdTokenClaims>(input: SessionConfig, env: Environment): Session<User> {
  const core: Core = createCore(input, env);
  const { config, vault, tabs, snapshot } = core;

  /** The DPoP handle for a token of `tokenType` (none for a bearer token); `login_required` when its key is gone. */
  function proofFor(tokenType: TokenSet['tokenType'], keys: CryptoKeyPair | undefined, sessionId: string) {
    if (tokenType !== 'dpop') return undefined;
    const handle = core.dpop(keys, sessionId);
    if (!handle) throw new LatchkeyError('login_required', 'DPoP key gone; log in again');
    return handle;
  }

  const refresher = createRefresher({
    // The clock, randomness, timers, vault, tab link, generation, adopt, sync, revoke and emit of this session.
    ...env,
    ...core,
    leewaySeconds: config.refreshLeewaySeconds,
    async request(from, target) {
      const server = await core.getServer();
      const bound = proofFor(from.tokens.tokenType, from.keys, from.tokens.sessionId);
      const api = target === undefined ? undefined : config.apis.get(target);
      return refreshTokens(server, core.http, from.tokens, bound, config.resource, env.now, api);
    },
    current: core.held,
    report: (error) => snapshot.update({ error }),
    async end(error, from) {
      // Only the session this refresh started from ends; a newer one (another login) stays.
      const stored = await vault.readSession().catch(() => undefined);
      if (stored && from && stored.tokens.sessionId !== from.tokens.sessionId) return core.sync();
      if (stored) await vault.takeSession().catch(() => undefined);
      core.adopt(undefined, error);
      tabs.announce({ type: 'logout' });
      core.emit('session_ended', { code: error.code, reason: from?.tokens.refreshToken ? 'refresh_refused' : 'no_refresh_token' });
    },
  });
  core.onAdopt = refresher.schedule;

  const startUrl = env.currentUrl();
  const isCallback = startUrl !== undefined && isCallbackUrl(startUrl, config.redirectUri);
  // Back from the end-session endpoint with the state latchkey sent: take it out of the address bar.
  if (startUrl !== undefined && isLogoutReturn(startUrl)) env.replaceUrl(withoutState(startUrl));
  let restored: Held | undefined;
  let restoreError: LatchkeyError | null = null;

  async function restore(): Promise<void> {
    const started = core.generation();
    try {
      restored = usable(await vault.readSession());
    } catch (error) {
      restoreError = asLatchkeyError('storage_unavailable', error);
    }
    // On a callback page the snapshot stays `loading` until the callback is handled.
    if (!isCallback && core.generation() === started) core.adopt(restored, restoreError);
  }

  const restoring = restore();
  const callback: Promise<CallbackOutcome> | undefined = isCallback
    ? restoring.then(() => completeCallback(core, startUrl, () => restored))
    : undefined;
  // A failed callback is reported through the snapshot (`ready` handles its rejection).
  const ready = (callback ?? restoring).then(
    (outcome) => {
      if (outcome === 'foreign') core.adopt(restored, restoreError);
    },
    () => undefined,
  ).then(() => {
    if (snapshot.get().status === 'loading') core.adopt(undefined);
  });

  /** Another tab changed the stored session: take what it holds now. */
  async function onTabMessage(message: TabMessage): Promise<void> {
    await ready;
    if (message.type === 'spent') return refresher.markSpent(message.version);
    if (message.type === 'callback') return; // for the window that opened the popup or frame
    if (message.type === 'logout') {
      if (core.held()) {
        core.adopt(undefined);
        core.emit('tab_synced', { reason: 'logout' });
      }
      return;
    }
    try {
      const before = core.generation();
      await core.sync();
      if (core.generation() !== before) core.emit('tab_synced');
    } catch (error) {
      // Storage failed while reading the news: keep the session, say why.
      snapshot.update({ error: asLatchkeyError('storage_unavailable', error) });
    }
  }
  const stopListening = tabs.listen(onTabMessage);
  const stopWaking = env.onWake(refresher.wake);

  /** The API origin whose own token `origin` gets, or undefined for the main token. */
  const targetOf = (origin: string | undefined): Target => (origin !== undefined && config.apis.has(origin) ? origin : undefined);

  async function validTokens(target: Target): Promise<TokenSet> {
    core.assertUsable();
    await ready;
    const current = core.held();
    if (!current) throw noSession();
    return refresher.fresh(current, target);
  }

  function credentialsFor(tokens: TokenSet, target: Target): Credentials {
    const token = tokenOf(tokens, target);
    if (!token) throw noSession();
    return { accessToken: token.accessToken, dpop: proofFor(token.tokenType, core.held()?.keys, tokens.sessionId) };
  }

  core.credentials = async (origin) => {
    const target = targetOf(origin);
    return credentialsFor(await validTokens(target), target);
  };

  const authorizedFetch = createAuthorizedFetch({
    fetch: env.fetch,
    apiOrigins: config.apiOrigins,
    baseUrl: () => env.currentUrl() ?? config.redirectUri.href,
    credentials: core.credentials,
    async renew(rejected, origin) {
      const target = targetOf(origin);
      return credentialsFor(await refresher.renew(rejected.accessToken, target), target);
    },
  });

  /** `flow` on this session's core, once it is known not to be disposed. */
  const whenUsable = <Options>(flow: (core: Core, options: Options) => Promise<unknown>) => async (options = {} as Options) => {
    core.assertUsable();
    await flow(core, options);
  };

  const session: Session<User> = {
    ready,
    getSnapshot: snapshot.get as () => SessionSnapshot<User>,
    subscribe: snapshot.subscribe,
    login: whenUsable(startLogin),

    async handleRedirectCallback(url) {
      core.assertUsable();
      // The callback `ready` is handling (or handled) is not handled twice.
      if (callback && (url === undefined || url === startUrl)) {
        const outcome = await callback;
        return outcome === 'foreign' ? {} : outcome;
      }
      const href = url ?? env.currentUrl();
      if (href === undefined || (url === undefined && !isCallbackUrl(href, config.redirectUri))) {
        throw new LatchkeyError('invalid_callback', 'No login callback on this page');
      }
      await ready;
      const outcome = await completeCallback(core, href, core.held);
      if (outcome === 'foreign') throw new LatchkeyError('invalid_callback', 'This callback is another session\'s');
      return outcome;
    },

    async getAccessToken({ api } = {}) {
      let target: Target;
      if (api !== undefined) {
        const origin = originOf(api);
        if (!config.apiOrigins.has(origin)) throw new LatchkeyError('origin_not_allowed', `${api} is not in apiOrigins`);
        target = targetOf(origin);
      }
      return tokenOf(await validTokens(target), target)!.accessToken;
    },

    fetch: authorizedFetch,
    logout: whenUsable(endSession),

    dispose() {
      core.disposed = true;
      refresher.stop();
      stopListening();
      stopWaking();
      tabs.close();
      snapshot.clear();
    },
  };
  registerCore(session, core);
  return session;
}

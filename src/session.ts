import * as oauth from 'oauth4webapi';
import { buildAuthorizationRequest, callbackState, isCallbackUrl, validateCallback, withoutCallbackParams, type LoginOptions } from './authorize.js';
import { resolveConfig, type ResolvedConfig, type SessionConfig } from './config.js';
import type { Environment } from './env.js';
import { LatchkeyError, isLatchkeyError, redact } from './errors.js';
import { createAuthorizedFetch, type Credentials } from './fetch.js';
import { discover, type Http, type Server } from './protocol.js';
import { createRefresher } from './lifecycle.js';
import { SnapshotStore, type SessionSnapshot } from './snapshot.js';
import type { TabMessage } from './tabs.js';
import { exchangeCode, refreshTokens, revokeToken } from './tokens.js';
import { createVault, type TokenSet, type Vault } from './vault.js';

/** Options of `session.logout()`. */
export interface LogoutOptions {
  /** Overrides `postLogoutRedirectUri` for this logout (must be registered at the server). */
  returnTo?: string;
  /** Only forget the session here: no redirect to the server's end-session endpoint. */
  localOnly?: boolean;
}

/** A browser OAuth 2.0 / OpenID Connect session. See the contract in the README. */
export interface Session {
  /** Resolves once the session is restored and a pending callback handled. Never rejects. */
  readonly ready: Promise<void>;
  /** The current snapshot; the same object until something changes. */
  getSnapshot(): SessionSnapshot;
  /** Calls `listener` after every change; returns the unsubscribe function. */
  subscribe(listener: () => void): () => void;
  /** Starts a login: sends the window to the authorization server. */
  login(options?: LoginOptions): Promise<void>;
  /** Completes a login from the callback URL (default: the current page URL). */
  handleRedirectCallback(url?: string): Promise<{ returnTo?: string }>;
  /** A valid access token, refreshed first when needed; rejects with `login_required`. */
  getAccessToken(): Promise<string>;
  /** `window.fetch` that authorizes requests to the configured API origins. */
  fetch(input: RequestInfo | URL, init?: RequestInit): Promise<Response>;
  /** Revokes, forgets and (unless `localOnly`) ends the session at the server. */
  logout(options?: LogoutOptions): Promise<void>;
  /** Stops timers and listeners; the session is unusable afterwards. */
  dispose(): void;
}

const noSession = () => new LatchkeyError('login_required', 'There is no session; call login()');

/**
 * Creates a session from a config and an environment of effects (the browser's,
 * or fakes in tests). `createSession` is this with the browser's environment.
 * @internal
 */
export function createSessionWith(input: SessionConfig, env: Environment): Session {
  const config: ResolvedConfig = resolveConfig(input);
  const http: Http = { fetch: env.fetch, allowInsecure: config.allowInsecure, timeoutMs: env.requestTimeoutMs };
  const client: oauth.Client = { client_id: config.clientId };
  const vault: Vault = createVault({ store: env.openStore(config.storageName), crypto: env.crypto, now: env.now });
  const snapshot = new SnapshotStore();

  let tokens: TokenSet | undefined;
  let serverPromise: Promise<Server> | undefined;
  let dpop: { keys: CryptoKeyPair; skew: number; handle: oauth.DPoPHandle } | undefined;
  let disposed = false;
  const tabs = env.openTabs(`latchkey:${config.storageName}:${config.clientId}`);

  function getServer(): Promise<Server> {
    serverPromise ??= discover(config.issuer, http).then(
      (as) => ({ as, client }),
      (error: unknown) => {
        serverPromise = undefined; // a failed discovery is retried next time
        throw error;
      },
    );
    return serverPromise;
  }

  /** The DPoP handle for `keys`; a new one when the server clock estimate moved (proofs carry its `iat`). */
  function dpopHandle(keys: CryptoKeyPair): oauth.DPoPHandle {
    const skew = client[oauth.clockSkew] ?? 0;
    if (dpop?.keys !== keys || dpop.skew !== skew) dpop = { keys, skew, handle: oauth.DPoP(client, keys) };
    return dpop.handle;
  }

  async function storedDpopHandle(): Promise<oauth.DPoPHandle | undefined> {
    const keys = dpop?.keys ?? (await vault.readDpopKeys());
    return keys && dpopHandle(keys);
  }

  function adopt(next: TokenSet | undefined, error: LatchkeyError | null = null): void {
    tokens = next;
    if (next?.serverOffsetSeconds !== undefined) client[oauth.clockSkew] = next.serverOffsetSeconds;
    if (!next) dpop = undefined;
    refresher.schedule(disposed ? undefined : next); // a refresh that lands after dispose() arms nothing
    snapshot.update({
      status: next ? 'authenticated' : 'unauthenticated',
      user: next ? next.claims : null,
      expiresAt: next ? next.expiresAt : null,
      error,
    });
  }

  function assertUsable(): void {
    if (disposed) throw new LatchkeyError('invalid_config', 'This session was disposed; create a new one');
  }

  const refresher = createRefresher({
    leewaySeconds: config.refreshLeewaySeconds,
    now: env.now,
    random: env.random,
    timers: env.timers,
    tabs,
    vault,
    async request(stored) {
      const server = await getServer();
      const handle = stored.tokenType === 'dpop' ? await storedDpopHandle() : undefined;
      return refreshTokens(server, http, stored, handle, config.resource, env.now);
    },
    current: () => tokens,
    adopt: (next) => adopt(next),
    report: (error) => snapshot.update({ error }),
    async end(error) {
      await vault.clear().catch(() => undefined);
      adopt(undefined, error);
    },
  });

  async function restore(): Promise<void> {
    try {
      const { tokens: stored, dpopKeys } = await vault.readSession();
      if (stored?.serverOffsetSeconds !== undefined) client[oauth.clockSkew] = stored.serverOffsetSeconds;
      if (dpopKeys) dpopHandle(dpopKeys);
      if (stored?.tokenType === 'dpop' && !dpopKeys) {
        // A DPoP-bound token without its key is worthless.
        await vault.clear();
        adopt(undefined);
        return;
      }
      adopt(stored);
    } catch (error) {
      adopt(undefined, isLatchkeyError(error) ? error : new LatchkeyError('storage_unavailable', String(error), { cause: redact(error) }));
    }
  }

  async function completeCallback(href: string): Promise<{ returnTo?: string }> {
    const cleanAddressBar = env.currentUrl() === href;
    try {
      const url = new URL(href);
      const state = callbackState(url);
      const server = await getServer();
      const taken = await vault.takeTransaction(state);
      if (taken.status !== 'found') {
        throw new LatchkeyError('invalid_callback', taken.status === 'expired'
          ? 'The login took too long (its transaction expired); log in again'
          : 'No login in progress matches this callback (forged, replayed, or started in another browser)');
      }
      const { transaction } = taken;
      const callbackParameters = validateCallback(server, url, transaction.state);
      const handle = transaction.dpop ? await storedDpopHandle() : undefined;
      if (transaction.dpop && !handle) throw new LatchkeyError('invalid_callback', 'The DPoP key of this login is gone');
      const next = await exchangeCode(server, http, {
        callbackParameters,
        redirectUri: transaction.redirectUri,
        codeVerifier: transaction.codeVerifier,
        nonce: transaction.nonce,
        dpop: handle,
        now: env.now,
      });
      await vault.writeTokens(next);
      adopt(next);
      tabs.announce({ type: 'changed' });
      return transaction.returnTo === undefined ? {} : { returnTo: transaction.returnTo };
    } catch (caught) {
      const error = isLatchkeyError(caught) ? caught : new LatchkeyError('invalid_callback', String(caught), { cause: redact(caught) });
      snapshot.update({ status: tokens ? 'authenticated' : 'unauthenticated', error });
      throw error;
    } finally {
      if (cleanAddressBar) env.replaceUrl(withoutCallbackParams(href));
    }
  }

  const restored = restore();
  const startUrl = env.currentUrl();
  const autoCallback = startUrl !== undefined && isCallbackUrl(startUrl, config.redirectUri)
    ? { href: startUrl, result: restored.then(() => completeCallback(startUrl)) }
    : undefined;
  autoCallback?.result.catch(() => undefined); // reported through the snapshot
  const ready = (autoCallback ? autoCallback.result.then(() => undefined, () => undefined) : restored).then(() => {
    if (snapshot.get().status === 'loading') adopt(undefined);
  });

  /** Another tab changed the vault: take what it holds now. */
  async function onTabMessage(message: TabMessage): Promise<void> {
    await restored;
    if (message.type === 'logout') {
      adopt(undefined);
      return;
    }
    const stored = await vault.readTokens().catch(() => undefined);
    if (stored?.accessToken !== tokens?.accessToken) adopt(stored);
  }
  const stopListening = tabs.listen((message) => void onTabMessage(message));
  const stopWaking = env.onWake((reason) => refresher.wake(reason));

  async function validTokens(): Promise<TokenSet> {
    assertUsable();
    await ready;
    if (!tokens) throw noSession();
    return refresher.fresh(tokens);
  }

  async function credentialsFor(current: TokenSet): Promise<Credentials> {
    const handle = current.tokenType === 'dpop' ? await storedDpopHandle() : undefined;
    if (current.tokenType === 'dpop' && !handle) throw noSession();
    return { accessToken: current.accessToken, dpop: handle };
  }

  const authorizedFetch = createAuthorizedFetch({
    fetch: env.fetch,
    apiOrigins: config.apiOrigins,
    baseUrl: () => env.currentUrl() ?? config.redirectUri.href,
    credentials: async () => credentialsFor(await validTokens()),
    renew: async (rejected) => credentialsFor(await refresher.renew(rejected.accessToken)),
  });

  return {
    ready,
    getSnapshot: () => snapshot.get(),
    subscribe: (listener) => snapshot.subscribe(listener),

    async login(options = {}) {
      assertUsable();
      const server = await getServer();
      const advertised = server.as.dpop_signing_alg_values_supported?.includes('ES256') ?? false;
      let handle: oauth.DPoPHandle | undefined;
      if (config.dpop ?? advertised) {
        handle = dpopHandle(await vault.ensureDpopKeys(() => env.crypto.subtle.generateKey(
          { name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign', 'verify'])));
      }
      const { url, transaction } = await buildAuthorizationRequest(server, http, {
        clientId: config.clientId,
        redirectUri: config.redirectUri.href,
        scope: config.scope,
        resource: config.resource,
        options,
        dpop: handle,
        now: env.now(),
      });
      await vault.saveTransaction(transaction);
      env.navigate(url.href);
    },

    handleRedirectCallback(url) {
      assertUsable();
      // The callback `ready` is already handling (or handled) is not handled twice.
      if (autoCallback && (url === undefined || url === autoCallback.href)) return autoCallback.result;
      const href = url ?? env.currentUrl();
      if (href === undefined) return Promise.reject(new LatchkeyError('invalid_callback', 'No callback URL given'));
      return restored.then(() => completeCallback(href));
    },

    getAccessToken: async () => (await validTokens()).accessToken,

    fetch: (input, init) => authorizedFetch(input, init),

    async logout(options = {}) {
      assertUsable();
      await ready;
      const current = tokens;
      const server = await getServer().catch(() => undefined); // logging out works offline too
      if (server && current?.refreshToken) {
        await revokeToken(server, http, current.refreshToken, 'refresh_token').catch(() => undefined);
      }
      await vault.clear().catch(() => undefined);
      adopt(undefined);
      tabs.announce({ type: 'logout' });
      const endpoint = server?.as.end_session_endpoint;
      if (options.localOnly || !endpoint) return;
      const target = new URL(endpoint);
      target.searchParams.set('client_id', config.clientId);
      if (current?.idToken) target.searchParams.set('id_token_hint', current.idToken);
      const returnTo = options.returnTo ?? config.postLogoutRedirectUri?.href;
      if (returnTo !== undefined) target.searchParams.set('post_logout_redirect_uri', returnTo);
      env.navigate(target.href);
    },

    dispose() {
      disposed = true;
      refresher.stop();
      stopListening();
      stopWaking();
      tabs.close();
      snapshot.clear();
    },
  };
}

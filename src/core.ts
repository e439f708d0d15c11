import * as oauth from 'oauth4webapi';
import { resolveConfig, type ResolvedConfig, type SessionConfig } from './config.js';
import type { Environment } from './env.js';
import { LatchkeyError, isLatchkeyError, redact, type LatchkeyErrorCode } from './errors.js';
import { createEmitter, type Emit } from './events.js';
import type { Held } from './lifecycle.js';
import { discover, type Http, type Server } from './protocol.js';
import { createSnapshotStore, type SnapshotStore } from './snapshot.js';
import { revokeToken } from './tokens.js';
import type { Credentials } from './fetch.js';
import type { TabLink } from './tabs.js';
import { createVault, type Vault } from './vault.js';

/**
 * The internal handle of one session: its config, effects, sealed store, tab
 * link and the state this tab holds. The session, its flows (login, callback,
 * logout) and the optional capabilities reach the core through it alone; it is
 * never exported from the package.
 * @internal
 */
export interface Core {
  readonly config: ResolvedConfig;
  readonly env: Environment;
  readonly http: Http;
  readonly vault: Vault;
  readonly tabs: TabLink;
  readonly snapshot: SnapshotStore;
  readonly emit: Emit;
  getServer(): Promise<Server>;
  /** Revokes `refreshToken` (if any) at the server, best-effort, in the background. */
  revoke(refreshToken: string | undefined): void;
  /**
   * The DPoP handle of `keys` (none without keys): one per session or login
   * (`sessionId`), so learned nonces survive refreshes and clock updates.
   */
  dpop(keys: CryptoKeyPair | undefined, sessionId: string): oauth.DPoPHandle | undefined;
  /** What this tab holds now. */
  held(): Held | undefined;
  /** Changes whenever this tab takes another state: a flow that started earlier must not adopt its result. */
  generation(): number;
  /** Takes `next` as this tab's session and publishes the snapshot. */
  adopt(next: Held | undefined, error?: LatchkeyError | null): void;
  /** Takes what storage holds now. */
  sync(): Promise<void>;
  /** Called with every adopted state (the refresher's schedule). */
  onAdopt: (held: Held | undefined) => void;
  /** What `session.fetch` would send to `origin` (an API origin; default the main token): a token that is not expired, and its DPoP handle. */
  credentials: (origin?: string) => Promise<Credentials>;
  disposed: boolean;
  /** How many times `logout()` ran in this tab: a login completing across one is void. */
  logouts: number;
  /** Throws `invalid_config` once disposed. */
  assertUsable(): void;
}

/** Builds the core of a session from its config and effects. @internal */
export function createCore(input: SessionConfig, env: Environment): Core {
  const config = resolveConfig(input);
  const emit = createEmitter(input.onEvent, env.now);
  const http: Http = { fetch: env.fetch, allowInsecure: config.allowInsecure, timeoutMs: env.requestTimeoutMs, emit };
  const client: oauth.Client = { client_id: config.clientId };
  const issuer = config.issuer.href;
  const vault = createVault({ ...env, store: env.openStore(config.storageName), issuer, clientId: config.clientId }); // and env's crypto and clock
  // Locks and messages are named for the issuer and client: two apps on one origin never share them.
  const tabs = env.openTabs(`latchkey:${config.storageName}:${JSON.stringify([issuer, config.clientId])}`);
  const snapshot = createSnapshotStore();
  let serverPromise: Promise<Server> | undefined;
  /** The DPoP handle of the latest session (or login) asked for, and its id. */
  let dpopHandle: oauth.DPoPHandle | undefined;
  let dpopSessionId: string | undefined;
  let held: Held | undefined;
  let generation = 0;

  const core: Core = {
    config,
    env,
    http,
    vault,
    tabs,
    snapshot,
    emit,
    getServer() {
      serverPromise ??= discover(config.issuer, http).then(
        (as) => ({ as, client, issuer }),
        (error: unknown) => {
          serverPromise = undefined; // a failed discovery is retried next time
          throw error;
        },
      );
      return serverPromise;
    },
    revoke(refreshToken) {
      if (refreshToken) void core.getServer().then((server) => revokeToken(server, http, refreshToken, 'refresh_token')).catch(() => undefined);
    },
    dpop(keys, sessionId) {
      if (!keys) return undefined;
      if (dpopSessionId !== sessionId) {
        // The proof's `iat` is read from the clock estimate at signing time, so a
        // new estimate never needs a new handle (which would forget the nonces).
        dpopHandle = oauth.DPoP(client, keys, {
          [oauth.modifyAssertion]: (_header, payload) => {
            payload.iat = Math.floor(Date.now() / 1000) + (client[oauth.clockSkew] ?? 0);
          },
        });
        dpopSessionId = sessionId;
      }
      return dpopHandle;
    },
    held: () => held,
    generation: () => generation,
    adopt(next, error = null) {
      generation += 1;
      held = next;
      if (next?.tokens.serverOffsetSeconds !== undefined) client[oauth.clockSkew] = next.tokens.serverOffsetSeconds;
      core.onAdopt(core.disposed ? undefined : next);
      snapshot.update({
        status: next ? 'authenticated' : 'unauthenticated',
        user: next ? next.tokens.claims : null,
        expiresAt: next ? next.tokens.expiresAt : null,
        error,
      });
    },
    async sync() {
      for (let attempt = 0; attempt < 3; attempt++) {
        const before = generation;
        const stored = await vault.readSession();
        if (generation !== before) continue; // this tab moved meanwhile: read again
        if (stored?.version === held?.version && stored?.tokens.sessionId === held?.tokens.sessionId) return;
        core.adopt(usable(stored));
        return;
      }
    },
    onAdopt: () => undefined,
    credentials: () => Promise.reject(noSession()),
    disposed: false,
    logouts: 0,
    assertUsable() {
      if (core.disposed) throw new LatchkeyError('invalid_config', 'Session disposed; create a new one');
    },
  };
  return core;
}

/** `held`, unless it is a DPoP-bound token set without its key (worthless). @internal */
export function usable(held: Held | undefined): Held | undefined {
  return held && (held.tokens.tokenType !== 'dpop' || held.keys) ? held : undefined;
}

/** `error` itself if it is a LatchkeyError, else a `code` one keeping a redacted copy as its cause. @internal */
export const asLatchkeyError = (code: LatchkeyErrorCode, error: unknown): LatchkeyError =>
  isLatchkeyError(error) ? error : new LatchkeyError(code, String(error), { cause: redact(error) });

/** `login_required`: this tab holds no session. @internal */
export const noSession = (): LatchkeyError => new LatchkeyError('login_required', 'No session; call login()');

import { LatchkeyError, isLatchkeyError, redact } from './errors.js';
import type { Emit } from './events.js';
import { backoffDelay, isRefreshDue, isTokenUsable, refreshAt, usableUntil, withinBudget } from './refresh.js';
import type { TabLink } from './tabs.js';
import type { TokenSet, Vault } from './vault.js';

/** Timers, as the session is handed them. @internal */
export interface Timers {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/**
 * The session a tab holds: tokens, their DPoP keys, and the stored version
 * they are (undefined: held in memory only, because storing them failed).
 * @internal
 */
export interface Held {
  version: string | undefined;
  tokens: TokenSet;
  keys: CryptoKeyPair | undefined;
}

/** What the refresher needs; every effect comes in here. @internal */
export interface RefresherDeps {
  leewaySeconds: number;
  now: () => number;
  random: () => number;
  timers: Timers;
  tabs: TabLink;
  vault: Pick<Vault, 'readSession' | 'writeSession'>;
  /** The refresh-token grant itself (one network request), for the main token or an API's own (`target`: its origin). */
  request: (from: Held, target: Target) => Promise<TokenSet>;
  /** Revokes a refresh token nobody will use (best-effort, never throws). */
  revoke: (refreshToken: string) => void;
  /** A number that changes whenever this tab takes another session state. */
  generation: () => number;
  /** What this tab holds. */
  current: () => Held | undefined;
  /** Takes `held` as the session's (and clears the snapshot's error). */
  adopt: (held: Held) => void;
  /** Takes what storage holds now (another writer changed it). */
  sync: () => Promise<void>;
  /** Shows a transient fault in the snapshot without ending the session. */
  report: (error: LatchkeyError) => void;
  /** Ends the session `from` (stored only if still that version) in this tab and tells the others. */
  end: (error: LatchkeyError, from: Held | undefined) => Promise<void>;
  emit: Emit;
}

/** Which token: the session's main one (undefined), or the origin of an API with its own. @internal */
export type Target = string | undefined;

/** The access token of `target` in `tokens` (the main one, or an API's own). @internal */
export function tokenOf(tokens: TokenSet, target: Target): Pick<TokenSet, 'accessToken' | 'tokenType' | 'expiresAt' | 'receivedAt'> | undefined {
  return target === undefined ? tokens : tokens.apis?.[target];
}

/** The token lifecycle of one tab. @internal */
export interface Refresher {
  /** Arms the timer for `held` (or disarms it for none). */
  schedule(held: Held | undefined): void;
  /** `held`'s tokens if `target`'s token needs nothing yet, else after getting it (a usable token survives a failed refresh). */
  fresh(held: Held, target?: Target): Promise<TokenSet>;
  /** Refreshes because an API rejected `rejectedToken`; shares any refresh in flight. */
  renew(rejectedToken: string, target?: Target): Promise<TokenSet>;
  /** A wake-up (visible, pageshow, online, focus): refresh now if due, or retry a failed one. */
  wake(reason: string): void;
  /** Another tab spent the refresh token of stored `version` and could not store its successor yet. */
  markSpent(version: string): void;
  /** Disarms the timer for good: nothing is scheduled, reported or adopted afterwards. */
  stop(): void;
}

/** What a refresh under the lock came to: the session to hold, and whether a request went out; undefined when storage changed meanwhile. */
type Outcome = [held: Held, requested: boolean] | undefined;

const MAX_TIMER_MS = 2 ** 31 - 1;
const noop = () => undefined;

/**
 * Creates the refresher. The ordering rule every writer follows: a write is a
 * compare-and-swap on the stored session's version (one IndexedDB readwrite
 * transaction, serialized across tabs), so a refresh that started from a
 * session that has since ended or changed stores nothing, adopts nothing, and
 * revokes the refresh token it brought. Token requests run one at a time
 * across tabs (the lock, inside which storage is re-read: if another tab
 * already refreshed, its tokens are taken with no request). A refresh token
 * whose successor arrived is never sent again: when storing the successor
 * fails, it is kept in memory and stored at the next chance, and other tabs
 * are told not to use the spent one. Transient faults back off with jitter; a
 * storm guard caps requests; timers only wake the clock-based check.
 * @internal
 */
export function createRefresher(deps: RefresherDeps): Refresher {
  const inFlight = new Map<string, Promise<TokenSet>>();
  let timer: unknown;
  let stopped = false;
  let failures = 0;
  /** While backing off: when the next attempt may go out, and why the last one failed. */
  let retryAt = 0;
  let lastError: LatchkeyError | undefined;
  const recent: number[] = [];
  /** A successor that could not be stored, and the stored version whose refresh token it replaced. */
  let unsaved: Held | undefined;
  let unsavedBase: string | undefined;
  /** Stored versions whose refresh token was spent, the successor not stored (by any tab). */
  const spent = new Set<string>();

  /**
   * Whether `target`'s token must be (re)obtained now. The main token without a
   * refresh token: nothing to do until it is unusable (then the session ends). An
   * API's token: when it is missing, unusable, or due.
   */
  function needsRefresh(tokens: TokenSet, time: number, target?: Target): boolean {
    const token = tokenOf(tokens, target);
    if (!token || !isTokenUsable(token, time)) return true;
    return tokens.refreshToken !== undefined && isRefreshDue(token, deps.leewaySeconds, time);
  }

  /** The targets whose tokens are held: the main one, and each API's that was obtained. */
  const targets = (tokens: TokenSet): Target[] => [undefined, ...Object.keys(tokens.apis ?? {})];

  /** When the next token of `tokens` is due. */
  function nextMoment(tokens: TokenSet): number | null {
    if (tokens.refreshToken === undefined) return usableUntil(tokens);
    const moments = targets(tokens).map((target) => refreshAt(tokenOf(tokens, target)!, deps.leewaySeconds)).filter((at): at is number => at !== null);
    return moments.length ? Math.min(...moments) : null;
  }

  function disarm(): void {
    if (timer !== undefined) deps.timers.clearTimeout(timer);
    timer = undefined;
  }

  function schedule(held: Held | undefined): void {
    disarm();
    if (stopped || !held) return;
    const at = failures > 0 ? retryAt : nextMoment(held.tokens);
    if (at === null) return;
    timer = deps.timers.setTimeout(() => {
      timer = undefined;
      const latest = deps.current();
      if (!latest) return;
      const due = targets(latest.tokens).filter((target) => needsRefresh(latest.tokens, deps.now(), target));
      if (failures > 0 && !due.includes(undefined)) due.unshift(undefined);
      if (due.length === 0) return schedule(latest);
      // One after another (each takes the lock): the main token first.
      void due.reduce<Promise<unknown>>((chain, target) => chain.then(() => refresh(undefined, target)).catch(noop), Promise.resolve());
    }, Math.min(MAX_TIMER_MS, Math.max(0, at - deps.now())));
  }

  /** Under the lock: decide, request, and store with compare-and-swap. */
  async function exchange(rejectedToken: string | undefined, target: Target): Promise<Outcome> {
    const stored = await deps.vault.readSession();
    let from: Held | undefined = stored;
    let base = stored?.version;
    if (unsaved) {
      if (stored && unsavedBase === stored.version) {
        // The stored refresh token is spent: go on from its successor, and try to store that first.
        from = unsaved;
        const version = await deps.vault.writeSession(from.tokens, from.keys, unsavedBase).catch(noop);
        if (version !== undefined) {
          from = { ...from, version };
          base = version;
          unsaved = undefined;
        }
      } else {
        // The session ended or changed while the successor waited: nobody will use it.
        if (unsaved.tokens.refreshToken) deps.revoke(unsaved.tokens.refreshToken);
        unsaved = undefined;
      }
    }
    if (!from || base === undefined) throw new LatchkeyError('login_required', 'The session has ended');
    if (from === stored && spent.has(base)) {
      throw new LatchkeyError('network', 'Waiting for another tab to store its new tokens');
    }
    const time = deps.now();
    const needed = rejectedToken !== undefined
      ? tokenOf(from.tokens, target)?.accessToken === rejectedToken
      : needsRefresh(from.tokens, time, target);
    if (!needed) return [from, false];
    if (!withinBudget(recent, time)) {
      throw new LatchkeyError('server_error', 'Paused: too many refreshes in a minute (tokens that expire at once?)');
    }
    // One at a time, so the oldest beyond 50 (more than the budget counts) goes.
    if (recent.push(time) > 50) recent.shift();
    const next = await deps.request(from, target);
    const held: Held = { version: undefined, tokens: next, keys: from.keys };
    try {
      held.version = await deps.vault.writeSession(next, from.keys, base);
    } catch {
      unsaved = held;
      unsavedBase = base;
      deps.tabs.announce({ type: 'spent', version: base });
      return [held, true];
    }
    if (held.version === undefined) {
      // Logged out, or logged in as someone else, while the request was out.
      if (next.refreshToken !== undefined && next.refreshToken !== from.tokens.refreshToken) deps.revoke(next.refreshToken);
      return undefined;
    }
    return [held, true];
  }

  async function run(rejectedToken: string | undefined, target: Target): Promise<TokenSet> {
    const startedAt = deps.generation();
    const startedFrom = deps.current();
    try {
      const [held, requested] = (await deps.tabs.withLock(() => exchange(rejectedToken, target))) ?? [];
      if (stopped) throw new LatchkeyError('invalid_config', 'This session was disposed');
      failures = 0;
      lastError = undefined;
      if (held && deps.generation() === startedAt) {
        deps.adopt(held);
        if (requested) {
          deps.tabs.announce({ type: 'changed' });
          deps.emit('refreshed', target === undefined ? {} : { reason: target });
        }
        return held.tokens;
      }
      // This tab took another state meanwhile (logout, login, a tab's news): storage is the truth.
      if (requested) deps.tabs.announce({ type: 'changed' });
      await deps.sync();
      const latest = deps.current();
      if (!latest) throw new LatchkeyError('login_required', 'The session has ended');
      return latest.tokens;
    } catch (caught) {
      const error = isLatchkeyError(caught) ? caught : new LatchkeyError('network', 'The token refresh failed', { cause: redact(caught) });
      if (stopped) throw error;
      if (error.code === 'login_required') {
        await deps.end(error, startedFrom);
      } else if (target !== undefined) {
        // An API's own token could not be had: that API's calls fail; the session is not in question.
        deps.emit('refresh_failed', { code: error.code, reason: target });
      } else {
        failures += 1;
        lastError = error;
        retryAt = deps.now() + backoffDelay(failures, deps.random());
        deps.report(error);
        deps.emit('refresh_failed', { code: error.code });
        schedule(deps.current());
      }
      throw error;
    }
  }

  function refresh(rejectedToken: string | undefined, target?: Target): Promise<TokenSet> {
    const key = target ?? '';
    let running = inFlight.get(key);
    if (!running) {
      running = run(rejectedToken, target).finally(() => inFlight.delete(key));
      inFlight.set(key, running);
    }
    return running;
  }

  return {
    schedule,
    async fresh(held, target) {
      const time = deps.now();
      if (!needsRefresh(held.tokens, time, target)) return held.tokens;
      const token = tokenOf(held.tokens, target);
      if (target === undefined && lastError && time < retryAt && inFlight.size === 0) {
        // Backing off: callers do not each send a request; they get the token while
        // it lasts, else the fault. The timer (or `online`) makes the next attempt.
        if (isTokenUsable(held.tokens, time)) return held.tokens;
        throw lastError;
      }
      let tokens: TokenSet;
      try {
        tokens = await refresh(undefined, target);
      } catch (error) {
        if (isLatchkeyError(error, 'login_required') || !token || !isTokenUsable(token, deps.now())) throw error;
        return held.tokens;
      }
      const got = tokenOf(tokens, target);
      if (!got || !isTokenUsable(got, deps.now())) {
        throw new LatchkeyError('server_error', 'The new access token is already expired (expires_in 0?)');
      }
      return tokens;
    },
    renew: refresh,
    wake(reason) {
      const held = deps.current();
      if (!held || stopped) return;
      if (needsRefresh(held.tokens, deps.now()) || (failures > 0 && reason === 'online')) {
        void refresh(undefined).catch(noop);
      } else {
        // Re-arm: a timer may have been throttled or frozen; an API's token that is due is taken at once.
        schedule(held);
      }
    },
    markSpent(version) {
      spent.add(version);
    },
    stop() {
      stopped = true;
      disarm();
    },
  };
}

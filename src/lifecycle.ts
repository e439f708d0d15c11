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

/** The access token of `target` in `tokens`, as far as the schedule is concerned. @internal */
export function tokenOf(tokens: TokenSet, target: Target): Pick<TokenSet, 'accessToken' | 'expiresAt' | 'receivedAt'> | undefined {
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

type Outcome = { kind: 'held'; held: Held; requested: boolean } | { kind: 'changed' };

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
  let unsaved: { base: string; held: Held } | undefined;
  /** Stored versions whose refresh token was spent, the successor not stored (by any tab). */
  const spent = new Set<string>();

  /**
   * Whether `target`'s token must be (re)obtained now. The main token without a
   * refresh token: nothing to do until it is unusable (then the session ends). An
   * API's token: when it is missing, unusable, or due.
   */
  function needsRefresh(tokens: TokenSet, now: number, target: Target = undefined): boolean {
    const token = tokenOf(tokens, target);
    if (!token) return true;
    if (!isTokenUsable(token, now)) return true;
    return tokens.refreshToken !== undefined && isRefreshDue(token, deps.leewaySeconds, now);
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
    const now = deps.now();
    const tokens = held.tokens;
    const at = failures > 0 ? retryAt : nextMoment(tokens);
    if (at === null) return;
    const delay = Math.min(MAX_TIMER_MS, Math.max(0, at - now));
    timer = deps.timers.setTimeout(() => {
      timer = undefined;
      const current = deps.current();
      if (!current) return;
      const due = targets(current.tokens).filter((target) => needsRefresh(current.tokens, deps.now(), target));
      if (failures > 0 && !due.includes(undefined)) due.unshift(undefined);
      if (due.length === 0) return schedule(current);
      // One after another (each takes the lock): the main token first.
      void due.reduce<Promise<unknown>>((chain, target) => chain.then(() => refresh(undefined, target)).catch(noop), Promise.resolve());
    }, delay);
  }

  /** Under the lock: decide, request, and store with compare-and-swap. */
  async function exchange(rejectedToken: string | undefined, target: Target): Promise<Outcome> {
    const stored = await deps.vault.readSession();
    let from: Held | undefined = stored;
    let base = stored?.version;
    if (unsaved) {
      if (stored && unsaved.base === stored.version) {
        // The stored refresh token is spent: go on from its successor, and try to store that first.
        from = unsaved.held;
        const version = await deps.vault.writeSession(from.tokens, from.keys, unsaved.base).catch(() => undefined);
        if (version !== undefined) {
          from = { ...from, version };
          base = version;
          unsaved = undefined;
        }
      } else {
        // The session ended or changed while the successor waited: nobody will use it.
        if (unsaved.held.tokens.refreshToken) deps.revoke(unsaved.held.tokens.refreshToken);
        unsaved = undefined;
      }
    }
    if (!from || base === undefined) throw new LatchkeyError('login_required', 'The session ended (logged out in another tab)');
    if (from === stored && spent.has(base)) {
      throw new LatchkeyError('network', 'Another tab refreshed and could not store the new tokens yet; waiting for it');
    }
    const now = deps.now();
    const needed = rejectedToken !== undefined
      ? tokenOf(from.tokens, target)?.accessToken === rejectedToken
      : needsRefresh(from.tokens, now, target);
    if (!needed) return { kind: 'held', held: from, requested: false };
    if (!withinBudget(recent, now)) {
      throw new LatchkeyError('server_error',
        'latchkey paused refreshing: too many refreshes in the last minute (the server issues tokens that expire almost at once)');
    }
    recent.push(now);
    if (recent.length > 50) recent.splice(0, recent.length - 50);
    const next = await deps.request(from, target);
    const written = await deps.vault.writeSession(next, from.keys, base).then((version) => version ?? ('changed' as const), () => 'failed' as const);
    if (written === 'changed') {
      // Logged out, or logged in as someone else, while the request was out.
      if (next.refreshToken !== undefined && next.refreshToken !== from.tokens.refreshToken) deps.revoke(next.refreshToken);
      return { kind: 'changed' };
    }
    if (written === 'failed') {
      unsaved = { base, held: { version: undefined, tokens: next, keys: from.keys } };
      deps.tabs.announce({ type: 'spent', version: base });
      return { kind: 'held', held: unsaved.held, requested: true };
    }
    return { kind: 'held', held: { version: written, tokens: next, keys: from.keys }, requested: true };
  }

  async function run(rejectedToken: string | undefined, target: Target): Promise<TokenSet> {
    const generation = deps.generation();
    const startedFrom = deps.current();
    try {
      const outcome = await deps.tabs.withLock(() => exchange(rejectedToken, target));
      if (stopped) throw new LatchkeyError('invalid_config', 'This session was disposed');
      failures = 0;
      lastError = undefined;
      if (outcome.kind === 'held' && deps.generation() === generation) {
        deps.adopt(outcome.held);
        if (outcome.requested) {
          deps.tabs.announce({ type: 'changed' });
          deps.emit('refreshed', target === undefined ? {} : { reason: target });
        }
        return outcome.held.tokens;
      }
      // This tab took another state meanwhile (logout, login, a tab's news): storage is the truth.
      if (outcome.kind === 'held' && outcome.requested) deps.tabs.announce({ type: 'changed' });
      await deps.sync();
      const now = deps.current();
      if (!now) throw new LatchkeyError('login_required', 'The session ended while it was being refreshed');
      return now.tokens;
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

  function refresh(rejectedToken: string | undefined, target: Target = undefined): Promise<TokenSet> {
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
    async fresh(held, target = undefined) {
      const now = deps.now();
      if (!needsRefresh(held.tokens, now, target)) return held.tokens;
      const current = tokenOf(held.tokens, target);
      if (target === undefined && lastError && now < retryAt && inFlight.size === 0) {
        // Backing off: callers do not each send a request; they get the token while
        // it lasts, else the fault. The timer (or `online`) makes the next attempt.
        if (isTokenUsable(held.tokens, now)) return held.tokens;
        throw lastError;
      }
      let tokens: TokenSet;
      try {
        tokens = await refresh(undefined, target);
      } catch (error) {
        if (isLatchkeyError(error, 'login_required') || !current || !isTokenUsable(current, deps.now())) throw error;
        return held.tokens;
      }
      const got = tokenOf(tokens, target);
      if (!got || !isTokenUsable(got, deps.now())) {
        throw new LatchkeyError('server_error', 'The server issued an access token that has already expired (expires_in 0?)');
      }
      return tokens;
    },
    renew: (rejectedToken, target = undefined) => refresh(rejectedToken, target),
    wake(reason) {
      const current = deps.current();
      if (!current || stopped) return;
      if (needsRefresh(current.tokens, deps.now()) || (failures > 0 && reason === 'online')) {
        void refresh(undefined).catch(noop);
      } else if (targets(current.tokens).some((target) => needsRefresh(current.tokens, deps.now(), target))) {
        schedule(current); // an API's token is due: the timer callback takes it at once
      } else {
        schedule(current); // re-arm: a timer may have been throttled or frozen
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

import { LatchkeyError, isLatchkeyError, redact } from './errors.js';
import { backoffDelay, isRefreshDue, isTokenUsable, refreshAt, withinBudget } from './refresh.js';
import type { TabLink } from './tabs.js';
import type { TokenSet, Vault } from './vault.js';

/** Timers, as the session is handed them. @internal */
export interface Timers {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** What the refresher needs; every effect comes in here. @internal */
export interface RefresherDeps {
  leewaySeconds: number;
  now: () => number;
  random: () => number;
  timers: Timers;
  tabs: TabLink;
  vault: Pick<Vault, 'readTokens' | 'writeTokens'>;
  /** The refresh-token grant itself (one network request). */
  request: (stored: TokenSet) => Promise<TokenSet>;
  /** The tokens this tab holds. */
  current: () => TokenSet | undefined;
  /** Takes `tokens` as the session's (and clears the snapshot's error). */
  adopt: (tokens: TokenSet) => void;
  /** Shows a transient fault in the snapshot without ending the session. */
  report: (error: LatchkeyError) => void;
  /** Ends the session in this tab (vault cleared, snapshot unauthenticated). */
  end: (error: LatchkeyError) => Promise<void>;
}

/** The token lifecycle of one tab. @internal */
export interface Refresher {
  /** Arms the timer for `tokens` (or disarms it for none). */
  schedule(tokens: TokenSet | undefined): void;
  /** `tokens` if they need no refresh yet, else refreshed ones (a usable token survives a failed refresh). */
  fresh(tokens: TokenSet): Promise<TokenSet>;
  /** Refreshes because an API rejected `rejectedToken`; shares any refresh in flight. */
  renew(rejectedToken: string): Promise<TokenSet>;
  /** A wake-up (visible, pageshow, online, focus): refresh now if due, or retry a failed one. */
  wake(reason: string): void;
  /** Disarms the timer. */
  stop(): void;
}

const MAX_TIMER_MS = 2 ** 31 - 1;
const noop = () => undefined;

/**
 * Creates the refresher: one refresh in flight per tab, one across tabs (the
 * lock, inside which the vault is re-read: if another tab already refreshed,
 * its tokens are taken with no request), capped exponential backoff with jitter
 * after transient faults, a storm guard, and timers that only wake the
 * clock-based check.
 * @internal
 */
export function createRefresher(deps: RefresherDeps): Refresher {
  let inFlight: Promise<TokenSet> | undefined;
  let timer: unknown;
  let failures = 0;
  /** While backing off: when the next attempt may go out, and why the last one failed. */
  let retryAt = 0;
  let lastError: LatchkeyError | undefined;
  const recent: number[] = [];

  const needsRefresh = (tokens: TokenSet, now: number) =>
    isRefreshDue(tokens, deps.leewaySeconds, now) || !isTokenUsable(tokens, now);

  function stop(): void {
    if (timer !== undefined) deps.timers.clearTimeout(timer);
    timer = undefined;
  }

  function schedule(tokens: TokenSet | undefined): void {
    stop();
    if (!tokens) return;
    const now = deps.now();
    const at = failures > 0 ? retryAt : refreshAt(tokens, deps.leewaySeconds);
    if (at === null) return;
    const delay = Math.min(MAX_TIMER_MS, Math.max(0, at - now));
    timer = deps.timers.setTimeout(() => {
      timer = undefined;
      const current = deps.current();
      if (current && (failures > 0 || needsRefresh(current, deps.now()))) void refresh(undefined).catch(noop);
      else schedule(current);
    }, delay);
  }

  async function run(rejectedToken: string | undefined): Promise<TokenSet> {
    try {
      const outcome = await deps.tabs.withLock(async () => {
        const stored = await deps.vault.readTokens();
        if (!stored) throw new LatchkeyError('login_required', 'The session ended (logged out in another tab)');
        const now = deps.now();
        const needed = rejectedToken !== undefined ? stored.accessToken === rejectedToken : needsRefresh(stored, now);
        if (!needed) return { tokens: stored, requested: false };
        if (!withinBudget(recent, now)) {
          throw new LatchkeyError('server_error',
            'latchkey paused refreshing: too many refreshes in the last minute (the server issues tokens that expire almost at once)');
        }
        recent.push(now);
        if (recent.length > 50) recent.splice(0, recent.length - 50);
        const next = await deps.request(stored);
        await deps.vault.writeTokens(next);
        return { tokens: next, requested: true };
      });
      failures = 0;
      lastError = undefined;
      deps.adopt(outcome.tokens);
      if (outcome.requested) deps.tabs.announce({ type: 'changed' });
      return outcome.tokens;
    } catch (caught) {
      const error = isLatchkeyError(caught) ? caught : new LatchkeyError('network', 'The token refresh failed', { cause: redact(caught) });
      if (error.code === 'login_required') {
        await deps.end(error);
        deps.tabs.announce({ type: 'logout' });
      } else {
        failures += 1;
        lastError = error;
        retryAt = deps.now() + backoffDelay(failures, deps.random());
        deps.report(error);
        schedule(deps.current());
      }
      throw error;
    }
  }

  function refresh(rejectedToken: string | undefined): Promise<TokenSet> {
    inFlight ??= run(rejectedToken).finally(() => {
      inFlight = undefined;
    });
    return inFlight;
  }

  return {
    schedule,
    async fresh(tokens) {
      const now = deps.now();
      if (!needsRefresh(tokens, now)) return tokens;
      if (lastError && now < retryAt && !inFlight) {
        // Backing off: callers do not each send a request; they get the token while
        // it lasts, else the fault. The timer (or `online`) makes the next attempt.
        if (isTokenUsable(tokens, now)) return tokens;
        throw lastError;
      }
      try {
        return await refresh(undefined);
      } catch (error) {
        if (isLatchkeyError(error, 'login_required') || !isTokenUsable(tokens, deps.now())) throw error;
        return tokens;
      }
    },
    renew: (rejectedToken) => refresh(rejectedToken),
    wake(reason) {
      const current = deps.current();
      if (!current) return;
      if (needsRefresh(current, deps.now()) || (failures > 0 && reason === 'online')) {
        void refresh(undefined).catch(noop);
      } else {
        schedule(current); // re-arm: a timer may have been throttled or frozen
      }
    },
    stop,
  };
}

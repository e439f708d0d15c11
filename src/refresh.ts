import type { TokenSet } from './vault.js';

/** What the schedule reads of a token. @internal */
export type Timed = Pick<TokenSet, 'expiresAt' | 'receivedAt'>;

/**
 * A token this close to its expiry is not handed out (it could expire in
 * flight): 5 s, or a tenth of a shorter lifetime.
 * @internal
 */
export const EXPIRY_MARGIN_MS = 5_000;

/**
 * Whether the access token can still be sent at `now`. A token without a known
 * expiry is usable until the API rejects it. Pure.
 * @internal
 */
export function isTokenUsable(tokens: Timed, now: number): boolean {
  const until = usableUntil(tokens);
  return until === null || now < until;
}

/**
 * Until when (epoch ms) the access token may be sent: its expiry less the
 * margin; null when the expiry is unknown. Pure.
 * @internal
 */
export function usableUntil({ expiresAt, receivedAt }: Timed): number | null {
  return expiresAt === null ? null : expiresAt - Math.min(EXPIRY_MARGIN_MS, Math.max(0, expiresAt - receivedAt) / 10);
}

/**
 * When the access token should be refreshed, epoch ms: the later of
 * `expiresAt − leeway` and 75 % of the lifetime (counted from local receipt, so
 * server clock skew does not matter), and so never after `expiresAt`. `null` for
 * a token without `expires_in`: it is refreshed when an API answers
 * `invalid_token`. Pure.
 * @internal
 */
export function refreshAt({ expiresAt, receivedAt }: Timed, leewaySeconds: number): number | null {
  return expiresAt === null ? null : Math.max(expiresAt - leewaySeconds * 1000, receivedAt + Math.max(0, expiresAt - receivedAt) * 0.75);
}

/** Whether a refresh is due at `now` (see {@link refreshAt}). Pure. @internal */
export function isRefreshDue(tokens: Timed, leewaySeconds: number, now: number): boolean {
  const at = refreshAt(tokens, leewaySeconds);
  return at !== null && now >= at;
}

/** Backoff after failed refreshes: first delay, cap. @internal */
export const BACKOFF = { baseMs: 1_000, capMs: 30_000 };

/**
 * The wait before retry number `attempt` (1-based) after a transient failure:
 * capped exponential with "equal jitter" (half fixed, half random). Pure given
 * `random` in [0, 1).
 * @internal
 */
export function backoffDelay(attempt: number, random: number): number {
  const half = Math.min(BACKOFF.capMs, BACKOFF.baseMs * 2 ** Math.max(0, attempt - 1)) / 2;
  return Math.round(half + half * random);
}

/** The storm guard: at most this many refresh requests per window. @internal */
export const REFRESH_BUDGET = { limit: 20, windowMs: 60_000 };

/**
 * Whether one more refresh request fits the budget, given the times of the
 * recent ones. Whatever the server answers (tiny `expires_in`, tokens that come
 * back expired), latchkey never sends more than `limit` per `windowMs`. Pure.
 * @internal
 */
export function withinBudget(recent: readonly number[], now: number): boolean {
  return recent.filter((at) => now - at < REFRESH_BUDGET.windowMs).length < REFRESH_BUDGET.limit;
}

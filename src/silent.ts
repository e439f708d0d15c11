import type { Core } from './core.js';
import type { HiddenFrame } from './env.js';
import { LatchkeyError, isLatchkeyError } from './errors.js';
import { capabilityCore } from './internal.js';
import { adoptLogin, failureSignal, loginElsewhere } from './outcome.js';
import { refreshAt, usableUntil } from './refresh.js';
import type { Session } from './session.js';
import type { TokenSet } from './vault.js';

/** Options of {@link checkSession}. */
export interface CheckSessionOptions {
  /** How long to wait for the server's answer, in seconds. Default 10. */
  timeoutSeconds?: number;
}

/** What a `prompt=none` login answers when the user has no usable session at the server. @internal */
export const NO_SERVER_SESSION: ReadonlySet<string> = new Set([
  'login_required',
  'consent_required',
  'interaction_required',
  'account_selection_required',
]);

/** A hidden, zero-size iframe (styled through the CSSOM, which a strict `style-src` allows). */
function browserFrame(): HiddenFrame {
  const frame = document.createElement('iframe');
  frame.title = 'latchkey session check';
  frame.tabIndex = -1;
  frame.setAttribute('aria-hidden', 'true');
  Object.assign(frame.style, { position: 'absolute', width: '0', height: '0', border: '0', visibility: 'hidden' });
  (document.body ?? document.documentElement).appendChild(frame);
  return {
    navigate: (href) => {
      frame.src = href;
    },
    remove: () => frame.remove(),
  };
}

/** The check itself, on a core the caller already has. */
async function check(core: Core, timeoutSeconds: number): Promise<boolean> {
  const { timers } = core.env;
  const { failed, fail } = failureSignal();
  const frame = (core.env.createFrame ?? browserFrame)();
  const deadline = timers.setTimeout(
    () => fail(new LatchkeyError('timeout',
      `The authorization server did not answer within ${timeoutSeconds} s (it refuses to be framed, or the browser blocks its cookies in a frame)`)),
    timeoutSeconds * 1000,
  );
  let over = false;
  try {
    const go = (href: string) => {
      if (!over) frame.navigate(href); // never after a timeout: the frame is gone
    };
    const outcome = await loginElsewhere(core, { prompt: 'none' }, go, failed);
    if (!outcome.ok) {
      if (outcome.error.code === 'authorization_error' && NO_SERVER_SESSION.has(outcome.error.serverError ?? '')) return false;
      throw outcome.error;
    }
    await adoptLogin(core);
    return true;
  } finally {
    over = true;
    timers.clearTimeout(deadline);
    frame.remove();
  }
}

/**
 * Asks the authorization server, with no visible navigation, whether the user
 * already has a session there: a `prompt=none` login in a hidden iframe on
 * `redirectUri`, completed there by your app's page (its own `createSession`),
 * whose outcome reaches this tab over the session's tab channel (never a token).
 *
 * Needs the server's session cookie to reach a frame: the server on the same
 * site as the app, or third-party cookies allowed (see the README). The
 * `redirectUri` page must allow being framed by its own origin
 * (`frame-ancestors 'self'`) and must not start a login by itself.
 *
 * @example
 * ```ts
 * await session.ready;
 * if (session.getSnapshot().status === 'unauthenticated' && !(await checkSession(session))) showLoginButton();
 * ```
 * @returns `true` once the session is `authenticated` in this tab; `false` when
 * the server answered `login_required`, `consent_required`,
 * `interaction_required` or `account_selection_required` (the snapshot's
 * `error` is left as it was).
 * @throws LatchkeyError `timeout` (no answer: the server refused the frame, or
 * its cookies were blocked), the callback's other errors
 * (`authorization_error`, `invalid_callback`), `unsupported_environment` outside
 * a browser.
 */
export async function checkSession<User extends { sub: string }>(session: Session<User>, options: CheckSessionOptions = {}): Promise<boolean> {
  const core = capabilityCore(session, 'checkSession()');
  return check(core, options.timeoutSeconds ?? 10);
}

/** After a failed renewal (no answer), the next try comes this much later, ms. @internal */
export const SILENT_RETRY_MS = 15_000;
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * For a session whose server issues no refresh token: renews the access token
 * through {@link checkSession} before it expires (at the later of 75 % of its
 * lifetime and `expiresAt − refreshLeewaySeconds`, as refreshes are timed)
 * instead of letting the session end at expiry. Across tabs one renews at a
 * time (the session's token lock; the others take the result from storage).
 * Does nothing for a session that holds a refresh token; when the server says
 * the user has no session any more, the session ends at expiry as usual.
 *
 * @example
 * ```ts
 * const stop = enableSilentRenew(session);
 * // later: stop();
 * ```
 * @returns the function that turns silent renewal off.
 * @throws LatchkeyError `unsupported_environment` outside a browser,
 * `invalid_config` for a disposed session or one not made by `createSession`.
 */
export function enableSilentRenew<User extends { sub: string }>(session: Session<User>): () => void {
  // Server-side rendering: nothing to renew, and a call at module scope must not crash the render.
  if (typeof window === 'undefined' || typeof document === 'undefined') return () => undefined;
  const core = capabilityCore(session, 'enableSilentRenew()');
  const { timers, now } = core.env;
  let timer: unknown;
  let stopped = false;
  let running = false;
  /** A token the server refused to renew (no session there): not tried again. */
  let refused: string | undefined;
  /** After a failure, no try before this (epoch ms). */
  let retryAt = 0;

  const renewable = (tokens: TokenSet | undefined): tokens is TokenSet =>
    tokens !== undefined && tokens.refreshToken === undefined && tokens.expiresAt !== null && tokens.accessToken !== refused;
  const dueAt = (tokens: TokenSet) => Math.max(refreshAt(tokens, core.config.refreshLeewaySeconds) ?? Infinity, retryAt);

  function plan(): void {
    if (timer !== undefined) timers.clearTimeout(timer);
    timer = undefined;
    if (core.disposed && !stopped) return off(); // the session was disposed: let go of its listeners too
    const tokens = core.held()?.tokens;
    if (stopped || running || !renewable(tokens)) return;
    const at = dueAt(tokens);
    if (at >= (usableUntil(tokens) ?? Infinity)) return; // no time left to try: it ends at expiry
    timer = timers.setTimeout(() => {
      timer = undefined;
      void renew();
    }, Math.min(MAX_TIMER_MS, Math.max(0, at - now())));
  }

  async function renew(): Promise<void> {
    const tokens = core.held()?.tokens;
    if (stopped || running || core.disposed || !renewable(tokens) || now() < dueAt(tokens)) return plan();
    running = true;
    try {
      // One tab at a time; once the lock is ours, another tab may already have renewed.
      const renewed = await core.tabs.withLock(async () => {
        await core.sync();
        const current = core.held()?.tokens;
        if (stopped || !renewable(current) || now() < dueAt(current)) return undefined;
        if (!(await check(core, 10))) {
          refused = current.accessToken;
          return false;
        }
        return true;
      });
      retryAt = 0;
      if (renewed === true) core.emit('refreshed', { reason: 'silent' });
      if (renewed === false) core.emit('refresh_failed', { reason: 'silent', code: 'login_required' });
    } catch (error) {
      retryAt = now() + SILENT_RETRY_MS;
      core.emit('refresh_failed', { reason: 'silent', code: isLatchkeyError(error) ? error.code : 'network' });
    } finally {
      running = false;
      plan();
    }
  }

  const unsubscribe = core.snapshot.subscribe(plan);
  const stopWaking = core.env.onWake(() => void renew());
  function off(): void {
    stopped = true;
    unsubscribe();
    stopWaking();
    if (timer !== undefined) timers.clearTimeout(timer);
    timer = undefined;
  }
  plan();
  return off;
}

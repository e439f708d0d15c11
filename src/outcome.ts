import type { LoginOptions } from './authorize.js';
import type { Core } from './core.js';
import { LatchkeyError, type LatchkeyErrorCode } from './errors.js';
import { startLogin } from './login.js';
import type { TabMessage } from './tabs.js';

type CallbackMessage = Extract<TabMessage, { type: 'callback' }>;

/** How a login handled in another window (a popup, a frame) ended. @internal */
export type LoginOutcome = { ok: true } | { ok: false; error: LatchkeyError };

/** Follows the `callback` messages of the session's other windows. */
interface LoginWatch {
  /** Resolves once the callback of login `id` was handled in another window. */
  outcome(id: string): Promise<LoginOutcome>;
  stop(): void;
}

function toOutcome(message: CallbackMessage): LoginOutcome {
  if (message.ok) return { ok: true };
  const code = (typeof message.code === 'string' ? message.code : 'invalid_callback') as LatchkeyErrorCode;
  return {
    ok: false,
    error: new LatchkeyError(code, message.serverError
      ? `The authorization server answered the login with error=${message.serverError}`
      : `The login failed in its window (${code})`, message.serverError ? { serverError: message.serverError } : {}),
  };
}

/** Listens to the callback messages; messages carry no token. */
function watchLogin(core: Core): LoginWatch {
  const seen = new Map<string, CallbackMessage>();
  let waiting: { id: string; resolve: (outcome: LoginOutcome) => void } | undefined;
  const stop = core.tabs.listen((message) => {
    if (message.type !== 'callback') return;
    if (waiting?.id === message.id) waiting.resolve(toOutcome(message));
    else seen.set(message.id, message);
  });
  return {
    outcome(id) {
      const early = seen.get(id);
      if (early) return Promise.resolve(toOutcome(early));
      return new Promise((resolve) => (waiting = { id, resolve }));
    },
    stop,
  };
}

/**
 * Runs a login in another window (a popup, a hidden frame): `go` sends that
 * window to the authorization request, and the outcome comes back over the
 * session's tab channel once that window's page handled the callback.
 * Listening starts before the login does, so an answer that arrives before
 * `startLogin` resolved its id is not missed. `failed` (the window closed, a
 * timeout) ends the wait. On success the caller takes the new session from the
 * sealed vault (`adoptLogin`).
 * @internal
 */
export async function loginElsewhere(core: Core, options: LoginOptions, go: (href: string) => void, failed: Promise<never>): Promise<LoginOutcome> {
  const watch = watchLogin(core);
  try {
    const { id } = await Promise.race([startLogin(core, options, go), failed]);
    return await Promise.race([watch.outcome(id), failed]);
  } finally {
    watch.stop();
  }
}

/**
 * Takes the session another window of this origin just stored: resolves once
 * this tab is `authenticated`, rejects with `login_required` when storage holds
 * no session (logged out meanwhile).
 * @internal
 */
export async function adoptLogin(core: Core): Promise<void> {
  await core.sync();
  if (!core.held()) throw new LatchkeyError('login_required', 'The login completed, but the session ended before this tab could take it');
}

/** A promise that rejects when `fail` is called, never unhandled. @internal */
export function failureSignal(): { failed: Promise<never>; fail: (error: LatchkeyError) => void } {
  let fail!: (error: LatchkeyError) => void;
  const failed = new Promise<never>((_, reject) => (fail = reject));
  failed.catch(() => undefined);
  return { failed, fail };
}

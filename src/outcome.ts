import type { Core } from './core.js';
import { LatchkeyError, type LatchkeyErrorCode } from './errors.js';
import type { TabMessage } from './tabs.js';

type CallbackMessage = Extract<TabMessage, { type: 'callback' }>;

/** How a login handled in another window (a popup, a frame) ended. @internal */
export type LoginOutcome = { ok: true } | { ok: false; error: LatchkeyError };

/** Follows the `callback` messages of the session's other windows. @internal */
export interface LoginWatch {
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

/**
 * Starts listening before the login starts, so that an answer arriving before
 * `startLogin` resolved its id is not missed. Messages carry no token: the
 * caller takes the new session from the sealed vault (`adoptLogin`).
 * @internal
 */
export function watchLogin(core: Core): LoginWatch {
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

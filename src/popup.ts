import type { LoginOptions } from './authorize.js';
import type { PopupWindow } from './env.js';
import { LatchkeyError } from './errors.js';
import { capabilityCore } from './internal.js';
import { adoptLogin, failureSignal, loginElsewhere } from './outcome.js';
import type { Session } from './session.js';

/** Options of {@link loginWithPopup}: those of `login()`, and how long to wait. */
export interface PopupLoginOptions extends LoginOptions {
  /** How long the user has to complete the login, in seconds. Default 300. */
  timeoutSeconds?: number;
}

/** The popup login in progress per session: a newer one (a second click) takes its window over. */
const inProgress = new WeakMap<object, () => void>();

/** How often the popup is checked for having been closed, ms. @internal */
export const POPUP_POLL_MS = 500;
const POPUP_NAME = 'latchkey-login';

/** `window.open` on about:blank (same origin until the login navigates it), centred on this window. */
function browserPopup(name: string, features: string): PopupWindow | null {
  const opened = window.open('', name, features);
  if (!opened) return null;
  return {
    get closed() {
      return opened.closed;
    },
    navigate: (href) => {
      opened.location.href = href;
    },
    close: () => opened.close(),
  };
}

function popupFeatures(): string {
  const width = 500;
  const height = 650;
  const left = typeof window === 'undefined' ? 0 : Math.max(0, window.screenX + (window.outerWidth - width) / 2);
  const top = typeof window === 'undefined' ? 0 : Math.max(0, window.screenY + (window.outerHeight - height) / 2);
  return `popup=yes,width=${width},height=${height},left=${Math.round(left)},top=${Math.round(top)}`;
}

/**
 * Logs in through a popup window; this tab never navigates. The popup is opened
 * synchronously inside the call, so call it straight from a user gesture (a
 * click handler) or the browser blocks it. The popup runs the same login as
 * `session.login()` and lands on `redirectUri`, where your app's page (its own
 * `createSession`) completes the callback; this tab learns the outcome over the
 * session's tab channel (never a token), takes the new session from the sealed
 * store and closes the popup.
 *
 * @example
 * ```ts
 * button.onclick = () => loginWithPopup(session).catch((error) => {
 *   if (isLatchkeyError(error, 'popup_blocked')) return session.login(); // fall back to a redirect
 *   if (!isLatchkeyError(error, 'popup_closed')) throw error;
 * });
 * ```
 * @returns resolves once the session is `authenticated` in this tab.
 * @throws LatchkeyError `popup_blocked` (the browser refused the window),
 * `popup_closed` (the user closed it), `timeout` (after `timeoutSeconds`), the
 * callback's own error (`authorization_error` with `serverError`,
 * `invalid_callback`, …), `unsupported_environment` outside a browser.
 */
export function loginWithPopup<User extends { sub: string }>(session: Session<User>, options: PopupLoginOptions = {}): Promise<void> {
  let core;
  try {
    core = capabilityCore(session, 'loginWithPopup()');
  } catch (error) {
    return Promise.reject(error);
  }
  const { timeoutSeconds = 300, ...login } = options;
  // Before any await: still inside the user's gesture.
  const popup = (core.env.openWindow ?? browserPopup)(POPUP_NAME, popupFeatures());
  if (!popup) {
    return Promise.reject(new LatchkeyError('popup_blocked', 'The browser blocked the login popup; call loginWithPopup() from a click handler, or use login()'));
  }
  const { timers } = core.env;
  const { failed, fail } = failureSignal();
  // `window.open` with the same name reused the window of a login still in progress:
  // that login is over (its window now runs this one), and must not close it.
  let replaced = false;
  inProgress.get(core)?.();
  const replace = () => {
    replaced = true;
    fail(new LatchkeyError('popup_closed', 'Another popup login took over the login window'));
  };
  inProgress.set(core, replace);
  const deadline = timers.setTimeout(
    () => fail(new LatchkeyError('timeout', `The popup login did not complete within ${timeoutSeconds} s`)),
    timeoutSeconds * 1000,
  );
  let poll: unknown;
  let closedSeen = false;
  const watchClosed = () => {
    poll = timers.setTimeout(() => {
      if (popup.closed) {
        // One more tick of grace: the popup may have closed right after telling us.
        if (closedSeen) return fail(new LatchkeyError('popup_closed', 'The login popup was closed before the login completed'));
        closedSeen = true;
      }
      watchClosed();
    }, POPUP_POLL_MS);
  };
  watchClosed();

  let over = false;
  // A login that is over (replaced, closed, timed out) never sends the window anywhere.
  const go = (href: string) => {
    if (!over && !replaced) popup.navigate(href);
  };
  const run = async (): Promise<void> => {
    const outcome = await loginElsewhere(core, login, go, failed);
    if (!outcome.ok) throw outcome.error;
    await adoptLogin(core);
    core.emit('logged_in', { reason: 'popup' });
  };
  return run().finally(() => {
    over = true;
    timers.clearTimeout(deadline);
    timers.clearTimeout(poll);
    if (inProgress.get(core) === replace) inProgress.delete(core);
    if (replaced) return;
    try {
      popup.close();
    } catch {
      // Already gone.
    }
  });
}

import type { LatchkeyErrorCode } from './errors.js';

/** What happened, as `onEvent` is told. */
export type LatchkeyEventType =
  | 'login_started'
  | 'logged_in'
  | 'refreshed'
  | 'refresh_failed'
  | 'tab_synced'
  | 'logged_out'
  | 'session_ended'
  | 'clock_untrusted';

/**
 * One event of a session's life. Never carries a token, code, verifier, proof
 * or ID token: only what happened, when, and why.
 */
export interface LatchkeyEvent {
  type: LatchkeyEventType;
  /** Epoch milliseconds. */
  at: number;
  /** Why, in a few words (e.g. `'invalid_grant'`, `'no_refresh_token'`, `'other_tab'`). */
  reason?: string;
  /** The error code, for `refresh_failed` and `session_ended`. */
  code?: LatchkeyErrorCode;
}

/** Emits an event; what a listener throws is swallowed. @internal */
export type Emit = (type: LatchkeyEventType, details?: { reason?: string; code?: LatchkeyErrorCode }) => void;

/** Wraps `onEvent` so that a throwing or missing listener never breaks the session. @internal */
export function createEmitter(onEvent: ((event: LatchkeyEvent) => void) | undefined, now: () => number): Emit {
  return (type, { reason, code } = {}) => {
    const event: LatchkeyEvent = { type, at: now() };
    if (reason !== undefined) event.reason = reason;
    if (code !== undefined) event.code = code;
    try {
      onEvent?.(Object.freeze(event));
    } catch {
      // A listener's fault is the listener's; the session goes on.
    }
  };
}

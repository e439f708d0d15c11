/**
 * The live log of the session's events (`createSession({ onEvent })`), as a
 * tiny external store for React's `useSyncExternalStore`. Events carry no
 * secret (no token, code or proof): only what happened, when, and why.
 */
import type { LatchkeyEvent } from 'latchkey';

const LIMIT = 100;
let entries: readonly LatchkeyEvent[] = [];
const listeners = new Set<() => void>();

export const eventLog = {
  /** Adds an event (newest first). Bound, so it can be passed as `onEvent`. */
  add(event: LatchkeyEvent): void {
    entries = [event, ...entries].slice(0, LIMIT);
    for (const listener of listeners) listener();
  },
  /** The events so far, newest first; the same array until the next event. */
  get(): readonly LatchkeyEvent[] {
    return entries;
  },
  subscribe(listener: () => void): () => void {
    listeners.add(listener);
    return () => listeners.delete(listener);
  },
};

/** What each event means, in a visitor's words. */
export const EVENT_MEANING: Record<LatchkeyEvent['type'], string> = {
  login_started: 'Off to the authorization server (PKCE, PAR, DPoP key made here).',
  logged_in: 'Code exchanged; tokens sealed into IndexedDB.',
  refreshed: "A new access token (the session's, or an API's own) from the refresh token, in one tab under a Web Lock.",
  refresh_failed: 'A refresh failed; latchkey backs off and tries again.',
  tab_synced: 'Another tab changed the session; this tab took the news without a token request.',
  logged_out: 'Refresh token revoked, vault emptied, other tabs told.',
  session_ended: 'The server ended the session; log in again.',
  clock_untrusted: "This computer's clock is far from the server's; latchkey uses its own.",
};

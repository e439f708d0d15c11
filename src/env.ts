import type { Timers } from './lifecycle.js';
import { idbStore, type KeyValueStore } from './store.js';
import { createTabLink, type TabLink } from './tabs.js';

/**
 * Every effect the session uses, in one place. `browserEnvironment()` gives the
 * browser's; unit tests pass fakes. @internal
 */
export interface Environment {
  fetch: typeof fetch;
  /** Epoch milliseconds. */
  now: () => number;
  /** A number in [0, 1), for backoff jitter. */
  random: () => number;
  timers: Timers;
  crypto: Crypto;
  /** Opens the session's key-value store (lazily). */
  openStore: (databaseName: string) => KeyValueStore;
  /** Opens the cross-tab link (lock and channel) named `name`. */
  openTabs: (name: string) => TabLink;
  /** Calls `handler` when the page may have slept or come back; returns the unsubscribe function. */
  onWake: (handler: (reason: string) => void) => () => void;
  /** The page's current URL, or undefined outside a page. */
  currentUrl: () => string | undefined;
  /** Replaces the address bar's URL without navigating (`history.replaceState`). */
  replaceUrl: (href: string) => void;
  /** Sends the window to `href`. */
  navigate: (href: string) => void;
  /** Milliseconds before a request to the authorization server is abandoned. */
  requestTimeoutMs: number;
  /**
   * Opens a popup window synchronously (`window.open`), or null when the browser
   * blocked it. Used by `loginWithPopup` only; unset means the browser's
   * (`browserPopup` in popup.ts), so an app without popups does not ship it.
   */
  openWindow?: (name: string, features: string) => PopupWindow | null;
  /**
   * Adds a hidden frame to the page. Used by `checkSession` only; unset means the
   * browser's (`browserFrame` in silent.ts).
   */
  createFrame?: () => HiddenFrame;
}

/** What latchkey uses of a popup window. @internal */
export interface PopupWindow {
  /** Whether the window was closed (by the user or by `close()`). */
  readonly closed: boolean;
  /** Sends the popup to `href`. */
  navigate(href: string): void;
  close(): void;
}

/** A hidden frame on the page. @internal */
export interface HiddenFrame {
  /** Loads `href` in the frame. */
  navigate(href: string): void;
  /** Takes the frame out of the page. */
  remove(): void;
}

function listenForWake(handler: (reason: string) => void): () => void {
  if (typeof window === 'undefined') return () => undefined;
  const onVisibility = () => {
    if (document.visibilityState === 'visible') handler('visible');
  };
  // The other wake-ups are named after their event.
  const onEvent = (event: Event) => handler(event.type);
  const events = ['pageshow', 'online', 'focus'];
  document.addEventListener('visibilitychange', onVisibility);
  for (const type of events) window.addEventListener(type, onEvent);
  return () => {
    document.removeEventListener('visibilitychange', onVisibility);
    for (const type of events) window.removeEventListener(type, onEvent);
  };
}

/** The browser's effects. Reads globals at call time, never at import time. @internal */
export function browserEnvironment(): Environment {
  return {
    fetch: (input, init) => globalThis.fetch(input, init),
    now: () => Date.now(),
    random: () => Math.random(),
    timers: {
      setTimeout: (callback, ms) => globalThis.setTimeout(callback, ms),
      clearTimeout: (handle) => globalThis.clearTimeout(handle as ReturnType<typeof setTimeout>),
    },
    crypto: globalThis.crypto,
    openStore: idbStore,
    // `globalThis.` reads a missing global as undefined.
    openTabs: (name) => createTabLink(name, { locks: globalThis.navigator?.locks, BroadcastChannel: globalThis.BroadcastChannel }),
    onWake: listenForWake,
    currentUrl: () => globalThis.location?.href,
    replaceUrl: (href) => history.replaceState(history.state, '', href),
    navigate: (href) => location.assign(href),
    requestTimeoutMs: 30_000,
  };
}

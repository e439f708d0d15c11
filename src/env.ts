import { idbStore, type KeyValueStore } from './store.js';

/**
 * Every effect the session uses, in one place. `browserEnvironment()` gives the
 * browser's; unit tests pass fakes. @internal
 */
export interface Environment {
  fetch: typeof fetch;
  /** Epoch milliseconds. */
  now: () => number;
  crypto: Crypto;
  /** Opens the session's key-value store (lazily). */
  openStore: (databaseName: string) => KeyValueStore;
  /** The page's current URL, or undefined outside a page. */
  currentUrl: () => string | undefined;
  /** Replaces the address bar's URL without navigating (`history.replaceState`). */
  replaceUrl: (href: string) => void;
  /** Sends the window to `href`. */
  navigate: (href: string) => void;
  /** Milliseconds before a request to the authorization server is abandoned. */
  requestTimeoutMs: number;
}

/** The browser's effects. Reads globals at call time, never at import time. @internal */
export function browserEnvironment(): Environment {
  return {
    fetch: (input, init) => globalThis.fetch(input, init),
    now: () => Date.now(),
    crypto: globalThis.crypto,
    openStore: (name) => idbStore(name),
    currentUrl: () => (typeof location === 'undefined' ? undefined : location.href),
    replaceUrl: (href) => history.replaceState(history.state, '', href),
    navigate: (href) => location.assign(href),
    requestTimeoutMs: 30_000,
  };
}

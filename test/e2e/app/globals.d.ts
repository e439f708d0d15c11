/**
 * What the e2e app (app.ts) puts on `window` for the tests' `page.evaluate`.
 */
/// <reference path="../../../demo/env.d.ts" />
import type { AxiosStatic } from 'axios';
import type { checkSession, createSession, enableSilentRenew, getAuthorizationHeaders, LatchkeyError, loginWithPopup, Session } from 'latchkey';

declare global {
  interface Window {
    /** The session created on load (absent with `?manual`). */
    session?: Session;
    /** The library's public entry points, for tests that create sessions themselves. */
    latchkey: {
      createSession: typeof createSession;
      LatchkeyError: typeof LatchkeyError;
      loginWithPopup: typeof loginWithPopup;
      checkSession: typeof checkSession;
      enableSilentRenew: typeof enableSilentRenew;
      getAuthorizationHeaders: typeof getAuthorizationHeaders;
    };
    /** axios's browser build, put there by capabilities.spec.ts (not part of the app). */
    axios: AxiosStatic;
    /** Where the embedded servers are (the value of `__LATCHKEY_STACK__`). */
    stack: typeof __LATCHKEY_STACK__;
  }
}

export {};

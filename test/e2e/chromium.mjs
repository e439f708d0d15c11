// The Chromium that every browser run of latchkey uses (the e2e tests and the
// bench), and its flags: one place for both.
import { existsSync } from 'node:fs';

/** Debian's Chromium, used when present. */
export const SYSTEM_CHROMIUM = '/usr/bin/chromium';

/**
 * $LATCHKEY_CHROMIUM, else Debian's Chromium when present, else undefined
 * (Playwright's own browser, for machines that have downloaded it).
 * @returns {string | undefined}
 */
export function chromiumExecutable() {
  return process.env.LATCHKEY_CHROMIUM ?? (existsSync(SYSTEM_CHROMIUM) ? SYSTEM_CHROMIUM : undefined);
}

/** Flags for a sandboxed, offline, headless run. */
export const chromiumArgs = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
  // Nothing outside the loopback interface exists here; fail such look-ups at
  // once (oidc-provider's pages @import a web font).
  '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, EXCLUDE localhost',
];

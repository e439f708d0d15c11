// Restore page, latchkey: construct the session as the app does and note when
// `ready` resolved. Nothing else on the page (same weight as the peer's page).
import { createSession } from 'latchkey';
import { config, redirectUri } from '../apps/shared.js';

const moduleStart = performance.now();
const session = createSession({
  issuer: config.issuer,
  clientId: config.clientId,
  redirectUri,
  apiOrigins: [config.apiOrigin],
  postLogoutRedirectUri: redirectUri,
});
const bench = (window.__bench = { login: () => session.login() });
session.ready.then(() => {
  const ready = performance.now();
  bench.result = { status: session.getSnapshot().status, moduleStart, ready };
});

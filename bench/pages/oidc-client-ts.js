// oidc-client-ts bench page for the refresh economy: the UserManager with its
// user kept in localStorage (its documented way to share a login between tabs)
// and its default automatic silent renew (refresh token grant). Its renew
// lead time is set like latchkey's for a short-lived token (a quarter of the
// lifetime) instead of its default 60 s, which would renew a 10 s token
// continuously: the comparison is about tabs, not about that default.
import { UserManager, WebStorageStateStore } from 'oidc-client-ts';
import { config, redirectUri, scope } from '../apps/shared.js';

const manager = new UserManager({
  authority: config.issuer,
  client_id: config.clientId,
  redirect_uri: redirectUri,
  post_logout_redirect_uri: redirectUri,
  scope,
  userStore: new WebStorageStateStore({ store: window.localStorage }),
  accessTokenExpiringNotificationTimeInSeconds: (window.BENCH_OPTIONS?.accessTokenTtl ?? 240) / 4,
});
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

const bench = (window.__bench = {
  login: () => manager.signinRedirect(),

  async busy(durationMs, intervalMs) {
    const counts = {};
    const deadline = performance.now() + durationMs;
    while (performance.now() < deadline) {
      let outcome;
      try {
        const user = await manager.getUser();
        if (!user || user.expired) outcome = 'no valid token';
        else {
          const response = await fetch(`${config.apiOrigin}/api/me`, {
            headers: { Authorization: `Bearer ${user.access_token}` },
          });
          outcome = String(response.status);
        }
      } catch (error) {
        outcome = error?.message ?? String(error);
      }
      counts[outcome] = (counts[outcome] ?? 0) + 1;
      await sleep(intervalMs);
    }
    const user = await manager.getUser();
    return { counts, status: user && !user.expired ? 'authenticated' : 'unauthenticated', error: null };
  },
});

(async () => {
  const params = new URLSearchParams(location.search);
  if (params.has('state') && (params.has('code') || params.has('error'))) {
    await manager.signinRedirectCallback();
    history.replaceState(null, '', location.pathname);
  }
  const user = await manager.getUser();
  bench.result = { status: user && !user.expired ? 'authenticated' : 'unauthenticated', ready: performance.now() };
})().catch((error) => {
  bench.result = { status: `error: ${error.message}` };
});

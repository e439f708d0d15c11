// Restore page, oidc-client-ts: construct the UserManager as the app does (its
// default user store, sessionStorage) and note when getUser() gave a valid user.
import { UserManager } from 'oidc-client-ts';
import { config, redirectUri, scope } from '../apps/shared.js';

const moduleStart = performance.now();
const manager = new UserManager({
  authority: config.issuer,
  client_id: config.clientId,
  redirect_uri: redirectUri,
  post_logout_redirect_uri: redirectUri,
  scope,
});
const bench = (window.__bench = { login: () => manager.signinRedirect() });
(async () => {
  const params = new URLSearchParams(location.search);
  if (params.has('state') && (params.has('code') || params.has('error'))) {
    await manager.signinRedirectCallback();
    history.replaceState(null, '', location.pathname);
  }
  const user = await manager.getUser();
  const ready = performance.now();
  bench.result = { status: user && !user.expired ? 'authenticated' : 'unauthenticated', moduleStart, ready };
})().catch((error) => {
  bench.result = { status: `error: ${error.message}` };
});

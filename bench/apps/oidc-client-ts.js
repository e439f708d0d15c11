// oidc-client-ts: the same minimal app with its UserManager (default stores).
import { UserManager } from 'oidc-client-ts';
import { apiUrl, config, mountUi, redirectUri, scope, setStatus, show, showError } from './shared.js';

const manager = new UserManager({
  authority: config.issuer,
  client_id: config.clientId,
  redirect_uri: redirectUri,
  post_logout_redirect_uri: redirectUri,
  scope,
});

async function accessToken() {
  let user = await manager.getUser();
  if (user?.expired) user = await manager.signinSilent(); // refresh-token grant
  if (!user) throw new Error('login required');
  return user.access_token;
}

async function callApi() {
  const response = await fetch(apiUrl, { headers: { Authorization: `Bearer ${await accessToken()}` } });
  return response.json();
}

mountUi({
  login: () => manager.signinRedirect(),
  logout: () => manager.signoutRedirect(),
  callApi,
});

async function main() {
  const params = new URLSearchParams(location.search);
  if (params.has('state') && (params.has('code') || params.has('error'))) {
    await manager.signinRedirectCallback();
    history.replaceState(null, '', location.pathname);
  }
  const user = await manager.getUser();
  setStatus(user ? `signed in as ${user.profile.sub}` : 'signed out');
  if (!user) return;
  show(await callApi());
}

main().catch(showError);

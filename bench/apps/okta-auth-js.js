// @okta/okta-auth-js: the same minimal app with OktaAuth from the lighter
// `@okta/okta-auth-js/core` entry (OAuth/OIDC only, no IDX or Authn APIs).
import { OktaAuth } from '@okta/okta-auth-js/core';
import { apiUrl, config, mountUi, redirectUri, scope, setStatus, show, showError } from './shared.js';

const okta = new OktaAuth({
  issuer: config.issuer,
  clientId: config.clientId,
  redirectUri,
  postLogoutRedirectUri: redirectUri,
  scopes: scope.split(' '),
  pkce: true,
});

async function callApi() {
  const { accessToken } = await okta.tokenManager.getTokens();
  if (!accessToken) throw new Error('login required');
  const response = await fetch(apiUrl, { headers: { Authorization: `Bearer ${accessToken.accessToken}` } });
  return response.json();
}

mountUi({
  login: () => okta.signInWithRedirect(),
  logout: () => okta.signOut(),
  callApi,
});

async function main() {
  if (okta.isLoginRedirect()) await okta.handleRedirect(); // exchanges the code, stores the tokens
  await okta.start(); // token auto-renew service
  const signedIn = await okta.isAuthenticated();
  const { idToken } = await okta.tokenManager.getTokens();
  setStatus(signedIn && idToken ? `signed in as ${idToken.claims.sub}` : 'signed out');
  if (!signedIn) return;
  show(await callApi());
}

main().catch(showError);

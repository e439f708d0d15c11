// @auth0/auth0-spa-js: the same minimal app with its Auth0Client.
import { createAuth0Client } from '@auth0/auth0-spa-js';
import { apiUrl, config, mountUi, redirectUri, scope, setStatus, show, showError } from './shared.js';

const clientPromise = createAuth0Client({
  domain: new URL(config.issuer).host,
  clientId: config.clientId,
  useRefreshTokens: true,
  authorizationParams: { redirect_uri: redirectUri, audience: config.apiResource, scope },
});

async function callApi() {
  const auth0 = await clientPromise;
  const token = await auth0.getTokenSilently();
  const response = await fetch(apiUrl, { headers: { Authorization: `Bearer ${token}` } });
  return response.json();
}

mountUi({
  login: async () => (await clientPromise).loginWithRedirect(),
  logout: async () => (await clientPromise).logout({ logoutParams: { returnTo: redirectUri } }),
  callApi,
});

async function main() {
  const auth0 = await clientPromise;
  const params = new URLSearchParams(location.search);
  if (params.has('state') && (params.has('code') || params.has('error'))) {
    await auth0.handleRedirectCallback();
    history.replaceState(null, '', location.pathname);
  }
  const signedIn = await auth0.isAuthenticated();
  setStatus(signedIn ? `signed in as ${(await auth0.getUser()).sub}` : 'signed out');
  if (!signedIn) return;
  show(await callApi());
}

main().catch(showError);

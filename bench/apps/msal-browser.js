// @azure/msal-browser: the same minimal app with a PublicClientApplication in
// OIDC protocol mode (a non-Microsoft authorization server).
import { InteractionRequiredAuthError, PublicClientApplication } from '@azure/msal-browser';
import { apiUrl, config, mountUi, redirectUri, scope, setStatus, show, showError } from './shared.js';

const scopes = scope.split(' ');
const msal = new PublicClientApplication({
  auth: {
    clientId: config.clientId,
    authority: config.issuer,
    knownAuthorities: [new URL(config.issuer).host],
    protocolMode: 'OIDC',
    redirectUri,
    postLogoutRedirectUri: redirectUri,
  },
  cache: { cacheLocation: 'localStorage' },
});

async function accessToken() {
  const account = msal.getActiveAccount();
  if (!account) throw new Error('login required');
  try {
    return (await msal.acquireTokenSilent({ scopes, account })).accessToken;
  } catch (error) {
    if (error instanceof InteractionRequiredAuthError) await msal.acquireTokenRedirect({ scopes, account });
    throw error;
  }
}

async function callApi() {
  const response = await fetch(apiUrl, { headers: { Authorization: `Bearer ${await accessToken()}` } });
  return response.json();
}

mountUi({
  login: () => msal.loginRedirect({ scopes }),
  logout: () => msal.logoutRedirect(),
  callApi,
});

async function main() {
  await msal.initialize();
  const result = await msal.handleRedirectPromise(); // handles the callback
  const account = result?.account ?? msal.getAllAccounts()[0];
  if (account) msal.setActiveAccount(account);
  setStatus(account ? `signed in as ${account.username}` : 'signed out');
  if (!account) return;
  show(await callApi());
}

main().catch(showError);

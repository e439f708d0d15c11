// The floor with DPoP: floor.js plus a non-extractable ES256 key pair kept in
// IndexedDB, DPoP-bound tokens, a proof on every token and API request, and one
// retry with the server's nonce. A reference row (latchkey binds tokens with
// DPoP by default when the server supports it); the ratio target is against
// floor.js.
import * as oauth from 'oauth4webapi';
import { createStore, del, get, set } from 'idb-keyval';
import { apiUrl, config, mountUi, redirectUri, scope, setStatus, show, showError } from './shared.js';

const issuer = new URL(config.issuer);
const client = { client_id: config.clientId };
const clientAuth = oauth.None();
const store = createStore('floor', 'kv');
// The embedded server is plain http on 127.0.0.1 (oauth4webapi wants https otherwise).
const options = { [oauth.allowInsecureRequests]: issuer.protocol === 'http:' };

async function keyPair() {
  let pair = await get('dpop-key', store);
  if (!pair) {
    pair = await oauth.generateKeyPair('ES256', { extractable: false });
    await set('dpop-key', pair, store);
  }
  return pair;
}

let dpopPromise;
function dpop() {
  dpopPromise ??= keyPair().then((pair) => oauth.DPoP(client, pair));
  return dpopPromise;
}

/** Runs `request` and, when the server asks for a DPoP nonce, once more (the handle keeps it). */
async function withNonceRetry(request) {
  try {
    return await request();
  } catch (error) {
    if (!oauth.isDPoPNonceError(error)) throw error;
    return request();
  }
}

let asPromise;
function server() {
  asPromise ??= oauth
    .discoveryRequest(issuer, { ...options, algorithm: 'oidc' })
    .then((response) => oauth.processDiscoveryResponse(issuer, response));
  return asPromise;
}

function toTokens(result, previous) {
  return {
    accessToken: result.access_token,
    refreshToken: result.refresh_token ?? previous?.refreshToken,
    idToken: result.id_token ?? previous?.idToken,
    claims: oauth.getValidatedIdTokenClaims(result) ?? previous?.claims,
    expiresAt: Date.now() + (result.expires_in ?? 0) * 1000,
  };
}

async function login() {
  const as = await server();
  const codeVerifier = oauth.generateRandomCodeVerifier();
  const state = oauth.generateRandomState();
  const nonce = oauth.generateRandomNonce();
  await set('transaction', { codeVerifier, state, nonce }, store);
  const url = new URL(as.authorization_endpoint);
  url.search = new URLSearchParams({
    client_id: client.client_id,
    redirect_uri: redirectUri,
    response_type: 'code',
    scope,
    state,
    nonce,
    code_challenge: await oauth.calculatePKCECodeChallenge(codeVerifier),
    code_challenge_method: 'S256',
  }).toString();
  location.assign(url);
}

async function handleCallback() {
  const as = await server();
  const transaction = await get('transaction', store);
  await del('transaction', store);
  if (!transaction) throw new Error('no login in progress');
  const params = oauth.validateAuthResponse(as, client, new URL(location.href), transaction.state);
  const DPoP = await dpop();
  const result = await withNonceRetry(async () => {
    const response = await oauth.authorizationCodeGrantRequest(
      as, client, clientAuth, params, redirectUri, transaction.codeVerifier, { ...options, DPoP },
    );
    return oauth.processAuthorizationCodeResponse(as, client, response, {
      expectedNonce: transaction.nonce,
      requireIdToken: true,
    });
  });
  await set('tokens', toTokens(result), store);
  history.replaceState(null, '', location.pathname);
}

async function accessToken() {
  let tokens = await get('tokens', store);
  if (!tokens) throw new Error('login required');
  if (Date.now() > tokens.expiresAt - 30_000 && tokens.refreshToken) {
    const as = await server();
    const DPoP = await dpop();
    const refreshToken = tokens.refreshToken;
    const result = await withNonceRetry(async () => {
      const response = await oauth.refreshTokenGrantRequest(as, client, clientAuth, refreshToken, { ...options, DPoP });
      return oauth.processRefreshTokenResponse(as, client, response);
    });
    tokens = toTokens(result, tokens);
    await set('tokens', tokens, store);
  }
  return tokens.accessToken;
}

async function callApi() {
  const token = await accessToken();
  const DPoP = await dpop();
  const response = await withNonceRetry(() => (
    oauth.protectedResourceRequest(token, 'GET', new URL(apiUrl), new Headers(), null, {
      ...options,
      DPoP,
    })
  ));
  return response.json();
}

async function logout() {
  const as = await server();
  const tokens = await get('tokens', store);
  await del('tokens', store);
  if (tokens?.refreshToken && as.revocation_endpoint) {
    const response = await oauth.revocationRequest(as, client, clientAuth, tokens.refreshToken, options);
    await oauth.processRevocationResponse(response);
  }
  if (!as.end_session_endpoint) return setStatus('signed out');
  const url = new URL(as.end_session_endpoint);
  url.searchParams.set('client_id', client.client_id);
  url.searchParams.set('post_logout_redirect_uri', redirectUri);
  if (tokens?.idToken) url.searchParams.set('id_token_hint', tokens.idToken);
  location.assign(url);
}

mountUi({ login, logout, callApi });

async function main() {
  const params = new URLSearchParams(location.search);
  if (params.has('state') && (params.has('code') || params.has('error'))) await handleCallback();
  const tokens = await get('tokens', store);
  setStatus(tokens ? `signed in as ${tokens.claims.sub}` : 'signed out');
  if (!tokens) return;
  show(await callApi());
}

main().catch(showError);

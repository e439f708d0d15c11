/**
 * A plain OAuth client in Node (oauth4webapi) for testing the embedded servers
 * without latchkey. The browser page only fills the login forms.
 */
import type { Page } from '@playwright/test';
import * as oauth from 'oauth4webapi';
import type { EmbeddedServer } from '../../demo/server/embedded.ts';
import { loginThroughForms } from './fixtures.ts';

/** oauth4webapi option for http: on loopback. */
export const insecure = { [oauth.allowInsecureRequests]: true } as const;

/** Retries once when the server asks for a DPoP nonce (oauth4webapi cached it). */
export async function withNonce<T>(attempt: () => Promise<T>): Promise<T> {
  try {
    return await attempt();
  } catch (error) {
    if (!oauth.isDPoPNonceError(error)) throw error;
    return attempt();
  }
}

/** What a finished code flow leaves behind. */
export interface FlowResult {
  as: oauth.AuthorizationServer;
  client: oauth.Client;
  /** Absent when the flow ran without DPoP. */
  DPoP?: oauth.DPoPHandle;
  tokens: oauth.TokenEndpointResponse;
}

/** Options of {@link codeFlow}. */
export interface FlowOptions {
  username: string;
  redirectUri: string;
  /** Default 'openid profile offline_access' (no resource, no API scope). */
  scope?: string;
  /** Default true. */
  dpop?: boolean;
  /** Default `server.clientId`. */
  clientId?: string;
}

/**
 * Authorization code + PKCE + PAR (+ DPoP), from Node; the code is read from the
 * URL the browser lands on (page.route cannot catch it: Playwright does not
 * route redirect hops).
 */
export async function codeFlow(page: Page, server: EmbeddedServer, options: FlowOptions): Promise<FlowResult> {
  const issuer = new URL(server.issuer);
  const as = await oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, insecure));
  const clientId = options.clientId ?? server.clientId;
  const client: oauth.Client = { client_id: clientId };
  const DPoP = options.dpop === false ? undefined : oauth.DPoP(client, await oauth.generateKeyPair('ES256'));
  const verifier = oauth.generateRandomCodeVerifier();
  const state = oauth.generateRandomState();
  const nonce = oauth.generateRandomNonce();
  const params = {
    client_id: clientId,
    redirect_uri: options.redirectUri,
    response_type: 'code',
    scope: options.scope ?? 'openid profile offline_access',
    code_challenge: await oauth.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
    nonce,
  };
  const par = await withNonce(async () =>
    oauth.processPushedAuthorizationResponse(
      as,
      client,
      await oauth.pushedAuthorizationRequest(as, client, oauth.None(), params, { DPoP, ...insecure }),
    ),
  );

  const authorizationUrl = new URL(as.authorization_endpoint!);
  authorizationUrl.searchParams.set('client_id', clientId);
  authorizationUrl.searchParams.set('request_uri', par.request_uri);
  await page.goto(authorizationUrl.href);
  await loginThroughForms(page, options.username);

  const callback = oauth.validateAuthResponse(as, client, new URL(page.url()), state);
  const tokens = await withNonce(async () =>
    oauth.processAuthorizationCodeResponse(
      as,
      client,
      await oauth.authorizationCodeGrantRequest(as, client, oauth.None(), callback, options.redirectUri, verifier, {
        DPoP,
        ...insecure,
      }),
      { expectedNonce: nonce, requireIdToken: true },
    ),
  );
  return { as, client, DPoP, tokens };
}

/** Calls `${apiOrigin}/api/me` with the flow's access token (DPoP when the flow used it). */
export async function callApi(
  server: EmbeddedServer,
  flow: FlowResult,
  init: { method?: string; body?: string } = {},
): Promise<Response> {
  const url = new URL('/api/me', server.apiOrigin);
  return withNonce(() =>
    oauth.protectedResourceRequest(flow.tokens.access_token, init.method ?? 'GET', url, undefined, init.body, {
      DPoP: flow.DPoP,
      ...insecure,
    }),
  );
}

/** Runs a refresh_token grant with the flow's DPoP key. Rejects with oauth4webapi's errors. */
export async function refresh(flow: FlowResult, refreshToken: string): Promise<oauth.TokenEndpointResponse> {
  return withNonce(async () =>
    oauth.processRefreshTokenResponse(
      flow.as,
      flow.client,
      await oauth.refreshTokenGrantRequest(flow.as, flow.client, oauth.None(), refreshToken, {
        DPoP: flow.DPoP,
        ...insecure,
      }),
    ),
  );
}

import * as oauth from 'oauth4webapi';
import { LatchkeyError } from './errors.js';
import { requestOptions, toLatchkeyError, withDpopNonceRetry, type Http, type Server } from './protocol.js';
import { boundedOffset, estimateServerOffset, unverifiedIat } from './skew.js';
import type { ResolvedApi } from './config.js';
import type { ApiToken, TokenSet } from './vault.js';

/** What the code exchange needs besides the server. @internal */
export interface CodeExchange {
  /** The callback parameters that oauth4webapi's `validateAuthResponse` returned. */
  callbackParameters: URLSearchParams;
  redirectUri: string;
  codeVerifier: string;
  nonce: string;
  dpop: oauth.DPoPHandle | undefined;
  /** The local clock, epoch ms, read when the response arrives. */
  now: () => number;
  /** A random id for the session this login starts (kept across refreshes). */
  sessionId: string;
  /** The main token's resource indicator(s), when the grant covers more than one (RFC 8707 §2.2). */
  resource?: readonly string[];
}

/** Who a token set belongs to: issuer, client and the login it descends from. @internal */
export type Lineage = Pick<TokenSet, 'issuer' | 'clientId' | 'sessionId'>;

/**
 * Builds the {@link TokenSet} kept in the vault from a processed token response.
 * The expiry counts from the local receipt time, so clock skew between browser
 * and server does not move it. A refreshed set keeps the lineage of `previous`;
 * a first one (no `previous`) takes `lineage`. Pure.
 * @internal
 */
export function toTokenSet(
  result: oauth.TokenEndpointResponse,
  receivedAt: number,
  dpopRequested: boolean,
  previous: TokenSet,
  serverOffsetSeconds?: number,
): TokenSet;
/** @internal */
export function toTokenSet(
  result: oauth.TokenEndpointResponse,
  receivedAt: number,
  dpopRequested: boolean,
  previous: undefined,
  serverOffsetSeconds: number | undefined,
  lineage: Lineage,
): TokenSet;
export function toTokenSet(
  result: oauth.TokenEndpointResponse,
  receivedAt: number,
  dpopRequested: boolean,
  previous?: TokenSet,
  serverOffsetSeconds?: number,
  // The overloads make sure there is one or the other.
  lineage: Lineage = previous!,
): TokenSet {
  const tokenType = result.token_type.toLowerCase();
  if (tokenType !== 'bearer' && tokenType !== 'dpop') {
    throw new LatchkeyError('server_error', `Unsupported token_type "${result.token_type}"`);
  }
  if (dpopRequested && tokenType !== 'dpop') {
    throw new LatchkeyError('server_error', 'Asked for a DPoP-bound token, got a Bearer token');
  }
  const claims = oauth.getValidatedIdTokenClaims(result) ?? previous?.claims;
  if (!claims) throw new LatchkeyError('invalid_callback', 'The token response carried no ID token');
  if (previous && claims.sub !== previous.claims.sub) {
    throw new LatchkeyError('server_error', 'The refreshed ID token is for another user');
  }
  const expiresIn = expiresInSeconds(result.expires_in);
  return withoutUndefined<TokenSet>({
    issuer: lineage.issuer,
    clientId: lineage.clientId,
    sessionId: lineage.sessionId,
    accessToken: result.access_token,
    tokenType,
    expiresAt: expiresIn === undefined ? null : receivedAt + expiresIn * 1000,
    receivedAt,
    claims: { ...claims },
    serverOffsetSeconds,
    refreshToken: result.refresh_token ?? previous?.refreshToken,
    idToken: result.id_token ?? previous?.idToken,
    scope: result.scope ?? previous?.scope,
    apis: previous?.apis, // each API's token lives on until its own expiry
  });
}

/**
 * `value` without its undefined properties: an optional field without a value
 * is left out of what is stored, not stored as undefined.
 */
function withoutUndefined<T extends object>(value: T): T {
  for (const key in value) if (value[key] === undefined) delete value[key];
  return value;
}

/**
 * `expires_in` as seconds: a number, or a numeric string (Entra ID's v1.0
 * endpoint sends `"3599"`; oauth4webapi converts those already, this keeps the
 * set right when handed the raw shape). Anything else: unknown. Pure.
 */
function expiresInSeconds(value: unknown): number | undefined {
  const seconds = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  // Number.isFinite is false for anything that is not a finite number.
  return Number.isFinite(seconds) && (seconds as number) >= 0 ? (seconds as number) : undefined;
}

/**
 * Learns the server's clock from a token response before oauth4webapi validates
 * it, so that the ID token's time checks and later DPoP proofs use server time.
 * Sets the client's `clockSkew` (seconds, server minus local) within the
 * bounds of {@link boundedOffset}; an estimate beyond them is not believed and
 * the browser's clock is used (and said, through `http.emit`). Measured against
 * `Date.now()` on purpose: that is the clock oauth4webapi applies the skew to.
 */
async function learnServerClock(server: Server, http: Http, response: Response): Promise<void> {
  if (!response.ok) return;
  const receivedAt = Date.now();
  const body = (await response.clone().json().catch(() => undefined)) as { id_token?: unknown } | undefined;
  const estimate = estimateServerOffset(receivedAt, {
    date: response.headers.get('date'),
    idTokenIat: unverifiedIat(body?.id_token),
  });
  if (estimate === undefined) return;
  const { offset, trusted } = boundedOffset(estimate, server.client[oauth.clockSkew]);
  server.client[oauth.clockSkew] = offset;
  if (!trusted) http.emit?.('clock_untrusted', { reason: 'server_clock_beyond_15_minutes' });
}

/**
 * Exchanges an authorization code (PKCE verifier, DPoP proof when bound) and
 * validates the ID token, including its `nonce`.
 * @throws LatchkeyError `invalid_callback`, `network` or `server_error`
 * @internal
 */
export async function exchangeCode(server: Server, http: Http, exchange: CodeExchange): Promise<TokenSet> {
  try {
    return await withDpopNonceRetry(async () => {
      const response = await oauth.authorizationCodeGrantRequest(
        server.as,
        server.client,
        oauth.None(),
        exchange.callbackParameters,
        exchange.redirectUri,
        exchange.codeVerifier,
        {
          ...requestOptions(http),
          ...(exchange.dpop && { DPoP: exchange.dpop }),
          ...(exchange.resource?.length && { additionalParameters: exchange.resource.map((value) => ['resource', value]) }),
        },
      );
      await learnServerClock(server, http, response);
      const result = await oauth.processAuthorizationCodeResponse(server.as, server.client, response, {
        expectedNonce: exchange.nonce,
        requireIdToken: true,
      });
      return toTokenSet(result, exchange.now(), exchange.dpop !== undefined, undefined, server.client[oauth.clockSkew], {
        issuer: server.issuer,
        clientId: server.client.client_id,
        sessionId: exchange.sessionId,
      });
    });
  } catch (error) {
    throw toLatchkeyError(error, 'exchange');
  }
}

/**
 * Runs a refresh-token grant, for the session's main token or, with `api`, for
 * an API's own token (carrying its `resource`, `scope` and `params`). The new
 * refresh token (rotation) replaces the old one in the returned session; claims
 * are kept unless a new ID token came; an API's token goes into `apis`.
 * @throws LatchkeyError `login_required` (the refresh token is no good), `server_error` (an API's token refused), `network`
 * @internal
 */
export async function refreshTokens(
  server: Server,
  http: Http,
  previous: TokenSet,
  dpop: oauth.DPoPHandle | undefined,
  resource: readonly string[],
  now: () => number,
  api?: ResolvedApi,
): Promise<TokenSet> {
  const refreshToken = previous.refreshToken;
  if (!refreshToken) {
    throw api
      ? new LatchkeyError('server_error', `No refresh token was issued to get a token for ${api.origin}`)
      : new LatchkeyError('login_required',
        'The access token expired and no refresh token was issued (ask for offline_access, or enableSilentRenew); log in again');
  }
  try {
    return await withDpopNonceRetry(async () => {
      const additionalParameters = new URLSearchParams(api?.params as Record<string, string> | undefined);
      for (const value of api?.resource ?? resource) additionalParameters.append('resource', value);
      if (api?.scope !== undefined) additionalParameters.set('scope', api.scope);
      const response = await oauth.refreshTokenGrantRequest(server.as, server.client, oauth.None(), refreshToken, {
        ...requestOptions(http),
        additionalParameters,
        ...(dpop && { DPoP: dpop }),
      });
      if (!api) await learnServerClock(server, http, response);
      const result = await oauth.processRefreshTokenResponse(server.as, server.client, response);
      const set = toTokenSet(result, now(), dpop !== undefined, previous, server.client[oauth.clockSkew]);
      if (!api) return set;
      const token = withoutUndefined<ApiToken>({
        accessToken: set.accessToken,
        tokenType: set.tokenType,
        expiresAt: set.expiresAt,
        receivedAt: set.receivedAt,
        scope: result.scope,
      });
      return { ...previous, refreshToken: set.refreshToken ?? refreshToken, apis: { ...previous.apis, [api.origin]: token } };
    });
  } catch (error) {
    throw toLatchkeyError(error, api ? 'api' : 'refresh');
  }
}

/**
 * Revokes a token (RFC 7009) when the server has a revocation endpoint.
 * @throws LatchkeyError `network` or `server_error`
 * @internal
 */
export async function revokeToken(server: Server, http: Http, token: string, hint: 'refresh_token' | 'access_token'): Promise<void> {
  if (!server.as.revocation_endpoint) return;
  try {
    const response = await oauth.revocationRequest(server.as, server.client, oauth.None(), token, {
      // keepalive: the request survives the page navigating to the end-session endpoint.
      ...requestOptions({ ...http, keepalive: true }),
      additionalParameters: { token_type_hint: hint },
    });
    await oauth.processRevocationResponse(response);
  } catch (error) {
    throw toLatchkeyError(error, 'revoke');
  }
}

/**
 * Switchable behaviours of the embedded authorization server, each one a
 * documented behaviour of a real server. A profile is a named set of
 * {@link ServerBehaviour} flags; `startEmbedded({ profile, behaviour })` applies
 * the profile, then the flags given one by one. The default profile is the
 * server every other e2e spec runs against, unchanged.
 *
 * Behaviours oidc-provider can be configured for are configured
 * (provider-config.ts); the rest is a small Koa middleware that rewrites
 * requests or answers ({@link quirksMiddleware}).
 */
import type { KoaContextWithOIDC } from 'oidc-provider';

/** One flag per behaviour; see {@link DEFAULT_BEHAVIOUR} for today's values. */
export interface ServerBehaviour {
  /**
   * Refresh tokens: `rotate` (a new one on every use, reuse revokes the grant),
   * `reuse` (not rotated: the same token comes back every time), `omit` (not
   * rotated, and refresh answers carry no `refresh_token` at all), `none` (never
   * issued).
   */
  refreshTokens: 'rotate' | 'reuse' | 'omit' | 'none';
  /** `jwt` (RFC 9068, verified by the API locally) or `opaque` (the API asks RFC 7662 introspection). */
  accessTokenFormat: 'jwt' | 'opaque';
  /** `accept` (RFC 7009 for public clients), `refuse-public` (401 invalid_client, nothing revoked), `absent`. */
  revocation: 'accept' | 'refuse-public' | 'absent';
  /** Refresh grants answered `400` with an empty body, or `401` with an HTML page. */
  refreshFailure: 'none' | 'empty-400' | 'html-401';
  /**
   * End-session endpoint: `standard`, `requires-state` (returns to
   * `post_logout_redirect_uri` only when the request has `state`; otherwise it
   * stays on its own "signed out" page), `absent` (not in discovery).
   */
  endSession: 'standard' | 'requires-state' | 'absent';
  /** PAR (RFC 9126): `offered`, `required` (`require_pushed_authorization_requests`), `absent`. */
  par: 'offered' | 'required' | 'absent';
  /** DPoP (RFC 9449): `on-request` (bound only when the client sends a proof) or `absent` (Bearer only). */
  dpop: 'on-request' | 'absent';
  /** The authorization server demands DPoP nonces. */
  dpopRequireNonce: boolean;
  /** The API demands DPoP nonces. */
  apiRequireDpopNonce: boolean;
  /** The issuer identifier ends with `/` (`http://127.0.0.1:<port>/`). */
  issuerTrailingSlash: boolean;
  /** `token_type` as issued (`Bearer`, `DPoP`) or lower-cased (`bearer`, `dpop`). */
  tokenTypeCase: 'as-issued' | 'lower';
  /** `expires_in` as a JSON string (`"300"`) instead of a number. */
  expiresInString: boolean;
  /** Refresh answers carry a new ID token. */
  idTokenOnRefresh: boolean;
  /** The redirect back to the app carries `session_state` and `client_info` besides `code`, `state`, `iss`. */
  callbackExtras: boolean;
}

/**
 * Today's server. (`Date` is never in `Access-Control-Expose-Headers`, here or
 * in any profile: oidc-provider does not expose it, nor do the hosted servers.)
 */
export const DEFAULT_BEHAVIOUR: Readonly<ServerBehaviour> = Object.freeze({
  refreshTokens: 'rotate',
  accessTokenFormat: 'jwt',
  revocation: 'accept',
  refreshFailure: 'none',
  endSession: 'standard',
  par: 'offered',
  dpop: 'on-request',
  dpopRequireNonce: false,
  apiRequireDpopNonce: false,
  issuerTrailingSlash: false,
  tokenTypeCase: 'as-issued',
  expiresInString: false,
  idTokenOnRefresh: true,
  callbackExtras: false,
});

/** The named profiles (see README "Servers" for who behaves so). */
export const PROFILES = {
  default: {},
  'refresh-not-rotated': { refreshTokens: 'reuse' },
  'refresh-omitted-on-refresh': { refreshTokens: 'omit' },
  'no-refresh-token': { refreshTokens: 'none' },
  'opaque-access-tokens': { accessTokenFormat: 'opaque' },
  'revocation-refuses-public-clients': { revocation: 'refuse-public' },
  'refresh-refused-empty-400': { refreshFailure: 'empty-400' },
  'refresh-refused-html-401': { refreshFailure: 'html-401' },
  'end-session-requires-state': { endSession: 'requires-state' },
  'no-end-session': { endSession: 'absent' },
  'response-quirks': {
    issuerTrailingSlash: true,
    tokenTypeCase: 'lower',
    expiresInString: true,
    idTokenOnRefresh: false,
  },
  'callback-extras': { callbackExtras: true },
  'par-required': { par: 'required' },
  'no-par': { par: 'absent' },
  'dpop-nonces': { dpopRequireNonce: true, apiRequireDpopNonce: true },
  'no-dpop': { dpop: 'absent' },
} as const satisfies Record<string, Partial<ServerBehaviour>>;

/** A profile's name. */
export type ProfileName = keyof typeof PROFILES;

/** The behaviour of `profile` with `overrides` on top. */
export function resolveBehaviour(profile: ProfileName = 'default', overrides: Partial<ServerBehaviour> = {}): ServerBehaviour {
  const named = PROFILES[profile] as Partial<ServerBehaviour> | undefined;
  if (!named) throw new Error(`unknown server profile "${profile}"`);
  return { ...DEFAULT_BEHAVIOUR, ...named, ...overrides };
}

type Next = () => Promise<void>;

/**
 * The behaviours oidc-provider has no setting for, as one Koa middleware
 * installed in front of its routes. Returns `undefined` when nothing applies
 * (the default profile runs without it).
 */
export function quirksMiddleware(
  behaviour: ServerBehaviour,
  appOrigin: string,
): ((ctx: KoaContextWithOIDC, next: Next) => Promise<void>) | undefined {
  const { refreshTokens, revocation, refreshFailure, endSession, tokenTypeCase, expiresInString, idTokenOnRefresh, callbackExtras } = behaviour;
  const rewritesTokens =
    refreshTokens === 'omit' || refreshFailure !== 'none' || tokenTypeCase !== 'as-issued' || expiresInString || !idTokenOnRefresh;
  if (!rewritesTokens && revocation !== 'refuse-public' && endSession !== 'requires-state' && !callbackExtras) return undefined;

  return async (ctx, next) => {
    // An end-session request without `state` does not go back to the app.
    if (endSession === 'requires-state' && ctx.method === 'GET' && ctx.path === '/session/end' && !ctx.query.state) {
      const query = { ...ctx.query };
      delete query.post_logout_redirect_uri;
      ctx.query = query;
    }
    await next();

    if (ctx.method === 'POST' && ctx.path === '/token' && ctx.status === 200 && rewritesTokens) {
      rewriteTokenResponse(ctx, behaviour);
    } else if (revocation === 'refuse-public' && ctx.method === 'POST' && ctx.path === '/token/revocation') {
      // allowedPolicy kept the token; answer as a server that wants a client secret.
      ctx.body = { error: 'invalid_client', error_description: 'client authentication is required' };
      ctx.status = 401;
      ctx.set('WWW-Authenticate', 'Basic realm="token revocation"');
    } else if (callbackExtras && ctx.status >= 300 && ctx.status < 400) {
      addCallbackExtras(ctx, appOrigin);
    }
  };
}

function rewriteTokenResponse(ctx: KoaContextWithOIDC, behaviour: ServerBehaviour): void {
  const params = (ctx.oidc?.params ?? {}) as { grant_type?: unknown };
  const isRefresh = params.grant_type === 'refresh_token';
  if (isRefresh && behaviour.refreshFailure === 'empty-400') {
    ctx.body = '';
    ctx.status = 400;
    ctx.remove('Content-Type');
    return;
  }
  if (isRefresh && behaviour.refreshFailure === 'html-401') {
    ctx.body = '<!DOCTYPE html><html><body><h1>401 Unauthorized</h1></body></html>';
    ctx.status = 401;
    ctx.type = 'html';
    return;
  }
  const body = ctx.body as Record<string, unknown> | undefined;
  if (!body || typeof body !== 'object') return;
  if (isRefresh && behaviour.refreshTokens === 'omit') delete body.refresh_token;
  if (isRefresh && !behaviour.idTokenOnRefresh) delete body.id_token;
  if (behaviour.tokenTypeCase === 'lower' && typeof body.token_type === 'string') body.token_type = body.token_type.toLowerCase();
  if (behaviour.expiresInString && typeof body.expires_in === 'number') body.expires_in = String(body.expires_in);
}

/** `session_state` (Keycloak, Entra ID) and `client_info` (Entra ID) on the redirect back to the app. */
function addCallbackExtras(ctx: KoaContextWithOIDC, appOrigin: string): void {
  const location = ctx.response.get('Location');
  if (!location) return;
  let url: URL;
  try {
    url = new URL(location);
  } catch {
    return;
  }
  // Authorization responses only (not the post-logout redirect, which may carry `state` too).
  const isAuthorizationResponse = url.searchParams.has('code') || url.searchParams.has('error');
  if (url.origin !== appOrigin || !url.searchParams.has('state') || !isAuthorizationResponse) return;
  url.searchParams.set('session_state', 'f3c1d2e4-5b6a-4c7d-8e9f-0a1b2c3d4e5f.ZXhhbXBsZQ');
  url.searchParams.set('client_info', Buffer.from(JSON.stringify({ uid: 'user', utid: 'tenant' })).toString('base64url'));
  ctx.set('Location', url.href);
}

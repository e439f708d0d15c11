/**
 * The oidc-provider configuration of the embedded authorization server.
 * Every default helper that oidc-provider asks deployments to replace is
 * replaced here, so it prints no "you SHOULD/MUST change it" notices.
 */
import { randomBytes } from 'node:crypto';
import type { ClientMetadata, Configuration, KoaContextWithOIDC } from 'oidc-provider';
import type { MemoryStore } from './memory-adapter.ts';
import type { ServerBehaviour } from './profiles.ts';

/** What the configuration is built from. */
export interface ProviderConfigInput {
  appOrigin: string;
  /** Public clients registered alike (same redirect URIs, grants, settings). */
  clientIds: string[];
  redirectUris: string[];
  apiResource: string;
  accessTokenTtl: number;
  /** The server's switchable behaviours (profiles.ts). */
  behaviour: ServerBehaviour;
  /** The API's own confidential client, for RFC 7662 introspection (opaque access tokens only). */
  introspectionClient?: { clientId: string; clientSecret: string };
  /** Private signing keys (JWK) for ID tokens and JWT access tokens. */
  signingKeys: Array<Record<string, unknown>>;
  store: MemoryStore;
  /** oidc-provider's `errors.InvalidTarget` (the module is loaded lazily). */
  InvalidTarget: new () => Error;
}

const DAY = 24 * 60 * 60;

/** Builds the oidc-provider `Configuration` for {@link ProviderConfigInput}. */
export function providerConfiguration(input: ProviderConfigInput): Configuration {
  const { behaviour } = input;
  const sameResource = (indicator: string) => {
    try {
      return new URL(indicator).href === new URL(input.apiResource).href;
    } catch {
      return false;
    }
  };
  return {
    adapter: input.store.factory as unknown as Configuration['adapter'],
    clients: input.clientIds.map((clientId): ClientMetadata => ({
      client_id: clientId,
      client_name: clientId === input.clientIds[0] ? 'latchkey demo' : `latchkey ${clientId}`,
      application_type: 'web',
      token_endpoint_auth_method: 'none',
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      redirect_uris: input.redirectUris,
      post_logout_redirect_uris: input.redirectUris,
    })).concat(input.introspectionClient ? [{
      client_id: input.introspectionClient.clientId,
      client_secret: input.introspectionClient.clientSecret,
      client_name: 'latchkey demo API',
      token_endpoint_auth_method: 'client_secret_basic',
      grant_types: [],
      response_types: [],
      redirect_uris: [],
    }] : []),
    jwks: { keys: input.signingKeys } as Configuration['jwks'],
    cookies: { keys: [randomBytes(32).toString('base64url')] },
    claims: {
      openid: ['sub'],
      profile: ['name', 'preferred_username'],
      email: ['email', 'email_verified'],
    },
    findAccount: (_ctx, sub) => ({
      accountId: sub,
      claims: () => ({
        sub,
        name: sub,
        preferred_username: sub,
        email: `${sub}@example.test`,
        email_verified: true,
      }),
    }),
    pkce: { required: () => true },
    // A server that behaves like the common hosted providers: public SPA clients
    // get refresh tokens without prompt=consent, and every use rotates them.
    issueRefreshToken: (_ctx, client) => behaviour.refreshTokens !== 'none' && client.grantTypeAllowed('refresh_token'),
    rotateRefreshToken: behaviour.refreshTokens === 'rotate',
    clientBasedCORS: (_ctx, origin) => origin === input.appOrigin,
    features: {
      devInteractions: { enabled: true },
      dPoP: {
        enabled: behaviour.dpop !== 'absent',
        nonceSecret: randomBytes(32),
        requireNonce: () => behaviour.dpopRequireNonce,
      },
      revocation: {
        enabled: behaviour.revocation !== 'absent',
        allowedPolicy: async (_ctx, client, token) =>
          token.clientId === client.clientId &&
          !(behaviour.revocation === 'refuse-public' && client.clientAuthMethod === 'none'),
      },
      ...(input.introspectionClient && {
        introspection: {
          enabled: true,
          // Only the API may introspect (and any token: it is the audience).
          allowedPolicy: async (_ctx: KoaContextWithOIDC, client: { clientId: string }) =>
            client.clientId === input.introspectionClient!.clientId,
        } as unknown as undefined,
      }),
      pushedAuthorizationRequests: {
        enabled: behaviour.par !== 'absent',
        requirePushedAuthorizationRequests: behaviour.par === 'required',
      },
      rpInitiatedLogout: { enabled: behaviour.endSession !== 'absent', logoutSource, postLogoutSuccessSource },
      resourceIndicators: {
        enabled: true,
        // Every authorization request without `resource` is for the demo API ...
        defaultResource: (_ctx, _client, oneOf) =>
          oneOf ? (oneOf.find(sameResource) ?? oneOf) : input.apiResource,
        // ... and the token endpoint uses that granted resource even though the
        // scope has `openid` (otherwise it would mint an opaque userinfo token).
        useGrantedResource: () => true,
        getResourceServerInfo: (_ctx, indicator) => {
          if (!sameResource(indicator)) throw new input.InvalidTarget();
          return {
            scope: 'api:read',
            audience: input.apiResource,
            accessTokenTTL: input.accessTokenTtl,
            accessTokenFormat: behaviour.accessTokenFormat,
          };
        },
      },
    },
    ttl: {
      AccessToken: (_ctx, token) => token.resourceServer?.accessTokenTTL ?? input.accessTokenTtl,
      AuthorizationCode: 60,
      IdToken: 60 * 60,
      Interaction: 60 * 60,
      Session: 14 * DAY,
      Grant: 14 * DAY,
      RefreshToken: (ctx, token) => {
        const rotated = ctx?.oidc?.entities.RotatedRefreshToken;
        if (rotated && !token.isSenderConstrained()) return rotated.remainingTTL;
        return 14 * DAY;
      },
    },
    renderError: (ctx, out) => {
      ctx.type = 'html';
      ctx.body = page('Error', Object.entries(out).map(([k, v]) => `<p><b>${esc(k)}</b>: ${esc(String(v))}</p>`).join(''));
    },
  };
}

/**
 * RP-initiated logout confirms itself: the page submits its form with
 * `logout=yes` at once, like hosted providers that trust `id_token_hint`.
 * The visible buttons remain for browsers without JavaScript.
 */
function logoutSource(ctx: KoaContextWithOIDC, form: string): void {
  const autoForm = form.replace('</form>', '<input type="hidden" name="logout" value="yes"/></form>');
  ctx.body = page(
    'Signing out',
    `${autoForm}<button type="submit" form="op.logoutForm" id="confirm-logout">Sign out</button>` +
      "<script>document.addEventListener('DOMContentLoaded',function(){document.forms[0].submit()})</script>",
  );
}

function postLogoutSuccessSource(ctx: KoaContextWithOIDC): void {
  ctx.body = page('Signed out', '<p>You are signed out.</p>');
}

function page(title: string, body: string): string {
  return `<!DOCTYPE html><html><head><meta charset="utf-8"><title>${esc(title)}</title></head>` +
    `<body><h1>${esc(title)}</h1>${body}</body></html>`;
}

function esc(value: string): string {
  return value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

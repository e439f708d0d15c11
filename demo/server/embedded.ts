/**
 * The embedded authorization server (oidc-provider 9) and the two resource
 * servers (the demo API and the billing API, each accepting only tokens of its
 * own audience) that the demo and the end-to-end tests run against. All listen
 * on 127.0.0.1 only.
 */
import { generateKeyPair, randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { default as ProviderClass, errors as ProviderErrors, KoaContextWithOIDC } from 'oidc-provider';
import { MemoryStore } from './memory-adapter.ts';
import { listen } from './net.ts';
import { quirksMiddleware, resolveBehaviour, type ProfileName, type ServerBehaviour } from './profiles.ts';
import { providerConfiguration } from './provider-config.ts';
import { startResourceServer, type ApiCallRecord, type ResourceServer } from './resource-server.ts';

/** How to start the embedded servers. */
export interface EmbeddedOptions {
  /** SPA origin, e.g. 'http://127.0.0.1:5173': allowed by CORS, base of the redirect URIs. */
  appOrigin: string;
  /** Paths on appOrigin registered as redirect and post-logout URIs. Default ['/', '/callback']. */
  redirectPaths?: string[];
  /** Access token lifetime in seconds. Default 300. */
  accessTokenTtl?: number;
  /** The authorization server demands DPoP nonces. Default false (same as `behaviour.dpopRequireNonce`). */
  dpopRequireNonce?: boolean;
  /** The authorization server issues refresh tokens. Default true (false: the same as `behaviour.refreshTokens: 'none'`). */
  refreshTokens?: boolean;
  /** The API demands DPoP nonces. Default false (same as `behaviour.apiRequireDpopNonce`). */
  apiRequireDpopNonce?: boolean;
  /** A real server's documented behaviour to imitate (profiles.ts). Default 'default': today's server. */
  profile?: ProfileName;
  /** Single behaviours on top of the profile. */
  behaviour?: Partial<ServerBehaviour>;
}

/** What the servers saw. Never holds a token. `at` is `Date.now()`. */
export interface ServerRecords {
  /**
   * `refreshToken` (successful answers only): whether the answer carried a new
   * refresh token, the one presented again (`same`), or none.
   */
  tokenRequests: Array<{
    at: number;
    grantType: string;
    status: number;
    dpop: boolean;
    refreshToken?: 'new' | 'same' | 'none';
    /** The OAuth error code of a refused request (e.g. 'use_dpop_nonce'). */
    error?: string;
  }>;
  revocations: Array<{ at: number; status: number }>;
  apiCalls: ApiCallRecord[];
  /** What the billing API answered (same shape as `apiCalls`). */
  billingCalls: ApiCallRecord[];
  /** Empties every list (in place). */
  reset(): void;
}

/** The running authorization server and API. */
export interface EmbeddedServer {
  /** 'http://127.0.0.1:<port>' ('http://127.0.0.1:<port>/' with `issuerTrailingSlash`) */
  issuer: string;
  /** The behaviour in force (profile plus overrides). */
  behaviour: ServerBehaviour;
  /** 'http://127.0.0.1:<port2>', the resource server. */
  apiOrigin: string;
  /** The API's RFC 8707 resource identifier and JWT audience: `${apiOrigin}/`. */
  apiResource: string;
  /**
   * 'http://127.0.0.1:<port3>', the billing API: a second resource server that
   * accepts only tokens whose audience is {@link billingResource} and whose
   * scope has `billing:read` (the demo API refuses those tokens, and it refuses
   * the demo API's).
   */
  billingOrigin: string;
  /** The billing API's resource identifier and JWT audience: `${billingOrigin}/`. */
  billingResource: string;
  /** The scope the billing API requires: 'billing:read'. */
  billingScope: string;
  /** 'latchkey-demo' */
  clientId: string;
  /**
   * 'latchkey-other': a second public client registered with the same redirect
   * URIs and settings, for proving that two apps on one origin stay apart.
   */
  otherClientId: string;
  records: ServerRecords;
  /** Refresh tokens currently valid at the server (not consumed, revoked or expired). */
  activeRefreshTokens(): Promise<number>;
  /**
   * While true, the authorization server answers every request made by a frame
   * (`Sec-Fetch-Dest: iframe`) with a page that refuses to be framed
   * (`X-Frame-Options: DENY`, `frame-ancestors 'none'`), as many hosted servers
   * do: a silent `checkSession` then gets no answer. Default false.
   */
  refuseFraming: boolean;
  close(): Promise<void>;
}

type ProviderModule = { default: typeof ProviderClass; errors: typeof ProviderErrors };
let providerModule: Promise<ProviderModule> | undefined;

/**
 * Runs `fn` with oidc-provider's console notices (the "Unsupported runtime"
 * warning on Node 20, the devInteractions warning) filtered out.
 */
async function quietly<T>(fn: () => T | Promise<T>): Promise<T> {
  const { warn, info } = console;
  const filter = (original: (...args: unknown[]) => void) => (...args: unknown[]) => {
    if (/oidc-provider (WARNING|NOTICE)/.test(String(args[0]))) return;
    original(...args);
  };
  console.warn = filter(warn);
  console.info = filter(info);
  try {
    return await fn();
  } finally {
    console.warn = warn;
    console.info = info;
  }
}

async function signingKey(): Promise<{ privateJwk: Record<string, unknown>; publicJwk: Record<string, unknown> }> {
  const { privateKey, publicKey } = await promisify(generateKeyPair)('rsa', { modulusLength: 2048 });
  const meta = { kid: randomUUID(), alg: 'RS256', use: 'sig' };
  return {
    privateJwk: { ...privateKey.export({ format: 'jwk' }), ...meta },
    publicJwk: { ...publicKey.export({ format: 'jwk' }), ...meta },
  };
}

/**
 * Starts the authorization server and the API on free loopback ports.
 *
 * @example
 * const server = await startEmbedded({ appOrigin: 'http://127.0.0.1:5173' });
 * // ... point a client at server.issuer ...
 * await server.close();
 */
export async function startEmbedded(options: EmbeddedOptions): Promise<EmbeddedServer> {
  const appOrigin = new URL(options.appOrigin).origin;
  const redirectUris = (options.redirectPaths ?? ['/', '/callback']).map((path) => `${appOrigin}${path}`);
  const clientId = 'latchkey-demo';
  const otherClientId = 'latchkey-other';
  const store = new MemoryStore();
  const tokenRequests: ServerRecords['tokenRequests'] = [];
  const revocations: ServerRecords['revocations'] = [];
  const apiCalls: ServerRecords['apiCalls'] = [];
  const billingCalls: ServerRecords['billingCalls'] = [];
  const records: ServerRecords = {
    tokenRequests,
    revocations,
    apiCalls,
    billingCalls,
    reset: () => {
      tokenRequests.length = 0;
      revocations.length = 0;
      apiCalls.length = 0;
      billingCalls.length = 0;
    },
  };

  let handler: ((req: IncomingMessage, res: ServerResponse) => void) | undefined;
  const framing = { refused: false };
  const auth = await listen((req, res) => {
    if (framing.refused && req.headers['sec-fetch-dest'] === 'iframe') {
      res.writeHead(200, { 'content-type': 'text/html', 'x-frame-options': 'DENY', 'content-security-policy': "frame-ancestors 'none'" });
      res.end('<!doctype html><p>This page cannot be shown in a frame.</p>');
      return;
    }
    if (handler) handler(req, res);
    else res.writeHead(503).end();
  });
  const behaviour = resolveBehaviour(options.profile, {
    ...(options.dpopRequireNonce !== undefined && { dpopRequireNonce: options.dpopRequireNonce }),
    ...(options.apiRequireDpopNonce !== undefined && { apiRequireDpopNonce: options.apiRequireDpopNonce }),
    ...(options.refreshTokens === false && { refreshTokens: 'none' as const }),
    ...options.behaviour,
  });
  const issuer = behaviour.issuerTrailingSlash ? `${auth.origin}/` : auth.origin;
  const introspectionClient =
    behaviour.accessTokenFormat === 'opaque'
      ? { clientId: 'latchkey-demo-api', clientSecret: randomUUID() }
      : undefined;
  const key = await signingKey();
  const resourceOptions = {
    issuer,
    jwks: { keys: [key.publicJwk] },
    appOrigin,
    requireDpopNonce: behaviour.apiRequireDpopNonce,
    ...(introspectionClient && { introspection: { endpoint: `${auth.origin}/token/introspection`, ...introspectionClient } }),
  };
  const billingScope = 'billing:read';
  const started = await Promise.allSettled([
    startResourceServer({ ...resourceOptions, calls: records.apiCalls }),
    startResourceServer({ ...resourceOptions, calls: records.billingCalls, requiredScope: billingScope, realm: 'billing' }),
  ]);
  if (started.some((outcome) => outcome.status === 'rejected')) {
    await Promise.all([auth.close(), ...started.map((outcome) => (outcome.status === 'fulfilled' ? outcome.value.close() : undefined))]);
    throw (started.find((outcome) => outcome.status === 'rejected') as PromiseRejectedResult).reason;
  }
  const [api, billing] = started.map((outcome) => (outcome as PromiseFulfilledResult<ResourceServer>).value) as [ResourceServer, ResourceServer];

  try {
    providerModule ??= quietly(() => import('oidc-provider') as Promise<ProviderModule>);
    const { default: Provider, errors } = await providerModule;
    const configuration = providerConfiguration({
      appOrigin,
      clientIds: [clientId, otherClientId],
      redirectUris,
      apiResource: api.resource,
      billing: { resource: billing.resource, scope: billingScope },
      accessTokenTtl: options.accessTokenTtl ?? 300,
      behaviour,
      ...(introspectionClient && { introspectionClient }),
      signingKeys: [key.privateJwk],
      store,
      InvalidTarget: errors.InvalidTarget as unknown as new () => Error,
    });
    const provider = await quietly(() => new Provider(issuer, configuration));
    provider.on('server_error', (_ctx: unknown, error: Error) => {
      console.error(`[embedded oidc-provider] server_error: ${error.name}: ${error.message}`);
    });
    provider.use(async (ctx: KoaContextWithOIDC, next: () => Promise<void>) => {
      await next();
      if (ctx.method !== 'POST') return;
      if (ctx.path === '/token') {
        const params = (ctx.oidc?.params ?? ctx.oidc?.body ?? {}) as { grant_type?: unknown; refresh_token?: unknown };
        const grantType = typeof params.grant_type === 'string' ? params.grant_type : 'unknown';
        const record: ServerRecords['tokenRequests'][number] = { at: Date.now(), grantType, status: ctx.status, dpop: Boolean(ctx.get('DPoP')) };
        const body = ctx.body && typeof ctx.body === 'object' ? (ctx.body as { refresh_token?: unknown; error?: unknown }) : {};
        if (ctx.status === 200) {
          const issued = body.refresh_token;
          record.refreshToken = typeof issued !== 'string' ? 'none' : issued === params.refresh_token ? 'same' : 'new';
        } else if (typeof body.error === 'string') {
          record.error = body.error;
        }
        records.tokenRequests.push(record);
      } else if (ctx.path === '/token/revocation') {
        records.revocations.push({ at: Date.now(), status: ctx.status });
      }
    });
    const quirks = quirksMiddleware(behaviour, appOrigin);
    if (quirks) provider.use(quirks); // inside the recorder: records show what the client got
    handler = provider.callback();
  } catch (error) {
    await Promise.all([auth.close(), api.close(), billing.close()]);
    throw error;
  }

  return {
    issuer,
    behaviour,
    apiOrigin: api.origin,
    apiResource: api.resource,
    billingOrigin: billing.origin,
    billingResource: billing.resource,
    billingScope,
    clientId,
    otherClientId,
    records,
    activeRefreshTokens: async () => store.countActive('RefreshToken'),
    get refuseFraming() {
      return framing.refused;
    },
    set refuseFraming(value: boolean) {
      framing.refused = value;
    },
    close: async () => {
      await Promise.all([auth.close(), api.close(), billing.close()]);
    },
  };
}

/**
 * The embedded authorization server (oidc-provider 9) and resource server that
 * the demo and the end-to-end tests run against. Both listen on 127.0.0.1 only.
 */
import { generateKeyPair, randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { default as ProviderClass, errors as ProviderErrors, KoaContextWithOIDC } from 'oidc-provider';
import { MemoryStore } from './memory-adapter.ts';
import { listen } from './net.ts';
import { providerConfiguration } from './provider-config.ts';
import { startResourceServer, type ApiCallRecord } from './resource-server.ts';

/** How to start the embedded servers. */
export interface EmbeddedOptions {
  /** SPA origin, e.g. 'http://127.0.0.1:5173': allowed by CORS, base of the redirect URIs. */
  appOrigin: string;
  /** Paths on appOrigin registered as redirect and post-logout URIs. Default ['/', '/callback']. */
  redirectPaths?: string[];
  /** Access token lifetime in seconds. Default 300. */
  accessTokenTtl?: number;
  /** The authorization server demands DPoP nonces. Default false. */
  dpopRequireNonce?: boolean;
  /** The authorization server issues refresh tokens. Default true (false: for silent renewal). */
  refreshTokens?: boolean;
  /** The API demands DPoP nonces. Default false. */
  apiRequireDpopNonce?: boolean;
}

/** What the servers saw. Never holds a token. `at` is `Date.now()`. */
export interface ServerRecords {
  tokenRequests: Array<{ at: number; grantType: string; status: number; dpop: boolean }>;
  revocations: Array<{ at: number; status: number }>;
  apiCalls: ApiCallRecord[];
  /** Empties every list (in place). */
  reset(): void;
}

/** The running authorization server and API. */
export interface EmbeddedServer {
  /** 'http://127.0.0.1:<port>' */
  issuer: string;
  /** 'http://127.0.0.1:<port2>', the resource server. */
  apiOrigin: string;
  /** The API's RFC 8707 resource identifier and JWT audience: `${apiOrigin}/`. */
  apiResource: string;
  /** 'latchkey-demo' */
  clientId: string;
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
  const store = new MemoryStore();
  const tokenRequests: ServerRecords['tokenRequests'] = [];
  const revocations: ServerRecords['revocations'] = [];
  const apiCalls: ServerRecords['apiCalls'] = [];
  const records: ServerRecords = {
    tokenRequests,
    revocations,
    apiCalls,
    reset: () => {
      tokenRequests.length = 0;
      revocations.length = 0;
      apiCalls.length = 0;
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
  const issuer = auth.origin;
  const key = await signingKey();
  const api = await startResourceServer({
    issuer,
    jwks: { keys: [key.publicJwk] },
    appOrigin,
    requireDpopNonce: options.apiRequireDpopNonce ?? false,
    calls: records.apiCalls,
  }).catch(async (error: unknown) => {
    await auth.close();
    throw error;
  });

  try {
    providerModule ??= quietly(() => import('oidc-provider') as Promise<ProviderModule>);
    const { default: Provider, errors } = await providerModule;
    const configuration = providerConfiguration({
      appOrigin,
      clientId,
      redirectUris,
      apiResource: api.resource,
      accessTokenTtl: options.accessTokenTtl ?? 300,
      dpopRequireNonce: options.dpopRequireNonce ?? false,
      refreshTokens: options.refreshTokens ?? true,
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
        const params = (ctx.oidc?.params ?? ctx.oidc?.body ?? {}) as { grant_type?: unknown };
        const grantType = typeof params.grant_type === 'string' ? params.grant_type : 'unknown';
        records.tokenRequests.push({ at: Date.now(), grantType, status: ctx.status, dpop: Boolean(ctx.get('DPoP')) });
      } else if (ctx.path === '/token/revocation') {
        records.revocations.push({ at: Date.now(), status: ctx.status });
      }
    });
    handler = provider.callback();
  } catch (error) {
    await Promise.all([auth.close(), api.close()]);
    throw error;
  }

  return {
    issuer,
    apiOrigin: api.origin,
    apiResource: api.resource,
    clientId,
    records,
    activeRefreshTokens: async () => store.countActive('RefreshToken'),
    get refuseFraming() {
      return framing.refused;
    },
    set refuseFraming(value: boolean) {
      framing.refused = value;
    },
    close: async () => {
      await Promise.all([auth.close(), api.close()]);
    },
  };
}

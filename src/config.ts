import { LatchkeyError } from './errors.js';
import type { LatchkeyEvent } from './events.js';

/** What an application passes to `createSession`. See the README for each field. */
export interface SessionConfig {
  /** The issuer URL; discovery reads `<issuer>/.well-known/openid-configuration`. */
  issuer: string;
  /** The OAuth client ID registered for this app (a public client). */
  clientId: string;
  /** Where the authorization server sends the browser back after login. */
  redirectUri: string;
  /** Scopes to request. Default `'openid profile offline_access'`. Must include `openid`. */
  scope?: string;
  /**
   * The only origins `session.fetch` attaches tokens to. Default: none. A string
   * gets the session's main token; an {@link ApiConfig} gets a token of its own.
   */
  apiOrigins?: ReadonlyArray<string | ApiConfig>;
  /** Where the server sends the browser after `logout()`. */
  postLogoutRedirectUri?: string;
  /** RFC 8707 resource indicator(s) to request tokens for. */
  resource?: string | readonly string[];
  /** Bind tokens to a DPoP key. Default: on when the server advertises DPoP support. */
  dpop?: boolean;
  /** Refresh this many seconds before the access token expires. Default 60. */
  refreshLeewaySeconds?: number;
  /** The IndexedDB database name. Default `'latchkey'`. Sessions of other issuers or clients may share it safely. */
  storageName?: string;
  /** Called with every {@link LatchkeyEvent} (never a secret); what it throws is ignored. */
  onEvent?: (event: LatchkeyEvent) => void;
}

/**
 * An API with a token of its own (RFC 8707 resource indicators, a narrower
 * scope): obtained with the session's refresh token, sent only to `origin`.
 */
export interface ApiConfig {
  /** The API's origin, e.g. `'https://billing.example.com'`. */
  origin: string;
  /** RFC 8707 resource indicator(s) for this API's token. */
  resource?: string | readonly string[];
  /** The scope of this API's token (RFC 6749 §6: a subset of the session's). */
  scope?: string;
  /** More token-request parameters (e.g. `{ audience: 'billing' }`). */
  params?: Readonly<Record<string, string>>;
}

/** An API with a token of its own, validated. @internal */
export interface ResolvedApi {
  origin: string;
  resource: readonly string[];
  scope: string | undefined;
  params: Readonly<Record<string, string>>;
}

/** A validated config with every default applied. @internal */
export interface ResolvedConfig {
  issuer: URL;
  clientId: string;
  redirectUri: URL;
  scope: string;
  apiOrigins: ReadonlySet<string>;
  /** The API origins with a token of their own. */
  apis: ReadonlyMap<string, ResolvedApi>;
  postLogoutRedirectUri: URL | undefined;
  resource: readonly string[];
  dpop: boolean | undefined;
  refreshLeewaySeconds: number;
  storageName: string;
  /** True when any server URL is plain http on a loopback host. */
  allowInsecure: boolean;
}

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);
/** Token-request parameters latchkey owns. */
const RESERVED_TOKEN_PARAMS = new Set(['grant_type', 'refresh_token', 'client_id', 'code', 'code_verifier', 'redirect_uri', 'resource', 'scope']);

function fail(field: string, problem: string): never {
  throw new LatchkeyError('invalid_config', `config.${field} ${problem}`);
}

function absoluteUrl(field: string, value: unknown, required: boolean): URL | undefined {
  if (value === undefined && !required) return undefined;
  if (typeof value !== 'string' || value === '') fail(field, 'must be an absolute URL string');
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    fail(field, `must be an absolute URL (got ${JSON.stringify(value)})`);
  }
  if (url.protocol === 'http:' && !LOOPBACK_HOSTS.has(url.hostname)) {
    fail(field, 'must use https: (http: is only allowed for localhost, 127.0.0.1 and [::1])');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') fail(field, 'must be an http(s) URL');
  if (url.username || url.password) fail(field, 'must not contain credentials');
  if (url.hash) fail(field, 'must not contain a #fragment');
  return url;
}

function stringList(field: string, value: unknown): string[] {
  if (value === undefined) return [];
  const list = typeof value === 'string' ? [value] : value;
  if (!Array.isArray(list)) fail(field, 'must be a string or an array of strings');
  return list.map((item: unknown, index) => {
    if (typeof item !== 'string' || item === '') fail(`${field}[${index}]`, 'must be a non-empty string');
    return item;
  });
}

/**
 * Validates a {@link SessionConfig} and applies the defaults. Pure.
 *
 * @throws LatchkeyError `invalid_config`, with a message naming the field.
 * @internal
 */
export function resolveConfig(input: SessionConfig): ResolvedConfig {
  if (typeof input !== 'object' || input === null) {
    throw new LatchkeyError('invalid_config', 'createSession needs a config object');
  }
  const issuer = absoluteUrl('issuer', input.issuer, true)!;
  if (issuer.search) fail('issuer', 'must not contain a query string');
  if (typeof input.clientId !== 'string' || input.clientId.trim() === '') {
    fail('clientId', 'is required (a non-empty string)');
  }
  const redirectUri = absoluteUrl('redirectUri', input.redirectUri, true)!;
  const postLogoutRedirectUri = absoluteUrl('postLogoutRedirectUri', input.postLogoutRedirectUri, false);

  const scope = input.scope ?? 'openid profile offline_access';
  if (typeof scope !== 'string' || !scope.split(/\s+/).includes('openid')) {
    fail('scope', 'must be a space-separated string that includes "openid"');
  }

  const apiOrigins = new Set<string>();
  const apis = new Map<string, ResolvedApi>();
  if (input.apiOrigins !== undefined && !Array.isArray(input.apiOrigins)) {
    fail('apiOrigins', 'must be an array of origins');
  }
  for (const [index, entry] of (input.apiOrigins ?? []).entries()) {
    const field = `apiOrigins[${index}]`;
    const spec: ApiConfig | undefined = typeof entry === 'object' && entry !== null ? entry : undefined;
    const origin: unknown = spec ? spec.origin : entry;
    if (typeof origin !== 'string' || origin === '') fail(spec ? `${field}.origin` : field, 'must be a non-empty origin string');
    const url = absoluteUrl(spec ? `${field}.origin` : field, origin, true)!;
    if (url.origin !== origin.replace(/\/$/, '')) {
      fail(spec ? `${field}.origin` : field, `must be an origin like "https://api.example.com" (got ${JSON.stringify(origin)})`);
    }
    if (apiOrigins.has(url.origin)) fail(field, `repeats the origin ${url.origin}`);
    apiOrigins.add(url.origin);
    if (!spec) continue;
    const resource = stringList(`${field}.resource`, spec.resource);
    for (const [i, value] of resource.entries()) absoluteUrl(`${field}.resource[${i}]`, value, true);
    if (spec.scope !== undefined && (typeof spec.scope !== 'string' || spec.scope.trim() === '')) fail(`${field}.scope`, 'must be a non-empty string');
    const params: Record<string, string> = {};
    if (spec.params !== undefined && (typeof spec.params !== 'object' || spec.params === null)) fail(`${field}.params`, 'must be an object of strings');
    for (const [name, value] of Object.entries(spec.params ?? {})) {
      if (typeof value !== 'string') fail(`${field}.params.${name}`, 'must be a string');
      if (RESERVED_TOKEN_PARAMS.has(name)) fail(`${field}.params.${name}`, 'is set by latchkey');
      params[name] = value;
    }
    apis.set(url.origin, { origin: url.origin, resource, scope: spec.scope, params });
  }

  const resource = stringList('resource', input.resource);
  for (const [index, value] of resource.entries()) absoluteUrl(`resource[${index}]`, value, true);

  if (input.dpop !== undefined && typeof input.dpop !== 'boolean') fail('dpop', 'must be a boolean');

  const leeway = input.refreshLeewaySeconds ?? 60;
  if (typeof leeway !== 'number' || !Number.isFinite(leeway) || leeway < 0) {
    fail('refreshLeewaySeconds', 'must be a finite number of seconds, 0 or more');
  }

  if (input.onEvent !== undefined && typeof input.onEvent !== 'function') fail('onEvent', 'must be a function');

  const storageName = input.storageName ?? 'latchkey';
  if (typeof storageName !== 'string' || storageName === '') fail('storageName', 'must be a non-empty string');

  return {
    issuer,
    clientId: input.clientId,
    redirectUri,
    scope,
    apiOrigins,
    apis,
    postLogoutRedirectUri,
    resource,
    dpop: input.dpop,
    refreshLeewaySeconds: leeway,
    storageName,
    allowInsecure: issuer.protocol === 'http:',
  };
}

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
/** What the required text fields must be. */
const NOT_TEXT = 'a non-empty string';

/** Throws `invalid_config`: "config.<field> must be <expected>". */
function fail(field: string, expected: string): never {
  throw new LatchkeyError('invalid_config', `config.${field} must be ${expected}`);
}

/** Whether `value` is an object (or an array), not null. */
function isObject(value: unknown): boolean {
  return typeof value === 'object' && value !== null;
}

/** Whether `value` is not a string with something besides whitespace in it. */
function isBlank(value: unknown): boolean {
  return typeof value !== 'string' || !value.trim();
}

/**
 * Parses an absolute http(s) URL: https, or http on a loopback host; no
 * credentials, no fragment.
 */
function absoluteUrl(field: string, value: unknown): URL {
  let url: URL | undefined;
  try {
    // Only a string: `new URL` would also take anything that stringifies to a URL.
    if (typeof value === 'string') url = new URL(value);
  } catch {
    // reported below
  }
  if (!url || (url.protocol !== 'https:' && (url.protocol !== 'http:' || !LOOPBACK_HOSTS.has(url.hostname)))) {
    return fail(field, 'an absolute https: URL (http: only on loopback)');
  }
  if (url.username || url.password || url.hash) fail(field, 'without credentials or #fragment');
  return url;
}

/** A resource indicator or a list of them (absolute URLs), as a new array. */
function resourceList(field: string, value: unknown): string[] {
  if (value === undefined) return [];
  const list = typeof value === 'string' ? [value] : value;
  if (!Array.isArray(list)) fail(field, 'a URL or an array of URLs');
  // Array.from visits holes too (as undefined), so a sparse array is rejected.
  return Array.from(list, (item: unknown, index) => {
    absoluteUrl(`${field}[${index}]`, item);
    return item as string;
  });
}

/**
 * Validates a {@link SessionConfig} and applies the defaults. Pure.
 *
 * @throws LatchkeyError `invalid_config`, with a message naming the field.
 * @internal
 */
export function resolveConfig(input: SessionConfig): ResolvedConfig {
  if (!isObject(input)) throw new LatchkeyError('invalid_config', 'config must be an object');
  const { clientId, apiOrigins: apiEntries, postLogoutRedirectUri: logoutUri } = input;
  const issuer = absoluteUrl('issuer', input.issuer);
  if (issuer.search) fail('issuer', 'without a query');
  if (isBlank(clientId)) fail('clientId', NOT_TEXT);
  const redirectUri = absoluteUrl('redirectUri', input.redirectUri);
  const postLogoutRedirectUri = logoutUri === undefined ? undefined : absoluteUrl('postLogoutRedirectUri', logoutUri);

  const scope = input.scope ?? 'openid profile offline_access';
  if (typeof scope !== 'string' || !scope.split(/\s+/).includes('openid')) fail('scope', 'a string including "openid"');

  const apiOrigins = new Set<string>();
  const apis = new Map<string, ResolvedApi>();
  if (apiEntries !== undefined && !Array.isArray(apiEntries)) fail('apiOrigins', 'an array');
  for (const [index, entry] of (apiEntries ?? []).entries()) {
    const field = `apiOrigins[${index}]`;
    const spec: ApiConfig | undefined = isObject(entry) ? entry : undefined;
    const originField = spec ? `${field}.origin` : field;
    const written: unknown = spec ? spec.origin : entry;
    const { origin } = absoluteUrl(originField, written);
    // absoluteUrl accepted it, so `written` is a string.
    if (origin !== (written as string).replace(/\/$/, '')) fail(originField, 'an origin (scheme://host[:port])');
    if (apiOrigins.has(origin)) fail(field, 'unique');
    apiOrigins.add(origin);
    if (!spec) continue;
    const { scope: apiScope, params: apiParams = {} } = spec;
    const resource = resourceList(`${field}.resource`, spec.resource);
    if (apiScope !== undefined && isBlank(apiScope)) fail(`${field}.scope`, NOT_TEXT);
    if (!isObject(apiParams)) fail(`${field}.params`, 'an object');
    const params: Record<string, string> = {};
    for (const [name, value] of Object.entries(apiParams)) {
      if (typeof value !== 'string') fail(`${field}.params.${name}`, 'a string');
      if (RESERVED_TOKEN_PARAMS.has(name)) fail(`${field}.params.${name}`, 'left to latchkey');
      params[name] = value;
    }
    apis.set(origin, { origin, resource, scope: apiScope, params });
  }

  const resource = resourceList('resource', input.resource);

  // The optional fields of one type.
  for (const [field, type] of [['dpop', 'boolean'], ['onEvent', 'function']] as const) {
    if (input[field] !== undefined && typeof input[field] !== type) fail(field, `a ${type}`);
  }

  const leeway = input.refreshLeewaySeconds ?? 60;
  // Number.isFinite is false for anything but a finite number (it does not convert).
  if (!Number.isFinite(leeway) || leeway < 0) fail('refreshLeewaySeconds', 'a number >= 0');

  const storageName = input.storageName ?? 'latchkey';
  if (typeof storageName !== 'string' || !storageName) fail('storageName', NOT_TEXT);

  return {
    issuer,
    clientId,
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

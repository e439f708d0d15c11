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
  /** The only origins `session.fetch` attaches tokens to. Default: none. */
  apiOrigins?: readonly string[];
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

/** A validated config with every default applied. @internal */
export interface ResolvedConfig {
  issuer: URL;
  clientId: string;
  redirectUri: URL;
  scope: string;
  apiOrigins: ReadonlySet<string>;
  postLogoutRedirectUri: URL | undefined;
  resource: readonly string[];
  dpop: boolean | undefined;
  refreshLeewaySeconds: number;
  storageName: string;
  /** True when any server URL is plain http on a loopback host. */
  allowInsecure: boolean;
}

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

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
  if (input.apiOrigins !== undefined && !Array.isArray(input.apiOrigins)) {
    fail('apiOrigins', 'must be an array of origins');
  }
  for (const [index, origin] of stringList('apiOrigins', input.apiOrigins).entries()) {
    const url = absoluteUrl(`apiOrigins[${index}]`, origin, true)!;
    if (url.origin !== origin.replace(/\/$/, '')) {
      fail(`apiOrigins[${index}]`, `must be an origin like "https://api.example.com" (got ${JSON.stringify(origin)})`);
    }
    apiOrigins.add(url.origin);
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
    postLogoutRedirectUri,
    resource,
    dpop: input.dpop,
    refreshLeewaySeconds: leeway,
    storageName,
    allowInsecure: issuer.protocol === 'http:',
  };
}

import * as oauth from 'oauth4webapi';
import { LatchkeyError } from './errors.js';
import { shouldAttachToken } from './fetch.js';
import { capabilityCore } from './internal.js';
import type { Session } from './session.js';

/**
 * The headers `session.fetch` would add to a request with `method` to `url`:
 * `authorization` (`Bearer <token>`, or `DPoP <token>`), plus `dpop`, a fresh
 * proof bound to exactly this method and URL, for a DPoP-bound token. For HTTP
 * clients that are not `fetch` (XHR, axios, Angular's `HttpClient`): call it
 * for every request, since a proof is good for one request only. The proof
 * carries the DPoP nonce latchkey last learned for that origin (through
 * `session.fetch`, which answers `use_dpop_nonce` challenges by itself). The
 * method is upper-cased, as XHR and axios send it.
 *
 * @example
 * ```ts
 * api.interceptors.request.use(async (config) => {
 *   const url = new URL(config.url!, config.baseURL);
 *   config.headers.set(await getAuthorizationHeaders(session, url, config.method?.toUpperCase()));
 *   return config;
 * });
 * ```
 * @param url - absolute, or relative to the page
 * @param method - the request's method, default `GET`
 * @throws LatchkeyError `origin_not_allowed` for a URL whose origin is not one
 * of `apiOrigins`, `login_required` without a session,
 * `unsupported_environment` outside a browser.
 */
export async function getAuthorizationHeaders<User extends { sub: string }>(
  session: Session<User>,
  url: string | URL,
  method = 'GET',
): Promise<Record<string, string>> {
  const core = capabilityCore(session, 'getAuthorizationHeaders()');
  const target = new URL(url, core.env.currentUrl() ?? core.config.redirectUri.href);
  if (!shouldAttachToken(target, core.config.apiOrigins)) {
    throw new LatchkeyError('origin_not_allowed', `${target.origin} is not one of apiOrigins: no token is sent there`);
  }
  const credentials = await core.credentials(target.origin);
  if (!credentials.dpop) return { authorization: `Bearer ${credentials.accessToken}` };
  // oauth4webapi makes the proof exactly as session.fetch does; the request it
  // would send is captured and never leaves (a synthetic answer comes back).
  let captured: Headers | undefined;
  await oauth.protectedResourceRequest(credentials.accessToken, method.toUpperCase(), target, new Headers(), null, {
    DPoP: credentials.dpop,
    [oauth.allowInsecureRequests]: target.protocol === 'http:',
    [oauth.customFetch]: (_href, init) => {
      captured = new Headers(init.headers);
      return Promise.resolve(new Response(null, { status: 204 }));
    },
  });
  const authorization = captured?.get('authorization');
  const proof = captured?.get('dpop');
  if (!authorization || !proof) throw new LatchkeyError('server_error', 'Could not make the DPoP proof for this request');
  return { authorization, dpop: proof };
}

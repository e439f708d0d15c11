import * as oauth from 'oauth4webapi';

/**
 * Whether a request to `url` gets the session's token: only when its origin is
 * exactly one of `apiOrigins` (scheme, host and port) and it carries no
 * userinfo. Pure.
 * @internal
 */
export function shouldAttachToken(url: URL, apiOrigins: ReadonlySet<string>): boolean {
  return url.username === '' && url.password === '' && apiOrigins.has(url.origin);
}

/** The token a request is sent with. @internal */
export interface Credentials {
  accessToken: string;
  /** The DPoP handle when the token is DPoP-bound (it remembers nonces per origin). */
  dpop: oauth.DPoPHandle | undefined;
}

/** What the fetch wrapper needs from the session. @internal */
export interface FetchDeps {
  fetch: typeof fetch;
  apiOrigins: ReadonlySet<string>;
  /** The base for relative URLs: the page's URL. */
  baseUrl: () => string;
  /** Resolves to a valid token, or rejects with `login_required`. */
  credentials: () => Promise<Credentials>;
}

function isNonceChallenge(error: unknown): boolean {
  return oauth.isDPoPNonceError(error);
}

/**
 * Sends `request` with the token: `Authorization: Bearer`, or `Authorization:
 * DPoP` plus a fresh proof made by oauth4webapi (`htm`, `htu`, `ath`, `iat`,
 * `jti`, the origin's nonce). A challenge is returned as the plain response.
 */
async function sendWithToken(fetchImpl: typeof fetch, request: Request, credentials: Credentials): Promise<Response> {
  const url = new URL(request.url);
  const headers = new Headers(request.headers);
  headers.delete('authorization');
  headers.delete('dpop');
  return oauth.protectedResourceRequest(credentials.accessToken, request.method, url, headers, null, {
    ...(credentials.dpop && { DPoP: credentials.dpop }),
    [oauth.allowInsecureRequests]: url.protocol === 'http:',
    // oauth4webapi computes the headers; the caller's request keeps everything else
    // (body, credentials, mode, signal, redirect, cache).
    [oauth.customFetch]: (_href, init) => fetchImpl(new Request(request, { headers: init.headers })),
  });
}

/**
 * Creates `session.fetch`: the signature of `window.fetch`, usable unbound.
 * Requests to other origins go out untouched; requests to an API origin get the
 * token, and a `use_dpop_nonce` challenge is answered by one retry.
 * @internal
 */
export function createAuthorizedFetch(deps: FetchDeps): typeof fetch {
  return async function latchkeyFetch(input: RequestInfo | URL, init?: RequestInit): Promise<Response> {
    const target = new URL(input instanceof Request ? input.url : String(input), deps.baseUrl());
    if (!shouldAttachToken(target, deps.apiOrigins)) return deps.fetch(input, init);

    const credentials = await deps.credentials();
    const request = new Request(typeof input === 'string' || input instanceof URL ? target : input, init);
    const replay = credentials.dpop ? request.clone() : undefined;
    try {
      return await sendWithToken(deps.fetch, request, credentials);
    } catch (error) {
      if (error instanceof oauth.WWWAuthenticateChallengeError) {
        if (replay && isNonceChallenge(error)) {
          await error.response.body?.cancel();
          return sendWithToken(deps.fetch, replay, credentials).catch((again: unknown) => {
            if (again instanceof oauth.WWWAuthenticateChallengeError) return again.response;
            throw again;
          });
        }
        return error.response;
      }
      throw error;
    }
  };
}

import * as oauth from 'oauth4webapi';

/**
 * Whether a request to `url` gets the session's token: only when its origin is
 * exactly one of `apiOrigins` (scheme, host and port) and it carries no
 * userinfo. Pure.
 * @internal
 */
export function shouldAttachToken(url: URL, apiOrigins: ReadonlySet<string>): boolean {
  return !url.username && !url.password && apiOrigins.has(url.origin);
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
  /** Resolves to a valid token for the API at `origin`, or rejects with `login_required`. */
  credentials: (origin: string) => Promise<Credentials>;
  /** Refreshes after the API at `origin` rejected `rejected` (shared with any refresh in flight). */
  renew: (rejected: Credentials, origin: string) => Promise<Credentials>;
}

/**
 * What a challenge asks latchkey to do: retry with the server's DPoP nonce
 * (`use_dpop_nonce`), or refresh the token and retry (`invalid_token`).
 */
type Challenge = 'nonce' | 'refresh' | undefined;

/** What a `401` challenge asks for, if anything latchkey can answer. Pure. @internal */
export function challengeKind(error: oauth.WWWAuthenticateChallengeError): Challenge {
  if (oauth.isDPoPNonceError(error)) return 'nonce';
  return error.response.status === 401 && error.cause.some((challenge) => challenge.parameters.error === 'invalid_token')
    ? 'refresh'
    : undefined;
}

/** Whether a Bearer `401` says the token is no good (RFC 6750 §3.1). Pure. @internal */
export function isInvalidTokenResponse(response: Response): boolean {
  return response.status === 401 && /\berror\s*=\s*"?invalid_token\b/i.test(response.headers.get('www-authenticate') ?? '');
}

/**
 * Sends `request` with the token: `Authorization: Bearer`, or `Authorization:
 * DPoP` plus a fresh proof made by oauth4webapi (`htm`, `htu`, `ath`, `iat`,
 * `jti`, the origin's nonce). The caller's request keeps everything else (body,
 * credentials, mode, signal, redirect, cache). `url` is the request's URL,
 * parsed. Returns the response and the challenge it carries.
 */
async function sendWithToken(
  fetchImpl: typeof fetch,
  request: Request,
  url: URL,
  credentials: Credentials,
): Promise<[Response, Challenge]> {
  const headers = new Headers(request.headers);
  headers.delete('dpop');
  // A token-bearing request never follows a redirect: the browser would carry the
  // DPoP proof (and, in some engines, the token) to wherever the API points.
  const send = (sentHeaders: HeadersInit) =>
    fetchImpl(new Request(request, { headers: sentHeaders, redirect: request.redirect === 'error' ? 'error' : 'manual' }));
  if (!credentials.dpop) {
    // Bearer needs no help: one header, on the hot path of every API call.
    headers.set('authorization', `Bearer ${credentials.accessToken}`);
    const response = await send(headers);
    return [response, isInvalidTokenResponse(response) ? 'refresh' : undefined];
  }
  headers.delete('authorization');
  try {
    const response = await oauth.protectedResourceRequest(credentials.accessToken, request.method, url, headers, null, {
      DPoP: credentials.dpop,
      [oauth.allowInsecureRequests]: url.protocol === 'http:',
      [oauth.customFetch]: (_href, init) => send(init.headers),
    });
    return [response, undefined];
  } catch (error) {
    if (!(error instanceof oauth.WWWAuthenticateChallengeError)) throw error;
    return [error.response, challengeKind(error)];
  }
}

/**
 * Creates `session.fetch`: the signature of `window.fetch`, usable unbound.
 * Requests to other origins go out untouched. Requests to an API origin get the
 * token and are not followed through redirects (the caller gets the redirect
 * itself); a `use_dpop_nonce` challenge is answered by one retry with the nonce,
 * an `invalid_token` challenge by one refresh and one retry, when the body can
 * be sent again (not a stream).
 * @internal
 */
export function createAuthorizedFetch(deps: FetchDeps): typeof fetch {
  return async function latchkeyFetch(input: RequestInfo | URL, init?: RequestInit): Promise<Response> {
    const target = new URL(input instanceof Request ? input.url : String(input), deps.baseUrl());
    if (!shouldAttachToken(target, deps.apiOrigins)) return deps.fetch(input, init);

    let credentials = await deps.credentials(target.origin);
    // Sent to `target`, the URL just checked (a Request keeps its own, the same).
    let request = new Request(input instanceof Request ? input : target, init);
    const replayable = !(init?.body instanceof ReadableStream);
    // Each kind of challenge is answered once at most.
    const answered = new Set<Challenge>();
    for (;;) {
      // A request without a body can be sent again as it is; one with a body needs a copy.
      const spare = !replayable ? undefined : request.body === null ? request : request.clone();
      const [response, challenge] = await sendWithToken(deps.fetch, request, target, credentials);
      if (!spare || !challenge || answered.has(challenge)) return response;
      answered.add(challenge);
      if (challenge !== 'nonce') {
        try {
          credentials = await deps.renew(credentials, target.origin);
        } catch {
          return response; // the session says why (snapshot.error); the caller gets the 401
        }
      }
      await response.body?.cancel();
      request = spare;
    }
  };
}

/**
 * An in-memory authorization server and API for unit tests: a `fetch` that answers
 * with real `Response`s and throws on any request it does not expect.
 */
export interface FakeServerOptions {
  par?: boolean;
  dpop?: boolean;
  /** Seconds; default 300. */
  expiresIn?: number;
  /** Demand a DPoP nonce at the token endpoint / at the API. */
  tokenNonce?: boolean;
  apiNonce?: boolean;
  /** The server's clock minus the real one, ms (clock skew). */
  clockOffsetMs?: number;
}

export interface RecordedRequest {
  method: string;
  url: URL;
  headers: Headers;
  body: string;
}

const b64u = (value: string | Uint8Array) =>
  Buffer.from(value).toString('base64').replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
const fromB64u = (value: string) => JSON.parse(Buffer.from(value, 'base64url').toString('utf8'));

export const ISSUER = 'https://auth.example.com';
export const API = 'https://api.example.com';
export const APP = 'https://app.example.com/';

export function fakeServer(options: FakeServerOptions = {}) {
  const requests: RecordedRequest[] = [];
  const pushed = new Map<string, URLSearchParams>();
  const codes = new Map<string, URLSearchParams>();
  const refreshTokens = new Set<string>();
  let serial = 0;
  let online = true;
  /** How the token endpoint fails, if it does. */
  let tokenFault: 'offline' | 503 | undefined;
  const liveAccessTokens = new Set<string>();
  /** Hooks that make the server answer badly on purpose. */
  const tamper: {
    discovery?: (doc: Record<string, unknown>) => Record<string, unknown>;
    idToken?: (claims: Record<string, unknown>) => Record<string, unknown>;
    token?: (body: Record<string, unknown>) => Response;
  } = {};
  const nonce = 'server-nonce-1';

  const json = (body: unknown, status = 200, headers: Record<string, string> = {}) =>
    new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });

  function idToken(sub: string, clientId: string, extra: Record<string, unknown>) {
    const now = Math.floor((Date.now() + (options.clockOffsetMs ?? 0)) / 1000);
    return [
      b64u(JSON.stringify({ alg: 'RS256', typ: 'JWT' })),
      b64u(JSON.stringify((tamper.idToken ?? ((c) => c))({ iss: ISSUER, aud: clientId, sub, iat: now, exp: now + 300, ...extra }))),
      b64u('not-verified-for-token-endpoint-responses'),
    ].join('.');
  }

  function tokens(clientId: string, sub: string, dpop: boolean, extra: Record<string, unknown>) {
    const refresh = `rt-${++serial}`;
    refreshTokens.add(refresh);
    liveAccessTokens.add(`at-${serial}`);
    const body = {
      access_token: `at-${serial}`,
      token_type: dpop ? 'DPoP' : 'Bearer',
      expires_in: options.expiresIn ?? 300,
      refresh_token: refresh,
      id_token: idToken(sub, clientId, extra),
      scope: 'openid profile offline_access',
    };
    return tamper.token ? tamper.token(body) : json(body);
  }

  const fetch: typeof globalThis.fetch = async (input, init) => {
    if (!online) throw new TypeError('Failed to fetch');
    const request = new Request(input, init);
    const url = new URL(request.url);
    const body = await request.text();
    requests.push({ method: request.method, url, headers: request.headers, body });
    const form = new URLSearchParams(body);
    const route = `${request.method} ${url.origin}${url.pathname}`;
    const proof = request.headers.get('dpop');

    if (route === `GET ${ISSUER}/.well-known/openid-configuration`) {
      return json((tamper.discovery ?? ((d) => d))({
        issuer: ISSUER,
        authorization_endpoint: `${ISSUER}/auth`,
        token_endpoint: `${ISSUER}/token`,
        revocation_endpoint: `${ISSUER}/revoke`,
        end_session_endpoint: `${ISSUER}/logout`,
        jwks_uri: `${ISSUER}/jwks`,
        ...(options.par && { pushed_authorization_request_endpoint: `${ISSUER}/par` }),
        ...(options.dpop && { dpop_signing_alg_values_supported: ['ES256'] }),
        authorization_response_iss_parameter_supported: true,
        id_token_signing_alg_values_supported: ['RS256'],
      }));
    }
    if (route === `POST ${ISSUER}/par`) {
      const uri = `urn:request:${++serial}`;
      pushed.set(uri, form);
      return json({ request_uri: uri, expires_in: 60 }, 201);
    }
    if (route === `POST ${ISSUER}/token`) {
      if (tokenFault === 'offline') throw new TypeError('Failed to fetch');
      if (tokenFault === 503) return new Response('busy', { status: 503 });
      if (options.tokenNonce && (!proof || fromB64u(proof.split('.')[1]!).nonce !== nonce)) {
        return json({ error: 'use_dpop_nonce' }, 400, { 'dpop-nonce': nonce });
      }
      if (form.get('grant_type') === 'authorization_code') {
        const authz = codes.get(form.get('code') ?? '');
        codes.delete(form.get('code') ?? '');
        if (!authz) return json({ error: 'invalid_grant' }, 400);
        return tokens(authz.get('client_id')!, authz.get('login_hint') ?? 'alice', proof !== null, { nonce: authz.get('nonce') });
      }
      if (form.get('grant_type') === 'refresh_token') {
        if (!refreshTokens.delete(form.get('refresh_token') ?? '')) return json({ error: 'invalid_grant' }, 400);
        return tokens(form.get('client_id')!, 'alice', proof !== null, {});
      }
    }
    if (route === `POST ${ISSUER}/revoke`) {
      refreshTokens.delete(form.get('token') ?? '');
      return new Response(null, { status: 200 });
    }
    if (url.origin !== ISSUER) {
      const auth = request.headers.get('authorization');
      if (options.apiNonce && proof && fromB64u(proof.split('.')[1]!).nonce !== nonce) {
        return new Response(null, { status: 401, headers: { 'www-authenticate': 'DPoP error="use_dpop_nonce"', 'dpop-nonce': nonce } });
      }
      const token = auth?.split(' ')[1];
      if (url.pathname.startsWith('/strict') && (!token || !liveAccessTokens.has(token))) {
        return new Response(null, { status: 401, headers: { 'www-authenticate': 'Bearer error="invalid_token"' } });
      }
      return json({ authorization: auth, dpop: proof !== null, body });
    }
    throw new Error(`fake server: unexpected request ${route}`);
  };

  return {
    fetch,
    requests,
    tamper,
    refreshTokens,
    setOnline(value: boolean) {
      online = value;
    },
    setTokenFault(fault: 'offline' | 503 | undefined) {
      tokenFault = fault;
    },
    /** The API's `/strict` paths reject every access token issued so far. */
    revokeAccessTokens() {
      liveAccessTokens.clear();
    },
    tokenRequests: (grantType: string) =>
      requests.filter((r) => r.url.pathname === '/token' && new URLSearchParams(r.body).get('grant_type') === grantType).length,
    /** Plays the user at the authorization endpoint: returns the callback URL. */
    authorize(authorizationUrl: string, result: { error?: string; sub?: string } = {}): string {
      const url = new URL(authorizationUrl);
      const params = url.searchParams.has('request_uri') ? pushed.get(url.searchParams.get('request_uri')!)! : url.searchParams;
      const callback = new URL(params.get('redirect_uri')!);
      callback.searchParams.set('state', params.get('state')!);
      callback.searchParams.set('iss', ISSUER);
      if (result.error) {
        callback.searchParams.set('error', result.error);
      } else {
        const code = `code-${++serial}`;
        if (result.sub) params.set('login_hint', result.sub);
        codes.set(code, params);
        callback.searchParams.set('code', code);
      }
      return callback.href;
    },
    pushedParams: (uri: string) => pushed.get(uri),
    decodeProof: (proof: string) => ({ header: fromB64u(proof.split('.')[0]!), payload: fromB64u(proof.split('.')[1]!) }),
  };
}

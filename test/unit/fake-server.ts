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

export type TokenFault = 'offline' | 503 | 429 | '400-empty' | '401-html';
export type HoldKind = 'refresh' | 'code' | 'revoke' | 'discovery';

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
  /** Whose grant each refresh token continues. */
  const subjects = new Map<string, string>();
  /** Which resource each access token was issued for ('main' without a resource indicator). */
  const audiences = new Map<string, string>();
  let serial = 0;
  let online = true;
  /** How the token endpoint fails, if it does. */
  let tokenFault: TokenFault | undefined;
  /** Requests held before their answer goes out: `release()` lets it go. */
  const holds: Array<{ kind: HoldKind; arrived: () => void; gate: Promise<void> }> = [];
  /** The `Date` header of token responses, if any. */
  let dateHeader: (() => string) | undefined;
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

  function tokens(clientId: string, sub: string, dpop: boolean, extra: Record<string, unknown>, resource?: string | null) {
    const refresh = `rt-${++serial}`;
    audiences.set(`at-${serial}`, resource ?? 'main');
    refreshTokens.add(refresh);
    subjects.set(refresh, sub);
    liveAccessTokens.add(`at-${serial}`);
    const body = {
      access_token: `at-${serial}`,
      token_type: dpop ? 'DPoP' : 'Bearer',
      expires_in: options.expiresIn ?? 300,
      refresh_token: refresh,
      id_token: idToken(sub, clientId, extra),
      scope: 'openid profile offline_access',
    };
    return tamper.token ? tamper.token(body) : json(body, 200, dateHeader ? { date: dateHeader() } : {});
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
    const kind: HoldKind | undefined = route === `POST ${ISSUER}/revoke` ? 'revoke'
      : route === `POST ${ISSUER}/token` ? (form.get('grant_type') === 'refresh_token' ? 'refresh' : 'code')
      : route === `GET ${ISSUER}/.well-known/openid-configuration` ? 'discovery' : undefined;
    const hold = kind && holds.find((entry) => entry.kind === kind);
    if (hold) {
      holds.splice(holds.indexOf(hold), 1);
      const response = await answer();
      hold.arrived();
      await hold.gate;
      return response;
    }
    return answer();

    async function answer(): Promise<Response> {
    if (route === `POST ${ISSUER}/token`) {
      if (tokenFault === 'offline') throw new TypeError('Failed to fetch');
      if (tokenFault === 503) return new Response('busy', { status: 503 });
      if (tokenFault === 429) return new Response('slow down', { status: 429 });
      if (tokenFault === '400-empty') return new Response(null, { status: 400 });
      if (tokenFault === '401-html') return new Response('<html>no</html>', { status: 401, headers: { 'content-type': 'text/html' } });
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
        const spent = form.get('refresh_token') ?? '';
        if (!refreshTokens.delete(spent)) return json({ error: 'invalid_grant' }, 400);
        return tokens(form.get('client_id')!, subjects.get(spent) ?? 'alice', proof !== null, {}, form.get('resource'));
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
    }
  };

  return {
    fetch,
    requests,
    tamper,
    refreshTokens,
    setOnline(value: boolean) {
      online = value;
    },
    setTokenFault(fault: TokenFault | undefined) {
      tokenFault = fault;
    },
    /** Token responses carry this `Date` header (undefined: none). */
    setDateHeader(value: (() => string) | undefined) {
      dateHeader = value;
    },
    /**
     * Holds the next request of `kind`: the server does its work (a refresh
     * token is spent) but the answer waits for `release()`. `arrived` resolves
     * once the request reached the server.
     */
    hold(kind: HoldKind) {
      let release!: () => void;
      let arrived!: () => void;
      const gate = new Promise<void>((resolve) => (release = resolve));
      const reached = new Promise<void>((resolve) => (arrived = resolve));
      holds.push({ kind, arrived, gate });
      return { release, arrived: reached };
    },
    /** The refresh tokens sent to the token endpoint, in order. */
    sentRefreshTokens: () =>
      requests.filter((r) => r.url.pathname === '/token' && new URLSearchParams(r.body).get('grant_type') === 'refresh_token')
        .map((r) => new URLSearchParams(r.body).get('refresh_token')),
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
    /** The resource an access token was issued for ('main' for none). */
    audienceOf: (accessToken: string) => audiences.get(accessToken),
    decodeProof: (proof: string) => ({ header: fromB64u(proof.split('.')[0]!), payload: fromB64u(proof.split('.')[1]!) }),
  };
}

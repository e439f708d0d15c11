/**
 * The demo resource server: a plain node:http API that accepts the embedded
 * authorization server's access tokens, as Bearer or DPoP-bound (RFC 9449):
 * JWTs (RFC 9068) verified locally, or opaque tokens asked about at the
 * server's introspection endpoint (RFC 7662).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createLocalJWKSet, jwtVerify, type JSONWebKeySet, type JWTPayload } from 'jose';
import { DpopProofError, DpopVerifier } from './dpop-proof.ts';
import { listen, type Listening } from './net.ts';

/** One request the API answered (preflights are not recorded). Never holds a token. */
export interface ApiCallRecord {
  at: number;
  path: string;
  scheme: 'Bearer' | 'DPoP' | null;
  status: number;
  sub?: string;
  error?: string;
}

/** How the resource server is set up. */
export interface ResourceServerOptions {
  issuer: string;
  /** The issuer's public keys (the same set it serves at its jwks_uri). */
  jwks: JSONWebKeySet;
  appOrigin: string;
  requireDpopNonce: boolean;
  /**
   * Opaque access tokens: the introspection endpoint (RFC 7662) and the API's
   * client credentials there. Read when a request comes, so it may be set after start.
   */
  introspection?: { endpoint: string; clientId: string; clientSecret: string };
  /** Where each answered request is appended. */
  calls: ApiCallRecord[];
}

/** A running resource server. */
export interface ResourceServer extends Listening {
  /** The RFC 8707 resource identifier and JWT audience: `${origin}/`. */
  resource: string;
}

interface Failure {
  status: number;
  challenge: string;
  error: string;
  nonce?: boolean;
}

const ALLOW_HEADERS = 'Authorization, DPoP, Content-Type, X-Custom';
const EXPOSE_HEADERS = 'WWW-Authenticate, DPoP-Nonce';

/** Starts the API on 127.0.0.1 on a free port. */
export async function startResourceServer(options: ResourceServerOptions): Promise<ResourceServer> {
  const keys = createLocalJWKSet(options.jwks);
  const dpop = new DpopVerifier(options.requireDpopNonce);
  const rejectedOnce = new Set<string>();
  let origin = '';
  let resource = '';

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', origin);
    const method = req.method ?? 'GET';
    if (req.headers.origin === options.appOrigin) {
      res.setHeader('Access-Control-Allow-Origin', options.appOrigin);
      res.setHeader('Access-Control-Expose-Headers', EXPOSE_HEADERS);
    }
    res.setHeader('Vary', 'Origin');
    res.setHeader('Cache-Control', 'no-store');
    if (method === 'OPTIONS') {
      res.setHeader('Access-Control-Allow-Methods', 'GET, POST, PUT, DELETE');
      res.setHeader('Access-Control-Allow-Headers', ALLOW_HEADERS);
      res.setHeader('Access-Control-Max-Age', '600');
      res.writeHead(204).end();
      return;
    }
    const body = await readBody(req);
    const authorization = req.headers.authorization ?? null;
    const scheme = schemeOf(authorization);
    const record = (status: number, extra: Partial<ApiCallRecord> = {}) =>
      options.calls.push({ at: Date.now(), path: url.pathname, scheme, status, ...extra });

    if (url.pathname === '/public') {
      record(200);
      return json(res, 200, { authorization });
    }
    if (!url.pathname.startsWith('/api/')) {
      record(404, { error: 'not_found' });
      return json(res, 404, { error: 'not_found' });
    }
    // `/api/reject-once/<key>`: the first call for each path is refused with
    // `invalid_token` (as if the token had been revoked); later calls are checked
    // as usual. Lets a test see a client refresh and replay its request.
    if (url.pathname.startsWith('/api/reject-once/') && !rejectedOnce.has(url.pathname)) {
      rejectedOnce.add(url.pathname);
      const failure = fail(scheme ?? 'Bearer', 'invalid_token', 'refused once');
      res.setHeader('WWW-Authenticate', failure.challenge);
      record(failure.status, { error: failure.error });
      return json(res, failure.status, { error: failure.error });
    }

    const outcome = await authenticate(req, authorization, `${origin}${url.pathname}`);
    if ('challenge' in outcome) {
      res.setHeader('WWW-Authenticate', outcome.challenge);
      if (outcome.nonce) res.setHeader('DPoP-Nonce', dpop.nonce());
      record(outcome.status, { error: outcome.error });
      return json(res, outcome.status, { error: outcome.error });
    }
    if (options.requireDpopNonce && outcome.jkt) res.setHeader('DPoP-Nonce', dpop.nonce());
    const sub = typeof outcome.claims.sub === 'string' ? outcome.claims.sub : undefined;
    record(200, sub === undefined ? {} : { sub });
    return json(res, 200, {
      sub,
      scope: outcome.claims.scope ?? '',
      dpopBound: outcome.jkt !== undefined,
      ...(outcome.jkt === undefined ? {} : { jkt: outcome.jkt }),
      method,
      ...(method === 'GET' || method === 'HEAD' ? {} : { echo: body }),
    });
  };

  async function authenticate(
    req: IncomingMessage,
    authorization: string | null,
    htu: string,
  ): Promise<Failure | { claims: JWTPayload; jkt?: string }> {
    const match = /^(Bearer|DPoP) +([A-Za-z0-9\-._~+/]+=*)$/i.exec(authorization ?? '');
    if (!authorization) return { status: 401, challenge: 'Bearer realm="api", DPoP algs="ES256"', error: 'missing_token' };
    if (!match) return fail('Bearer', 'invalid_request', 'malformed Authorization header', 400);
    const scheme = match[1]!.toLowerCase() === 'dpop' ? 'DPoP' : 'Bearer';
    const token = match[2]!;
    let claims: JWTPayload;
    if (options.introspection) {
      const active = await introspect(options.introspection, token);
      const audiences = typeof active?.aud === 'string' ? [active.aud] : Array.isArray(active?.aud) ? active.aud : [];
      if (!active || active.iss !== options.issuer || !audiences.includes(resource)) {
        return fail(scheme, 'invalid_token', 'access token rejected (introspection)');
      }
      claims = active;
    } else {
      try {
        ({ payload: claims } = await jwtVerify(token, keys, {
          issuer: options.issuer,
          audience: resource,
          typ: 'at+jwt',
        }));
      } catch (cause) {
        return fail(scheme, 'invalid_token', `access token rejected (${(cause as Error).name})`);
      }
    }
    const jkt = (claims.cnf as { jkt?: unknown } | undefined)?.jkt;
    if (typeof jkt !== 'string') {
      if (scheme === 'DPoP') return fail('DPoP', 'invalid_token', 'the access token is not DPoP-bound');
      return { claims };
    }
    if (scheme === 'Bearer') return fail('Bearer', 'invalid_token', 'a DPoP-bound token must use the DPoP scheme');
    const proof = req.headers.dpop;
    if (typeof proof !== 'string' || proof.includes(',')) {
      return fail('DPoP', 'invalid_dpop_proof', 'exactly one DPoP proof header is required');
    }
    try {
      const thumbprint = await dpop.verify(proof, { method: req.method ?? 'GET', url: htu, accessToken: token });
      if (thumbprint !== jkt) return fail('DPoP', 'invalid_dpop_proof', 'proof key does not match cnf.jkt');
    } catch (error) {
      if (!(error instanceof DpopProofError)) throw error;
      const failure = fail('DPoP', error.code, error.message);
      return error.code === 'use_dpop_nonce' ? { ...failure, nonce: true } : failure;
    }
    return { claims, jkt };
  }

  const listening = await listen((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  });
  origin = listening.origin;
  resource = `${origin}/`;
  return { ...listening, resource };
}

/** RFC 7662: the token's claims when the server says it is active, else null. */
async function introspect(
  at: NonNullable<ResourceServerOptions['introspection']>,
  token: string,
): Promise<JWTPayload | null> {
  const response = await fetch(at.endpoint, {
    method: 'POST',
    headers: {
      Authorization: `Basic ${Buffer.from(`${encodeURIComponent(at.clientId)}:${encodeURIComponent(at.clientSecret)}`).toString('base64')}`,
      'Content-Type': 'application/x-www-form-urlencoded',
      Accept: 'application/json',
    },
    body: new URLSearchParams({ token, token_type_hint: 'access_token' }),
  });
  if (!response.ok) throw new Error(`introspection answered ${response.status}`);
  const body = (await response.json()) as JWTPayload & { active?: unknown; token_type?: unknown };
  if (body.active !== true || body.token_type === 'refresh_token') return null;
  return body;
}

function fail(scheme: 'Bearer' | 'DPoP', error: string, description: string, status = 401): Failure {
  const algs = scheme === 'DPoP' ? ', algs="ES256"' : '';
  return { status, error, challenge: `${scheme} error="${error}", error_description="${description}"${algs}` };
}

function schemeOf(authorization: string | null): 'Bearer' | 'DPoP' | null {
  const scheme = authorization?.split(' ', 1)[0]?.toLowerCase();
  if (scheme === 'bearer') return 'Bearer';
  if (scheme === 'dpop') return 'DPoP';
  return null;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify(body));
}

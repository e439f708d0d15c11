/**
 * DPoP proof checks for the demo resource server (RFC 9449 §4.3 and §7.1).
 */
import { createHash, randomBytes } from 'node:crypto';
import { calculateJwkThumbprint, EmbeddedJWK, jwtVerify } from 'jose';

/** Why a proof was refused: `use_dpop_nonce` asks the client to retry with a nonce. */
export class DpopProofError extends Error {
  constructor(
    readonly code: 'invalid_dpop_proof' | 'use_dpop_nonce',
    message: string,
  ) {
    super(message);
    this.name = 'DpopProofError';
  }
}

/** What the caller knows about the request the proof must match. */
export interface ProofExpectations {
  method: string;
  /** The request URL without query or fragment. */
  url: string;
  accessToken: string;
}

const IAT_WINDOW_SECONDS = 60;
const NONCE_LIFETIME_MS = 5 * 60 * 1000;

/**
 * Validates DPoP proofs, remembers used `jti` values, and hands out nonces.
 * One instance per resource server.
 */
export class DpopVerifier {
  private readonly seenJti = new Map<string, number>();
  private readonly nonces = new Map<string, number>();
  private current: string | undefined;

  constructor(private readonly requireNonce: boolean) {}

  /** The nonce to announce in a `DPoP-Nonce` header; rotates every few minutes. */
  nonce(): string {
    const now = Date.now();
    if (!this.current || (this.nonces.get(this.current) ?? 0) - now < NONCE_LIFETIME_MS / 2) {
      this.current = randomBytes(16).toString('base64url');
      this.nonces.set(this.current, now + NONCE_LIFETIME_MS);
    }
    return this.current;
  }

  /**
   * Verifies `proof` against `expected`; resolves to the JWK thumbprint of the
   * proof key, or rejects with {@link DpopProofError}.
   */
  async verify(proof: string, expected: ProofExpectations): Promise<string> {
    let header: Awaited<ReturnType<typeof jwtVerify>>['protectedHeader'];
    let payload: Awaited<ReturnType<typeof jwtVerify>>['payload'];
    try {
      ({ protectedHeader: header, payload } = await jwtVerify(proof, EmbeddedJWK, {
        typ: 'dpop+jwt',
        algorithms: ['ES256'],
      }));
    } catch (cause) {
      throw new DpopProofError('invalid_dpop_proof', `proof signature or header rejected (${(cause as Error).name})`);
    }
    const now = Math.floor(Date.now() / 1000);
    if (typeof payload.iat !== 'number' || Math.abs(now - payload.iat) > IAT_WINDOW_SECONDS) {
      throw new DpopProofError('invalid_dpop_proof', 'iat missing or outside the accepted window');
    }
    if (typeof payload.jti !== 'string' || payload.jti.length === 0) {
      throw new DpopProofError('invalid_dpop_proof', 'jti missing');
    }
    if (payload.htm !== expected.method) {
      throw new DpopProofError('invalid_dpop_proof', 'htm mismatch');
    }
    if (typeof payload.htu !== 'string' || normalize(payload.htu) !== normalize(expected.url)) {
      throw new DpopProofError('invalid_dpop_proof', 'htu mismatch');
    }
    const ath = createHash('sha256').update(expected.accessToken).digest('base64url');
    if (payload.ath !== ath) {
      throw new DpopProofError('invalid_dpop_proof', 'ath mismatch');
    }
    this.checkNonce(payload.nonce);
    this.rememberJti(payload.jti, now);
    if (!header.jwk) throw new DpopProofError('invalid_dpop_proof', 'jwk header missing');
    return calculateJwkThumbprint(header.jwk, 'sha256');
  }

  private checkNonce(nonce: unknown): void {
    if (!this.requireNonce) return;
    if (typeof nonce !== 'string') {
      throw new DpopProofError('use_dpop_nonce', 'a DPoP nonce is required');
    }
    const expiresAt = this.nonces.get(nonce);
    if (expiresAt === undefined || expiresAt < Date.now()) {
      throw new DpopProofError('use_dpop_nonce', 'the DPoP nonce is unknown or expired');
    }
  }

  private rememberJti(jti: string, now: number): void {
    for (const [seen, expiry] of this.seenJti) if (expiry < now) this.seenJti.delete(seen);
    if (this.seenJti.has(jti)) throw new DpopProofError('invalid_dpop_proof', 'jti reused');
    this.seenJti.set(jti, now + 2 * IAT_WINDOW_SECONDS);
  }
}

function normalize(url: string): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return undefined;
  }
  parsed.search = '';
  parsed.hash = '';
  return parsed.href;
}

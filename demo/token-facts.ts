/**
 * Facts about an access token that are safe to show: its length, audience,
 * scope and expiry (a JWT's payload, decoded here; an opaque token has none).
 * The token itself is never rendered, logged or kept.
 */
export interface TokenFacts {
  length: number;
  format: 'JWT' | 'opaque';
  audience?: string;
  scope?: string;
  /** Epoch ms. */
  issuedAt?: number;
  expiresAt?: number;
}

export function tokenFacts(token: string): TokenFacts {
  const facts: TokenFacts = { length: token.length, format: 'opaque' };
  const parts = token.split('.');
  if (parts.length !== 3) return facts;
  try {
    const json = atob(parts[1]!.replace(/-/g, '+').replace(/_/g, '/'));
    const claims = JSON.parse(json) as { aud?: unknown; scope?: unknown; iat?: unknown; exp?: unknown };
    facts.format = 'JWT';
    if (typeof claims.aud === 'string') facts.audience = claims.aud;
    else if (Array.isArray(claims.aud)) facts.audience = claims.aud.join(' ');
    if (typeof claims.scope === 'string') facts.scope = claims.scope;
    if (typeof claims.iat === 'number') facts.issuedAt = claims.iat * 1000;
    if (typeof claims.exp === 'number') facts.expiresAt = claims.exp * 1000;
  } catch {
    // Not a JWT after all: only its length is known.
  }
  return facts;
}

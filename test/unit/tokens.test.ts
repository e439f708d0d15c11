/**
 * toTokenSet against the response shapes real servers send on refresh (no ID
 * token: OpenID Connect Core §12.2 allows it; token_type in any case; expires_in
 * as a string, as Entra ID v1.0 sends it). Answers without `id_token` need no
 * oauth4webapi processing, so plain objects stand in for them.
 */
import type * as oauth from 'oauth4webapi';
import { describe, expect, it } from 'vitest';
import { toTokenSet } from '../../src/tokens.ts';
import type { TokenSet } from '../../src/vault.ts';

const T0 = 1_700_000_000_000;
const previous: TokenSet = {
  issuer: 'https://as.example',
  clientId: 'spa',
  sessionId: 'login-1',
  accessToken: 'old-access',
  tokenType: 'dpop',
  expiresAt: T0 + 300_000,
  receivedAt: T0,
  claims: { sub: 'alice', iss: 'https://as.example', aud: 'spa', exp: 1, iat: 0 },
  refreshToken: 'old-refresh',
  idToken: 'old-id-token',
  scope: 'openid profile',
};
const answer = (fields: Record<string, unknown>) =>
  ({ access_token: 'new-access', token_type: 'DPoP', expires_in: 300, ...fields }) as unknown as oauth.TokenEndpointResponse;

describe('toTokenSet: refresh answers as servers send them', () => {
  it('no ID token and no refresh token: the claims, ID token (for id_token_hint) and refresh token are kept', () => {
    const set = toTokenSet(answer({}), T0 + 1000, true, previous);
    expect(set).toMatchObject({
      accessToken: 'new-access',
      tokenType: 'dpop',
      expiresAt: T0 + 1000 + 300_000,
      claims: previous.claims,
      refreshToken: 'old-refresh',
      idToken: 'old-id-token',
      scope: 'openid profile',
    });
  });

  it.each(['bearer', 'Bearer', 'BEARER'])('token_type %s is a Bearer token', (tokenType) => {
    expect(toTokenSet(answer({ token_type: tokenType }), T0, false, previous).tokenType).toBe('bearer');
  });

  it.each(['dpop', 'DPoP', 'DPOP'])('token_type %s is a DPoP token', (tokenType) => {
    expect(toTokenSet(answer({ token_type: tokenType }), T0, true, previous).tokenType).toBe('dpop');
  });

  it.each<[unknown, number | null]>([
    ['3599', T0 + 3_599_000],
    [' 60 ', T0 + 60_000],
    [3599, T0 + 3_599_000],
    ['soon', null],
    ['', null],
    [-5, null],
    [undefined, null],
  ])('expires_in %j gives expiresAt %j', (expiresIn, expiresAt) => {
    expect(toTokenSet(answer({ expires_in: expiresIn }), T0, true, previous).expiresAt).toBe(expiresAt);
  });

  it('a rotated refresh token replaces the old one', () => {
    expect(toTokenSet(answer({ refresh_token: 'rotated' }), T0, true, previous).refreshToken).toBe('rotated');
  });
});

import type { TokenSet } from './vault.js';

/**
 * A token this close to its expiry is not handed out: it could expire in flight.
 * @internal
 */
export const EXPIRY_MARGIN_MS = 5_000;

/**
 * Whether the access token can still be sent at `now`. A token without a known
 * expiry is usable until the API rejects it. Pure.
 * @internal
 */
export function isTokenUsable(tokens: TokenSet, now: number): boolean {
  return tokens.expiresAt === null || now < tokens.expiresAt - EXPIRY_MARGIN_MS;
}

/**
 * The server clock's offset from the browser's, estimated from a token response:
 * its `Date` header when the server exposes it to CORS, else the ID token's
 * `iat` (issued moments before the response arrived). Returns whole seconds
 * (server minus local), or undefined when the response says nothing. Pure.
 *
 * latchkey never needs this for its own schedule (that counts from `expires_in`
 * at receipt); it needs it to speak the server's time: ID token time checks and
 * the `iat` of DPoP proofs, which resource servers check within a short window.
 * @internal
 */
export function estimateServerOffset(
  receivedAt: number,
  evidence: { date?: string | null; idTokenIat?: number | undefined },
): number | undefined {
  const { date, idTokenIat } = evidence;
  // Date.parse gives NaN for no header ('') as for a bad one.
  const dated = Date.parse(date ?? '');
  // Both have second resolution: the estimate is good to about a second, plenty
  // for proof windows of a minute or more. (Number.isFinite is false for a non-number.)
  const serverNow = Number.isFinite(dated) ? dated : Number.isFinite(idTokenIat) ? idTokenIat! * 1000 : undefined;
  if (serverNow !== undefined) return Math.round((serverNow - receivedAt) / 1000);
}

/** The `iat` of a JWT's payload, read without verifying anything (for the clock only). @internal */
export function unverifiedIat(jwt: unknown): number | undefined {
  if (typeof jwt !== 'string') return undefined;
  try {
    const payload = jwt.split('.')[1] ?? '';
    const json = atob(payload.replace(/-/g, '+').replace(/_/g, '/')) as string;
    const iat = (JSON.parse(json) as { iat?: unknown }).iat;
    return typeof iat === 'number' ? iat : undefined;
  } catch {
    return undefined;
  }
}

/** The largest server-clock offset latchkey believes: 15 minutes. @internal */
export const MAX_OFFSET_SECONDS = 15 * 60;

/**
 * Bounds a fresh estimate: beyond {@link MAX_OFFSET_SECONDS} it is not believed
 * (`trusted: false`, and the browser's own clock is used: offset 0); within a
 * second of the offset in use it changes nothing (second-resolution evidence
 * jitters by one). Pure.
 * @internal
 */
export function boundedOffset(estimate: number, current: number | undefined): { offset: number; trusted: boolean } {
  // Written so that NaN fails the test too.
  if (!(Math.abs(estimate) <= MAX_OFFSET_SECONDS)) return { offset: 0, trusted: false };
  return { offset: current !== undefined && Math.abs(estimate - current) <= 1 ? current : estimate, trusted: true };
}

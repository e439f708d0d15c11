// @vitest-environment node
/** Outside the browser the capabilities reject (or throw) unsupported_environment and send nothing. */
import { expect, it, vi } from 'vitest';
import { checkSession, createSession, enableSilentRenew, getAuthorizationHeaders, isLatchkeyError, loginWithPopup } from '../../src/index.ts';

it('every capability says unsupported_environment on an inert (SSR) session', async () => {
  const fetchSpy = vi.spyOn(globalThis, 'fetch');
  const session = createSession({ issuer: 'https://auth.example.com', clientId: 'spa', redirectUri: 'https://app.example.com/', apiOrigins: ['https://api.example.com'] });
  for (const run of [
    () => loginWithPopup(session),
    () => checkSession(session),
    () => getAuthorizationHeaders(session, 'https://api.example.com/x'),
  ]) {
    const error = await run().then(() => undefined, (caught: unknown) => caught);
    expect(isLatchkeyError(error, 'unsupported_environment')).toBe(true);
  }
  // enableSilentRenew returns a function (no promise to reject): on the server it is a harmless no-op.
  const stop = enableSilentRenew(session);
  expect(typeof stop).toBe('function');
  stop();
  expect(fetchSpy).not.toHaveBeenCalled();
  fetchSpy.mockRestore();
});

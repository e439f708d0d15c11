// @vitest-environment node
/**
 * Outside the browser (server-side rendering): createSession never throws,
 * opens nothing, sends nothing; the snapshot stays loading; operations reject
 * with unsupported_environment.
 */
import { spawnSync } from 'node:child_process';
import { describe, expect, it, vi } from 'vitest';
import { createSession, isLatchkeyError } from '../../src/index.ts';

const config = { issuer: 'https://auth.example.com', clientId: 'spa', redirectUri: 'https://app.example.com/', apiOrigins: ['https://api.example.com'] };

describe('outside the browser', () => {
  it('is an inert session: loading, ready at once, every operation unsupported_environment, no network', async () => {
    const fetchSpy = vi.spyOn(globalThis, 'fetch');
    const session = createSession(config);
    expect(session.getSnapshot()).toEqual({ status: 'loading', user: null, expiresAt: null, error: null });
    expect(session.getSnapshot()).toBe(session.getSnapshot());
    await session.ready;
    const unsubscribe = session.subscribe(() => undefined);
    unsubscribe();
    for (const operation of [
      () => session.login(),
      () => session.logout(),
      () => session.getAccessToken(),
      () => session.fetch('https://api.example.com/me'),
      () => session.handleRedirectCallback(),
    ]) {
      const error = await operation().then(() => undefined, (caught: unknown) => caught);
      expect(isLatchkeyError(error, 'unsupported_environment')).toBe(true);
    }
    expect(fetchSpy).not.toHaveBeenCalled();
    session.dispose();
    fetchSpy.mockRestore();
  });

  it('still validates the config', () => {
    expect(() => createSession({ ...config, clientId: '' })).toThrow(/clientId/);
  });

  it('opens no handle that keeps the process alive, even with 1,000 sessions', () => {
    const script = `
      const { createSession } = await import('./src/index.ts');
      for (let i = 0; i < 1000; i++) createSession(${JSON.stringify(config)});
      const handles = process.getActiveResourcesInfo().filter((name) => name !== 'TTYWrap' && name !== 'PipeWrap');
      console.log(JSON.stringify(handles));
    `;
    const result = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8', timeout: 30_000 });
    expect(result.status).toBe(0);
    expect(JSON.parse(result.stdout.trim().split('\n').at(-1)!)).toEqual([]);
  }, 40_000);
});

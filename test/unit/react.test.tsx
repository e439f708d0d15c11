// Unit tests of latchkey/react on happy-dom with the fake session of latchkey/testing.
import { act, StrictMode, type ReactNode } from 'react';
import { createRoot, hydrateRoot, type Root } from 'react-dom/client';
import { renderToString } from 'react-dom/server';
import { afterEach, beforeEach, describe, expect, expectTypeOf, it, vi } from 'vitest';
import { RequireAuth, SessionProvider, useSession } from '../../src/react/index.tsx';
import { createTestSession, type TestSession } from '../../src/testing/index.ts';
import type { Session } from '../../src/index.ts';

(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

let container: HTMLElement;
let root: Root;

beforeEach(() => {
  history.replaceState(null, '', '/');
  container = document.createElement('div');
  document.body.append(container);
  root = createRoot(container);
});

afterEach(() => {
  act(() => root.unmount());
  container.remove();
});

async function render(node: ReactNode): Promise<void> {
  await act(async () => root.render(node));
}

/** Lets the provider's `ready.then(handleRedirectCallback).then(...)` chain run. */
async function settle(): Promise<void> {
  await act(async () => {
    for (let i = 0; i < 10; i += 1) await Promise.resolve();
  });
}

function Status(): ReactNode {
  const { status, user, error } = useSession();
  return `${status}|${typeof user?.sub === 'string' ? user.sub : ''}|${error?.code ?? ''}`;
}

describe('useSession', () => {
  it('throws outside a provider, saying so', async () => {
    const spy = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    function Probe(): ReactNode {
      try {
        useSession();
        return 'no error';
      } catch (error) {
        return (error as Error).message;
      }
    }
    await render(<Probe />);
    expect(container.textContent).toMatch(/inside <SessionProvider/);
    spy.mockRestore();
  });

  it('renders the snapshot and re-renders on every change', async () => {
    const session = createTestSession({ status: 'loading' });
    await render(<SessionProvider session={session}><Status /></SessionProvider>);
    expect(container.textContent).toBe('loading||');
    await act(async () => session.set({ status: 'authenticated', user: { sub: 'alice' } }));
    expect(container.textContent).toBe('authenticated|alice|');
    await act(async () => session.set({ status: 'unauthenticated', user: null }));
    expect(container.textContent).toBe('unauthenticated||');
  });

  it('is loading on the server, whatever the session holds', () => {
    const session = createTestSession({ status: 'authenticated', user: { sub: 'alice' } });
    expect(renderToString(<SessionProvider session={session}><Status /></SessionProvider>)).toBe('loading||');
  });

  it('hydrates the server markup (loading) without a mismatch, then shows the browser session', async () => {
    // On the server the session is loading (Node); in the browser it is already signed in.
    const onServer = createTestSession({ status: 'loading' });
    const session = createTestSession({ status: 'authenticated', user: { sub: 'alice' } });
    const tree = <SessionProvider session={session}><Status /></SessionProvider>;
    const hydrated = document.createElement('div');
    hydrated.innerHTML = renderToString(<SessionProvider session={onServer}><Status /></SessionProvider>);
    expect(hydrated.textContent).toBe('loading||');
    document.body.append(hydrated);
    const recoverable = vi.fn();
    let hydratedRoot!: Root;
    await act(async () => {
      hydratedRoot = hydrateRoot(hydrated, tree, { onRecoverableError: recoverable });
    });
    expect(recoverable).not.toHaveBeenCalled();
    expect(hydrated.textContent).toBe('authenticated|alice|');
    act(() => hydratedRoot.unmount());
    hydrated.remove();
  });

  it('types user with the given type and hands out the session', () => {
    function Typed(): ReactNode {
      const state = useSession<{ sub: string; roles: string[] }>();
      expectTypeOf(state.user).toEqualTypeOf<{ sub: string; roles: string[] } | null>();
      expectTypeOf(state.session).toEqualTypeOf<Session>();
      expectTypeOf(state.status).toEqualTypeOf<'loading' | 'authenticated' | 'unauthenticated'>();
      return null;
    }
    expect(Typed).toBeTypeOf('function');
  });
});

describe('SessionProvider and the login callback', () => {
  it('calls onRedirectCallback once with returnTo, under StrictMode and across remounts, and never disposes', async () => {
    const session = createTestSession({ status: 'authenticated', user: { sub: 'a' } }, { redirectCallback: { returnTo: '/deep?x=1#h' } });
    const onRedirectCallback = vi.fn();
    const tree = (key: number) => (
      <StrictMode key={key}>
        <SessionProvider session={session} onRedirectCallback={onRedirectCallback}><Status /></SessionProvider>
      </StrictMode>
    );
    await render(tree(1));
    await settle();
    await render(tree(2)); // a remount (new key)
    await settle();
    await render(<StrictMode><SessionProvider session={session} onRedirectCallback={onRedirectCallback}>x</SessionProvider></StrictMode>);
    await settle();
    expect(onRedirectCallback).toHaveBeenCalledTimes(1);
    expect(onRedirectCallback).toHaveBeenCalledWith({ returnTo: '/deep?x=1#h' });
    expect(session.disposed).toBe(false);
    expect(location.pathname).toBe('/'); // the app's callback navigates, not the provider
  });

  it('calls the latest onRedirectCallback when it changed before ready', async () => {
    const session = createTestSession({ status: 'loading' }, { redirectCallback: { returnTo: '/r' } });
    const first = vi.fn();
    const second = vi.fn();
    await render(<SessionProvider session={session} onRedirectCallback={first}>x</SessionProvider>);
    await render(<SessionProvider session={session} onRedirectCallback={second}>x</SessionProvider>);
    await act(async () => session.set({ status: 'authenticated', user: { sub: 'a' } }));
    await settle();
    expect(first).not.toHaveBeenCalled();
    expect(second).toHaveBeenCalledExactlyOnceWith({ returnTo: '/r' });
  });

  it('without onRedirectCallback replaces the URL with returnTo', async () => {
    history.replaceState(null, '', '/callback');
    const session = createTestSession({ status: 'authenticated', user: { sub: 'a' } }, { redirectCallback: { returnTo: '/deep/page?x=1#h' } });
    const length = history.length;
    await render(<StrictMode><SessionProvider session={session}><Status /></SessionProvider></StrictMode>);
    await settle();
    expect(location.pathname + location.search + location.hash).toBe('/deep/page?x=1#h');
    expect(history.length).toBe(length);
  });

  it('does nothing on a page that was no callback', async () => {
    history.replaceState(null, '', '/here?code=mine');
    const session = createTestSession({ status: 'unauthenticated' });
    const onRedirectCallback = vi.fn();
    await render(<SessionProvider session={session} onRedirectCallback={onRedirectCallback}><Status /></SessionProvider>);
    await settle();
    expect(onRedirectCallback).not.toHaveBeenCalled();
    expect(location.pathname + location.search).toBe('/here?code=mine');
    expect(container.textContent).toBe('unauthenticated||');
  });
});

describe('RequireAuth', () => {
  const guarded = (session: TestSession, extra: Partial<Parameters<typeof RequireAuth>[0]> = {}) => (
    <StrictMode>
      <SessionProvider session={session}>
        <RequireAuth fallback="fallback" {...extra}>children</RequireAuth>
      </SessionProvider>
    </StrictMode>
  );

  it('renders the fallback and starts no login while loading', async () => {
    const session = createTestSession({ status: 'loading' });
    await render(guarded(session));
    expect(container.textContent).toBe('fallback');
    expect(session.calls.login).toEqual([]);
  });

  it('renders its children when authenticated, and starts no login', async () => {
    const session = createTestSession({ status: 'authenticated', user: { sub: 'a' } });
    await render(guarded(session));
    expect(container.textContent).toBe('children');
    expect(session.calls.login).toEqual([]);
  });

  it('sends a signed-out user to log in once, with path, query and hash as returnTo', async () => {
    history.replaceState(null, '', '/deep/page?x=1#h');
    const session = createTestSession({ status: 'loading' });
    await render(guarded(session, { loginOptions: { prompt: 'login' } }));
    await act(async () => session.set({ status: 'unauthenticated' }));
    expect(container.textContent).toBe('fallback');
    expect(session.calls.login).toEqual([{ returnTo: '/deep/page?x=1#h', prompt: 'login' }]);
  });

  it('starts at most one login however often it mounts and renders', async () => {
    const session = createTestSession({ status: 'unauthenticated' });
    for (let i = 0; i < 5; i += 1) {
      await render(guarded(session));
      await render(<SessionProvider session={session}>gone</SessionProvider>);
    }
    await render(
      <SessionProvider session={session}>
        <RequireAuth>a</RequireAuth>
        <RequireAuth>b</RequireAuth>
      </SessionProvider>,
    );
    await act(async () => session.set({ error: null, expiresAt: 1 }));
    expect(session.calls.login).toHaveLength(1);
  });

  it('starts one login again when the page comes back from the back/forward cache, however many guards see it', async () => {
    const session = createTestSession({ status: 'unauthenticated' });
    await render(
      <SessionProvider session={session}>
        <RequireAuth>a</RequireAuth>
        <RequireAuth>b</RequireAuth>
      </SessionProvider>,
    );
    expect(session.calls.login).toHaveLength(1);
    await act(async () => window.dispatchEvent(Object.assign(new Event('pageshow'), { persisted: false })));
    expect(session.calls.login).toHaveLength(1);
    await act(async () => window.dispatchEvent(Object.assign(new Event('pageshow'), { persisted: true })));
    expect(session.calls.login).toHaveLength(2);
  });

  it('may start again on a later mount when the login could not start', async () => {
    const session = createTestSession({ status: 'unauthenticated' });
    let attempts = 0;
    session.login = async () => {
      attempts += 1;
      throw new Error('offline');
    };
    await render(guarded(session));
    await settle();
    await render(<SessionProvider session={session}>gone</SessionProvider>);
    await render(guarded(session));
    await settle();
    expect(attempts).toBe(2);
  });
});

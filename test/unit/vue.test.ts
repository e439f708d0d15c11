// Unit tests of latchkey/vue on happy-dom with the fake session of latchkey/testing.
import { createApp, defineComponent, h, nextTick, type App } from 'vue';
import { createMemoryHistory, createRouter, RouterView } from 'vue-router';
import { afterEach, beforeEach, describe, expect, expectTypeOf, it, vi } from 'vitest';
import { createAuthGuard, createLatchkey, useSession } from '../../src/vue/index.ts';
import { createTestSession } from '../../src/testing/index.ts';

const apps: App[] = [];
let container: HTMLElement;

beforeEach(() => {
  history.replaceState(null, '', '/');
  container = document.createElement('div');
  document.body.append(container);
});

afterEach(() => {
  for (const app of apps.splice(0)) app.unmount();
  container.remove();
});

async function flush(): Promise<void> {
  for (let i = 0; i < 10; i += 1) await Promise.resolve();
  await nextTick();
}

const Status = defineComponent(() => {
  const { status, user, error } = useSession<{ sub: string }>();
  return () => `${status.value}|${user.value?.sub ?? ''}|${error.value?.code ?? ''}`;
});

function mount(component: Parameters<typeof createApp>[0], setup: (app: App) => void): App {
  const app = createApp(component);
  setup(app);
  app.mount(container);
  apps.push(app);
  return app;
}

describe('useSession', () => {
  it('throws without the plugin, saying so', () => {
    const app = createApp(Status);
    let message = '';
    app.config.errorHandler = (error) => {
      message = (error as Error).message;
    };
    app.config.warnHandler = () => undefined;
    app.mount(container);
    apps.push(app);
    expect(message).toMatch(/createLatchkey/);
  });

  it('is reactive: renders every change of the snapshot', async () => {
    const session = createTestSession({ status: 'loading' });
    mount(Status, (app) => app.use(createLatchkey(session)));
    expect(container.textContent).toBe('loading||');
    session.set({ status: 'authenticated', user: { sub: 'alice' } });
    await nextTick();
    expect(container.textContent).toBe('authenticated|alice|');
    session.set({ status: 'unauthenticated', user: null });
    await nextTick();
    expect(container.textContent).toBe('unauthenticated||');
  });

  it('types user with the given type', () => {
    const Typed = defineComponent(() => {
      const { user } = useSession<{ sub: string; roles: string[] }>();
      expectTypeOf(user.value).toEqualTypeOf<{ sub: string; roles: string[] } | null>();
      return () => null;
    });
    expect(Typed).toBeTruthy();
  });

  it('stops listening when the app unmounts', () => {
    const session = createTestSession({ status: 'loading' });
    const unsubscribed = vi.fn();
    const subscribe = session.subscribe;
    session.subscribe = (listener) => {
      const off = subscribe(listener);
      return () => {
        unsubscribed();
        off();
      };
    };
    const app = mount(Status, (a) => a.use(createLatchkey(session)));
    expect(unsubscribed).not.toHaveBeenCalled();
    app.unmount();
    apps.splice(apps.indexOf(app), 1);
    expect(unsubscribed).toHaveBeenCalledTimes(1);
  });
});

describe('the login callback', () => {
  it('calls onRedirectCallback once per session, even for two apps', async () => {
    const session = createTestSession({ status: 'authenticated', user: { sub: 'a' } }, { redirectCallback: { returnTo: '/deep?x=1#h' } });
    const onRedirectCallback = vi.fn();
    mount(Status, (app) => app.use(createLatchkey(session, { onRedirectCallback })));
    const second = document.createElement('div');
    const other = createApp(Status).use(createLatchkey(session, { onRedirectCallback }));
    other.mount(second);
    apps.push(other);
    await flush();
    expect(onRedirectCallback).toHaveBeenCalledTimes(1);
    expect(onRedirectCallback.mock.calls[0]![0]).toEqual({ returnTo: '/deep?x=1#h' });
  });

  it('by default routes to returnTo with vue-router', async () => {
    const session = createTestSession({ status: 'authenticated', user: { sub: 'a' } }, { redirectCallback: { returnTo: '/deep/page?x=1#h' } });
    const router = createRouter({
      history: createMemoryHistory(),
      routes: [{ path: '/:any(.*)*', component: Status }],
    });
    await router.push('/callback');
    mount(RouterView, (app) => app.use(router).use(createLatchkey(session)));
    await flush();
    await router.isReady();
    await vi.waitFor(() => expect(router.currentRoute.value.fullPath).toBe('/deep/page?x=1#h'));
  });

  it('without a router replaces the URL with returnTo', async () => {
    history.replaceState(null, '', '/callback');
    const session = createTestSession({ status: 'authenticated', user: { sub: 'a' } }, { redirectCallback: { returnTo: '/deep/page?x=1#h' } });
    mount(Status, (app) => app.use(createLatchkey(session)));
    await flush();
    expect(location.pathname + location.search + location.hash).toBe('/deep/page?x=1#h');
  });

  it('does nothing on a page that was no callback', async () => {
    history.replaceState(null, '', '/here');
    const session = createTestSession({ status: 'unauthenticated' });
    const onRedirectCallback = vi.fn();
    mount(Status, (app) => app.use(createLatchkey(session, { onRedirectCallback })));
    await flush();
    expect(onRedirectCallback).not.toHaveBeenCalled();
    expect(location.pathname).toBe('/here');
  });
});

describe('createAuthGuard', () => {
  const to = (fullPath: string) => ({ fullPath, path: fullPath.replace(/[?#].*/, ''), meta: {} });

  it('waits while loading, then lets a signed-in user through without a login', async () => {
    const session = createTestSession({ status: 'loading' });
    const guard = createAuthGuard(session);
    let result: boolean | undefined;
    void guard(to('/a')).then((value) => {
      result = value;
    });
    await flush();
    expect(result).toBeUndefined();
    session.set({ status: 'authenticated', user: { sub: 'a' } });
    await flush();
    expect(result).toBe(true);
    expect(session.calls.login).toEqual([]);
  });

  it('cancels the navigation of a signed-out user and starts one login with returnTo = fullPath', async () => {
    const session = createTestSession({ status: 'loading' });
    const guard = createAuthGuard(session, { loginOptions: { prompt: 'login' } });
    const results = Promise.all([guard(to('/deep/page?x=1#h')), guard(to('/other'))]);
    session.set({ status: 'unauthenticated' });
    expect(await results).toEqual([false, false]);
    expect(await guard(to('/third'))).toBe(false);
    expect(session.calls.login).toEqual([{ returnTo: '/deep/page?x=1#h', prompt: 'login' }]);
  });

  it('starts the login again when the page comes back from the back/forward cache', async () => {
    const session = createTestSession({ status: 'unauthenticated' });
    const guard = createAuthGuard(session);
    expect(await guard(to('/deep'))).toBe(false);
    window.dispatchEvent(Object.assign(new Event('pageshow'), { persisted: false }));
    expect(session.calls.login).toHaveLength(1);
    window.dispatchEvent(Object.assign(new Event('pageshow'), { persisted: true }));
    expect(session.calls.login).toEqual([{ returnTo: '/deep' }, { returnTo: '/deep' }]);
  });

  it('lets routes through that need no login', async () => {
    const session = createTestSession({ status: 'unauthenticated' });
    const guard = createAuthGuard(session, { requiresAuth: (route) => route.meta.requiresAuth === true });
    expect(await guard(to('/public'))).toBe(true);
    expect(await guard({ fullPath: '/private', path: '/private', meta: { requiresAuth: true } })).toBe(false);
    expect(session.calls.login).toHaveLength(1);
  });

  it('works as a vue-router guard: the first navigation is cancelled, one login', async () => {
    const session = createTestSession({ status: 'unauthenticated' });
    const router = createRouter({ history: createMemoryHistory(), routes: [{ path: '/:any(.*)*', component: Status }] });
    router.beforeEach(createAuthGuard(session));
    await router.push('/deep/page?x=1#h');
    await router.push('/again');
    expect(router.currentRoute.value.fullPath).toBe('/');
    expect(session.calls.login).toEqual([{ returnTo: '/deep/page?x=1#h' }]);
  });
});

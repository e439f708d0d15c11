import type { TabMessage } from '../../src/tabs.ts';
import type { SessionConfig } from '../../src/config.ts';
import type { Environment } from '../../src/env.ts';
import { createSessionWith, type Session } from '../../src/session.ts';
import { idbStore } from '../../src/store.ts';
import { API, APP, ISSUER, fakeServer, type FakeServerOptions } from './fake-server.ts';
import { FakeClock, tabHub } from './fakes.ts';

let databases = 0;

/** A page (address bar, navigations), a fake server and a fresh IndexedDB database. */
export function harness(serverOptions: FakeServerOptions = {}, config: Partial<SessionConfig> = {}) {
  const server = fakeServer(serverOptions);
  const page = { url: APP, navigations: [] as string[], replaced: [] as string[] };
  const storageName = `session-test-${++databases}`;
  const clock = new FakeClock();
  // One hub per lock/channel name, as the browser has: sessions of other clients do not share them.
  const hubs = new Map<string, ReturnType<typeof tabHub>>();
  const hub = (name: string) => {
    if (!hubs.has(name)) hubs.set(name, tabHub());
    return hubs.get(name)!;
  };
  const tabs = hub(`latchkey:${storageName}:${JSON.stringify([`${ISSUER}/`, config.clientId ?? 'spa'])}`);
  const wakeHandlers = new Set<(reason: string) => void>();
  const env: Environment = {
    fetch: server.fetch,
    now: () => clock.now,
    random: () => 0.5,
    timers: clock,
    openTabs: (name) => hub(name).open(),
    onWake: (handler) => {
      wakeHandlers.add(handler);
      return () => wakeHandlers.delete(handler);
    },
    crypto: globalThis.crypto,
    openStore: (name) => idbStore(name),
    currentUrl: () => page.url,
    replaceUrl: (href) => {
      page.replaced.push(href);
      page.url = href;
    },
    navigate: (href) => {
      page.navigations.push(href);
    },
    requestTimeoutMs: 5_000,
  };
  const make = (): Session =>
    createSessionWith({ issuer: ISSUER, clientId: 'spa', redirectUri: APP, apiOrigins: [API], storageName, ...config }, env);

  /** Runs login() in one page load and the callback in the next; returns the second session. */
  async function logIn(options: { returnTo?: string; sub?: string } = {}): Promise<Session> {
    const first = make();
    await first.ready;
    await first.login(options.returnTo === undefined ? {} : { returnTo: options.returnTo });
    first.dispose();
    page.url = server.authorize(page.navigations.at(-1)!, options.sub ? { sub: options.sub } : {});
    const second = make();
    await second.ready;
    return second;
  }

  const wake = (reason: string) => {
    for (const handler of wakeHandlers) handler(reason);
  };
  /** Says `message` on every tab channel of this origin, as another tab would. */
  const announceEverywhere = (message: TabMessage) => {
    for (const each of hubs.values()) {
      const link = each.open();
      link.announce(message);
      link.close();
    }
  };
  return { server, page, env, make, logIn, storageName, store: () => idbStore(storageName), clock, tabs, wake, announceEverywhere };
}

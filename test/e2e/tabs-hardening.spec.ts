/**
 * Hardening of the cross-tab refresh, with a 10-second access token: a tab that
 * is closed while it holds the refresh lock (its token request hanging) must not
 * leave the other tabs stuck or make them spend the refresh token twice.
 */
import { createServer, type Server, type Socket } from 'node:net';
import type { CDPSession, Page } from '@playwright/test';
import { countTokenRequests, expect, loginThroughForms, openApp, test, type Stack, logIn } from './fixtures.ts';

const LIFETIME_MS = 10_000;
test.use({ stackOptions: { accessTokenTtl: LIFETIME_MS / 1000 } });
test.describe.configure({ timeout: 60_000 });

/** The Web Locks of the page's origin: held and requested, by name. */
function locks(page: Page): Promise<{ held: string[]; pending: string[] }> {
  return page.evaluate(async () => {
    const { held = [], pending = [] } = await navigator.locks.query();
    return { held: held.map((lock) => lock.name ?? ''), pending: pending.map((lock) => lock.name ?? '') };
  });
}

/**
 * A TCP server on 127.0.0.1 that accepts connections and never answers: where
 * the first tab's token request goes to hang. (A request merely held by
 * `page.route` is let go to the real token endpoint when its page closes, which
 * would be a refresh the server did see.)
 */
async function blackHole(): Promise<{ origin: string; connections(): number; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  let connections = 0;
  const server: Server = createServer((socket) => {
    connections += 1;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    origin: `http://127.0.0.1:${port}`,
    connections: () => connections,
    close: () => new Promise<void>((resolve) => {
      for (const socket of sockets) socket.destroy();
      server.close(() => resolve());
    }),
  };
}

const debuggers = new WeakMap<Page, CDPSession>();

/**
 * Stops (or lets go again) all JavaScript of one tab, as a frozen background tab
 * or a busy main thread would: no timer fires, no lock callback runs. (Through
 * the DevTools debugger: Playwright's `page.clock` belongs to the whole browser
 * context, so it would stop the other tab's timers too, and Chromium does not
 * freeze a visible page through `Page.setWebLifecycleState`.)
 */
async function setAsleep(page: Page, asleep: boolean): Promise<void> {
  let cdp = debuggers.get(page);
  if (!cdp) {
    cdp = await page.context().newCDPSession(page);
    await cdp.send('Debugger.enable');
    debuggers.set(page, cdp);
  }
  await cdp.send(asleep ? 'Debugger.pause' : 'Debugger.resume');
}

/**
 * Two signed-in tabs; the second is asleep, the first's token request hangs, so
 * that the first tab's refresh timer (75 % of the lifetime) takes the refresh
 * lock and keeps it. Returns once the first tab is stuck inside the lock.
 */
async function stuckInsideTheLock(first: Page, second: Page, stack: Stack): Promise<void> {
  await logIn(first, stack, 'alice');
  await openApp(second, stack);
  await expect(second.locator('#status')).toHaveText('authenticated');
  await setAsleep(second, true);

  let hanging!: () => void;
  const refreshHangs = new Promise<void>((resolve) => (hanging = resolve));
  await first.route(`${stack.server.issuer}/token`, async (route) => {
    hanging();
    await route.continue({ url: `${hole.origin}/token` }).catch(() => undefined); // never answered
  });
  await refreshHangs;
  const connected = hole.connections();
  await expect.poll(() => hole.connections()).toBeGreaterThan(connected); // sent, and waiting for an answer
  await first.waitForTimeout(500);
  expect(countTokenRequests(stack, 'refresh_token')).toBe(0);
  const { held, pending } = await locks(first);
  expect(held).toHaveLength(1);
  expect(held[0]).toMatch(/:refresh$/);
  expect(pending).toEqual([]);
}

/** What must hold after the second tab took over: one refresh in all, signed in, the API answers. */
async function expectSecondTabCarriesOn(second: Page, stack: Stack, closedAt: number): Promise<void> {
  await expect.poll(() => countTokenRequests(stack, 'refresh_token')).toBe(1);
  const [refresh] = stack.server.records.tokenRequests.filter((r) => r.grantType === 'refresh_token');
  // Released by the close, not by the hanging request's own timeout (30 s).
  expect(refresh!.at - closedAt).toBeLessThan(3_000);
  expect(await second.evaluate(() => window.session!.getAccessToken())).toEqual(expect.any(String));
  await expect(second.locator('#status')).toHaveText('authenticated');
  await expect(second.locator('#error')).toHaveText('');
  const status = await second.evaluate(async (api) => (await window.session!.fetch(`${api}/api/me`)).status, stack.server.apiOrigin);
  expect(status).toBe(200);
  expect(stack.server.records.tokenRequests.map((r) => `${r.grantType} ${r.status}`)).toEqual([
    'authorization_code 200', 'refresh_token 200',
  ]);
  expect(stack.server.records.apiCalls.map((c) => c.status)).toEqual([200]);
  expect(await locks(second)).toEqual({ held: [], pending: [] });
}

let hole: Awaited<ReturnType<typeof blackHole>>;
test.beforeAll(async () => {
  hole = await blackHole();
});
test.afterAll(async () => {
  await hole.close();
});

test('a tab closed while it holds the refresh lock: another tab that wakes up later refreshes at once, once', async ({ page, context, stack }) => {
  const second = await context.newPage();
  await stuckInsideTheLock(page, second, stack);

  await page.close();
  const closedAt = Date.now();
  await setAsleep(second, false);
  await expectSecondTabCarriesOn(second, stack, closedAt);
});

test('a tab closed while it holds the refresh lock: another tab already waiting for the lock gets it and refreshes, once', async ({ page, context, stack }) => {
  const second = await context.newPage();
  await stuckInsideTheLock(page, second, stack);

  // The second tab wakes up while the first still holds the lock: its refresh is due, so it queues.
  await setAsleep(second, false);
  await expect.poll(async () => (await locks(second)).pending).toHaveLength(1);
  expect(countTokenRequests(stack, 'refresh_token')).toBe(0);

  await page.close();
  const closedAt = Date.now();
  await expectSecondTabCarriesOn(second, stack, closedAt);
});

/**
 * One set of scenarios, run in Chromium, Firefox and WebKit through the driver
 * adapter (driver.ts), against the embedded oidc-provider, the DPoP-checking API
 * and the e2e app (test/e2e/app). Counts come from the servers' own records.
 *
 *   npm run test:engines                      # all three engines
 *   LATCHKEY_ENGINES=webkit npm run test:engines
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import { startStack, type Stack } from '../../demo/server/stack.ts';
import { waitFor, waitForText, type EngineBrowser, type EngineName, type Tab } from './driver.ts';
import { launch, selectedEngines, stopEngineServices } from './engines.ts';
import {
  apiLoopResult,
  countTokenRequests,
  deleteAllDatabases,
  logIn,
  openManual,
  readStorage,
  ready,
  sleep,
  startApiLoop,
} from './session-helpers.ts';

/** Access-token lifetime of the `short` stack, in milliseconds. */
const LIFETIME_MS = 10_000;

let stacks: { normal: Stack; short: Stack } | undefined;
const versions: Partial<Record<EngineName, string>> = {};

function startEngineStack(accessTokenTtl: number): Promise<Stack> {
  return startStack({
    appRoot: 'test/e2e/app',
    accessTokenTtl,
    // The API under its other loopback name, to prove no token goes there.
    extraConnectSources: ({ apiOrigin }) => [apiOrigin.replace('127.0.0.1', 'localhost')],
  });
}

before(async () => {
  const [normal, short] = await Promise.all([startEngineStack(300), startEngineStack(LIFETIME_MS / 1000)]);
  stacks = { normal, short };
});

after(async () => {
  await Promise.all([stacks?.normal.close(), stacks?.short.close()]);
  await stopEngineServices();
  const tested = Object.entries(versions).map(([engine, version]) => `${engine}: ${version}`);
  if (tested.length) console.log(`# engines tested: ${tested.join('; ')}`);
});

for (const engine of selectedEngines()) {
  describe(engine, () => {
    let browser: EngineBrowser;
    /** Never closed (a browser may exit with its last tab); cleans up between scenarios. */
    let home: Tab;
    const tabs: Tab[] = [];
    const normal = () => stacks!.normal;
    const short = () => stacks!.short;

    /** A new tab of this engine's browser, closed after the scenario. */
    async function newTab(): Promise<Tab> {
      const tab = await browser.newTab();
      tabs.push(tab);
      return tab;
    }

    before(async () => {
      browser = await launch(engine);
      home = await browser.newTab();
      versions[engine] = browser.version;
      console.log(`# ${engine}: ${browser.version}`);
    });

    after(async () => {
      await browser?.close();
    });

    beforeEach(() => {
      stacks!.normal.server.records.reset();
      stacks!.short.server.records.reset();
    });

    afterEach(async () => {
      // Every tab closed, then every database of both app origins and every cookie
      // of 127.0.0.1 (the authorization server's session) deleted, so the next
      // scenario starts signed out everywhere.
      for (const tab of tabs.splice(0)) await tab.close().catch(() => undefined);
      for (const stack of [normal(), short()]) {
        await home.goto(`${stack.appUrl}?manual`);
        await deleteAllDatabases(home);
      }
      await home.clearCookies();
      await home.goto('about:blank');
    });

    it('login through the forms: authenticated as the right user, callback parameters gone, DPoP at the token endpoint', async () => {
      const stack = normal();
      const tab = await newTab();
      await logIn(tab, stack, 'alice');
      assert.equal(await tab.url(), stack.appUrl);
      const snapshot = await tab.evaluate(() => {
        const s = window.session!.getSnapshot();
        return { sub: s.user?.sub, error: s.error, expiresAt: s.expiresAt };
      }, null);
      assert.equal(snapshot.sub, 'alice');
      assert.equal(snapshot.error, null);
      assert.ok(snapshot.expiresAt! > Date.now());
      const codeExchanges = stack.server.records.tokenRequests.filter((r) => r.grantType === 'authorization_code');
      assert.deepEqual(codeExchanges.map((r) => ({ status: r.status, dpop: r.dpop })), [{ status: 200, dpop: true }]);
    });

    it('reload restores the session from IndexedDB with no token request', async () => {
      const stack = normal();
      const tab = await newTab();
      await logIn(tab, stack, 'bob');
      const before = stack.server.records.tokenRequests.length;
      await tab.reload();
      assert.equal(await ready(tab), 'authenticated');
      await waitForText(tab, '#user', 'bob');
      assert.equal(stack.server.records.tokenRequests.length, before);
    });

    it('session.fetch sends a DPoP-bound token the API verified, and nothing to another origin', async () => {
      const stack = normal();
      const tab = await newTab();
      await logIn(tab, stack, 'carol');
      const answer = await tab.evaluate(async (api) => {
        const f = window.session!.fetch; // unbound use
        const response = await f(`${api}/api/me`);
        return { status: response.status, body: await response.json() };
      }, stack.server.apiOrigin);
      assert.equal(answer.status, 200);
      assert.equal(answer.body.sub, 'carol');
      assert.equal(answer.body.dpopBound, true);
      assert.deepEqual(
        stack.server.records.apiCalls.map(({ path, scheme, status, sub }) => ({ path, scheme, status, sub })),
        [{ path: '/api/me', scheme: 'DPoP', status: 200, sub: 'carol' }],
      );
      const other = stack.server.apiOrigin.replace('127.0.0.1', 'localhost');
      const leaked = await tab.evaluate(async (origin) => (await window.session!.fetch(`${origin}/public`)).json(), other);
      assert.deepEqual(leaked, { authorization: null });
    });

    it('sealed storage: no token readable anywhere, DPoP and AES keys non-extractable', async () => {
      const stack = normal();
      const tab = await newTab();
      await logIn(tab, stack, 'dave');
      // A page of the app without its own session, whose fetch keeps what the token
      // endpoint answers (in the page only), then a session of the same app that is
      // made to refresh (the API refuses its first token once).
      await openManual(tab, stack);
      const outcome = await tab.evaluate(async (url) => {
        const seen: string[] = [];
        const reading: Promise<void>[] = [];
        const browserFetch = window.fetch.bind(window);
        window.fetch = async (input, init) => {
          const response = await browserFetch(input, init);
          const url = new URL(input instanceof Request ? input.url : String(input));
          if (url.pathname.endsWith('/token')) {
            reading.push(response.clone().json().then((body: Record<string, unknown>) => {
              for (const name of ['access_token', 'refresh_token', 'id_token']) {
                if (typeof body[name] === 'string') seen.push(body[name] as string);
              }
            }, () => undefined));
          }
          return response;
        };
        const { stack: config, latchkey } = window;
        const session = latchkey.createSession({
          issuer: config.issuer,
          clientId: config.clientId,
          redirectUri: `${config.appOrigin}/`,
          apiOrigins: [config.apiOrigin],
        });
        await session.ready;
        const status = (await session.fetch(url)).status;
        seen.push(await session.getAccessToken());
        await Promise.all(reading);
        session.dispose();
        window.fetch = browserFetch;
        (window as unknown as { seenSecrets: string[] }).seenSecrets = seen;
        return { status, count: seen.length };
      }, `${stack.server.apiOrigin}/api/reject-once/storage-${engine}`);
      assert.equal(outcome.status, 200);
      assert.equal(countTokenRequests(stack, 'refresh_token'), 1);
      assert.ok(outcome.count >= 3, 'access and refresh token (and the ID token) captured');

      const dump = await readStorage(tab);
      assert.ok(dump.records > 0);
      // Compared in the page, so no token ever reaches this process or its output.
      // Compared in the page, so no token ever reaches this process or its output.
      const leaks = await tab.evaluate(({ strings, user }) => {
        const everything = strings.join('\n');
        const secrets = (window as unknown as { seenSecrets: string[] }).seenSecrets;
        const parts = secrets.flatMap((secret) => [secret, ...secret.split('.').filter((p) => p.length > 16)]);
        return {
          tokens: parts.filter((part) => everything.includes(part)).length,
          jwtShaped: /eyJ[\w-]{10,}\.eyJ[\w-]{10,}/.test(everything),
          claims: everything.includes(user),
        };
      }, { strings: dump.strings, user: 'dave' });
      assert.deepEqual(leaks, { tokens: 0, jwtShaped: false, claims: false }, 'a token, a JWT or an ID token claim is readable from storage');
      const secretKeys = dump.keys.filter((key) => key.type !== 'public');
      assert.ok(secretKeys.some((key) => key.algorithm === 'AES-GCM'), 'an AES-GCM key is stored');
      assert.ok(secretKeys.some((key) => key.algorithm === 'ECDSA' && key.type === 'private'), 'a DPoP private key is stored');
      for (const key of secretKeys) assert.equal(key.extractable, false, `${key.algorithm} ${key.type} key is extractable`);
    });

    it('a POST body is replayed after a 401 invalid_token, with one refresh', async () => {
      const stack = normal();
      const tab = await newTab();
      await logIn(tab, stack, 'erin');
      const path = `/api/reject-once/replay-${engine}`;
      const payload = { order: 42, note: 'replayed ✓' };
      const answer = await tab.evaluate(async ({ url, payload }) => {
        const response = await window.session!.fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(payload),
        });
        return { status: response.status, body: await response.json() };
      }, { url: `${stack.server.apiOrigin}${path}`, payload });
      assert.equal(answer.status, 200);
      assert.equal(answer.body.method, 'POST');
      assert.deepEqual(JSON.parse(answer.body.echo), payload);
      assert.deepEqual(
        stack.server.records.apiCalls.map(({ path, scheme, status, error }) => ({ path, scheme, status, error })),
        [
          { path, scheme: 'DPoP', status: 401, error: 'invalid_token' },
          { path, scheme: 'DPoP', status: 200, error: undefined },
        ],
      );
      const refreshes = stack.server.records.tokenRequests.filter((r) => r.grantType === 'refresh_token');
      assert.deepEqual(refreshes.map((r) => r.status), [200]);
    });

    it('logout revokes the refresh token, leaves no session or DPoP key stored and lands on the post-logout URI', async () => {
      const stack = normal();
      const tab = await newTab();
      const active = await stack.server.activeRefreshTokens();
      await logIn(tab, stack, 'frank');
      assert.equal(await stack.server.activeRefreshTokens(), active + 1);
      await tab.evaluate(() => {
        (window as unknown as { beforeLogout: boolean }).beforeLogout = true;
        void window.session!.logout();
      }, null);
      // A new document at the post-logout redirect URI (after the end-session endpoint).
      await waitFor(
        tab,
        (url) => location.href === url && document.readyState === 'complete' && !(window as unknown as { beforeLogout?: boolean }).beforeLogout,
        stack.appUrl,
        { message: 'back at the post-logout redirect URI' },
      );
      assert.equal(await ready(tab), 'unauthenticated');
      assert.deepEqual(stack.server.records.revocations.map((r) => r.status), [200]);
      assert.equal(await stack.server.activeRefreshTokens(), active);
      // Nothing of the session stays: each record carried its own key, and the record is gone.
      const dump = await readStorage(tab);
      assert.deepEqual(dump.keys, []);
      assert.equal(dump.records, 0, 'a record is left after logout');
    });

    it('refresh over three lifetimes (10 s tokens): no failed API call, every refresh answered', async () => {
      const stack = short();
      const tab = await newTab();
      await logIn(tab, stack, 'grace');
      await startApiLoop(tab, stack, 3 * LIFETIME_MS);
      await sleep(3 * LIFETIME_MS);
      const { statuses, errors } = await apiLoopResult(tab, 30_000);
      assert.deepEqual(errors, []);
      assert.ok(statuses.length > 20, `only ${statuses.length} calls`);
      assert.deepEqual(statuses.filter((s) => s !== 200), []);
      assert.deepEqual(stack.server.records.apiCalls.filter((c) => c.status !== 200), []);
      const refreshes = stack.server.records.tokenRequests.filter((r) => r.grantType === 'refresh_token');
      assert.ok(refreshes.length >= 2, `${refreshes.length} refreshes in three lifetimes`);
      assert.deepEqual(refreshes.filter((r) => r.status !== 200 || !r.dpop), []);
    });

    it('two tabs: login and logout reach the other tab; one refresh per lifetime between them', async () => {
      const stack = short();
      const first = await newTab();
      const second = await newTab();
      await second.goto(stack.appUrl);
      await waitForText(second, '#status', 'unauthenticated');
      await logIn(first, stack, 'heidi');
      await waitForText(second, '#status', 'authenticated', 5_000);
      await waitForText(second, '#user', 'heidi');

      const span = 2.5 * LIFETIME_MS;
      await Promise.all([startApiLoop(first, stack, span), startApiLoop(second, stack, span)]);
      await sleep(span);
      for (const tab of [first, second]) {
        const { statuses, errors } = await apiLoopResult(tab, 30_000);
        assert.deepEqual(errors, []);
        assert.deepEqual(statuses.filter((s) => s !== 200), []);
      }
      assert.deepEqual(stack.server.records.apiCalls.filter((c) => c.status !== 200), []);
      const refreshes = stack.server.records.tokenRequests.filter((r) => r.grantType === 'refresh_token');
      assert.deepEqual(refreshes.filter((r) => r.status !== 200), []);
      assert.ok(refreshes.length >= 2, `${refreshes.length} refreshes in 2.5 lifetimes`);
      for (let i = 1; i < refreshes.length; i++) {
        assert.ok(refreshes[i]!.at - refreshes[i - 1]!.at > LIFETIME_MS / 2, 'two refreshes within one lifetime');
      }

      await first.evaluate(() => void window.session!.logout({ localOnly: true }), null);
      await waitForText(second, '#status', 'unauthenticated', 5_000);
      await waitForText(first, '#status', 'unauthenticated');
    });

    it('a tab whose timers were held past expiry refreshes on visibilitychange before its next API call', async () => {
      const stack = short();
      const tab = await newTab();
      await logIn(tab, stack, 'ivan');
      // As in a background tab (Chromium's intensive throttling, Firefox's and
      // Safari's background budgets) or a sleeping laptop: timers of a second or
      // more do not fire, while the token's life at the server runs on.
      await openManual(tab, stack);
      const status = await tab.evaluate(async () => {
        const held: Array<() => void> = [];
        const browserSetTimeout = window.setTimeout.bind(window);
        (window as unknown as { held: typeof held }).held = held;
        window.setTimeout = ((callback: () => void, ms?: number, ...args: unknown[]) =>
          (ms ?? 0) >= 1000 ? (held.push(callback), -1) : browserSetTimeout(callback, ms, ...args)) as typeof window.setTimeout;
        const { stack: config, latchkey } = window;
        window.session = latchkey.createSession({
          issuer: config.issuer,
          clientId: config.clientId,
          redirectUri: `${config.appOrigin}/`,
          apiOrigins: [config.apiOrigin],
        });
        await window.session.ready;
        return window.session.getSnapshot().status;
      }, null);
      assert.equal(status, 'authenticated');
      const refreshesBefore = countTokenRequests(stack, 'refresh_token');
      await sleep(LIFETIME_MS + 2_000);
      assert.equal(countTokenRequests(stack, 'refresh_token'), refreshesBefore, 'a timer fired while held');
      assert.ok((await tab.evaluate(() => (window as unknown as { held: unknown[] }).held.length, null)) > 0, 'no timer was held');

      const wokeAt = Date.now();
      await tab.evaluate(() => document.dispatchEvent(new Event('visibilitychange')), null);
      const deadline = Date.now() + 10_000;
      while (countTokenRequests(stack, 'refresh_token') === refreshesBefore && Date.now() < deadline) await sleep(100);
      // The wake alone refreshed (session.fetch would also refresh first, so this
      // is checked before any call).
      assert.equal(countTokenRequests(stack, 'refresh_token'), refreshesBefore + 1, 'no refresh on visibilitychange');
      const answer = await tab.evaluate(async (api) => (await window.session!.fetch(`${api}/api/me`)).status, stack.server.apiOrigin);
      assert.equal(answer, 200);
      const refresh = stack.server.records.tokenRequests.filter((r) => r.grantType === 'refresh_token' && r.at >= wokeAt);
      const calls = stack.server.records.apiCalls.filter((c) => c.at >= wokeAt);
      assert.deepEqual(refresh.map((r) => r.status), [200]);
      assert.deepEqual(calls.map((c) => c.status), [200]);
      assert.ok(refresh[0]!.at <= calls[0]!.at, 'the API call went out before the refresh');
      assert.deepEqual(stack.server.records.apiCalls.filter((c) => c.status !== 200), []);
    });

    it('storage wiped (Safari deletes script-writable storage after 7 days without interaction): signed out cleanly, login works again', async () => {
      const stack = normal();
      const tab = await newTab();
      await logIn(tab, stack, 'judy');
      const active = await stack.server.activeRefreshTokens();
      await openManual(tab, stack);
      assert.ok((await deleteAllDatabases(tab)) > 0);
      const before = stack.server.records.tokenRequests.length;
      await tab.goto(stack.appUrl);
      assert.equal(await ready(tab), 'unauthenticated');
      await waitForText(tab, '#error', '');
      assert.equal(stack.server.records.tokenRequests.length, before, 'a token request without a session');
      // The refresh token the browser forgot is still valid at the server until it
      // expires: nothing could revoke it.
      assert.equal(await stack.server.activeRefreshTokens(), active);
      // The authorization server's own session (an HTTP cookie, which the 7-day rule
      // does not delete) signs the user straight back in: no form this time.
      await tab.evaluate(() => void window.session!.login(), null);
      await waitForText(tab, '#status', 'authenticated');
      await waitForText(tab, '#user', 'judy');
    });

    it('private window: login, reload restore and sealed keys work; nothing is left once it closes', async () => {
      const stack = normal();
      const profileDir = mkdtempSync(join(tmpdir(), `latchkey-${engine}-`));
      let privateBrowser: EngineBrowser | undefined;
      let laterBrowser: EngineBrowser | undefined;
      try {
        privateBrowser = await launch(engine, { private: true, profileDir });
        const tab = await privateBrowser.newTab();
        await logIn(tab, stack, 'kim');
        const tokenRequests = stack.server.records.tokenRequests.length;
        await tab.reload();
        assert.equal(await ready(tab), 'authenticated');
        assert.equal(stack.server.records.tokenRequests.length, tokenRequests);
        const { keys } = await readStorage(tab);
        assert.ok(keys.length > 0, 'no CryptoKey in private IndexedDB');
        for (const key of keys.filter((k) => k.type !== 'public')) assert.equal(key.extractable, false);
        await privateBrowser.close();

        // WebKitGTK's WebDriver sessions never keep data beyond the session, so
        // "gone after closing" says nothing there; Chromium and Firefox reopen the
        // same profile normally.
        if (engine !== 'webkit') {
          laterBrowser = await launch(engine, { profileDir });
          const later = await laterBrowser.newTab();
          await later.goto(stack.appUrl);
          assert.equal(await ready(later), 'unauthenticated');
        }
      } finally {
        await privateBrowser?.close();
        await laterBrowser?.close();
        rmSync(profileDir, { recursive: true, force: true });
      }
    });
  });
}

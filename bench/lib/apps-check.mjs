/**
 * Proof that the size apps are working apps, not dead code: each one that can
 * run against the embedded server is driven through its whole flow in
 * Chromium: signed out → Log in → the server's forms → back, signed in, the
 * API answered with the user → Call API again → Log out (revocation where the
 * app does it, then the server's end-session page) → back, signed out.
 */
import { loginThroughForms, usePage } from './browser.mjs';

async function status(page, pattern) {
  await page.locator('#status', { hasText: pattern }).waitFor({ timeout: 20_000 });
}

async function apiAnswer(page, sub) {
  await page.waitForFunction(
    (expected) => {
      try {
        return JSON.parse(document.getElementById('out').textContent).sub === expected;
      } catch {
        return false;
      }
    },
    sub,
    { timeout: 20_000 },
  );
}

export async function checkApps(browser, stack, apps) {
  const outcome = {};
  for (const app of apps) {
    const context = await browser.newContext();
    try {
      await usePage(context, stack.appUrl, `app-${app}`);
      const page = await context.newPage();
      const errors = [];
      page.on('pageerror', (error) => errors.push(error.message));
      const user = `app-${app}`;
      let step = 'open';
      let endedSession = false;
      page.on('framenavigated', (frame) => {
        if (frame !== page.mainFrame()) return;
        const url = new URL(frame.url());
        step += ` → ${url.pathname}`;
        if (url.origin === stack.server.issuer && url.pathname.startsWith('/session/end')) endedSession = true;
      });
      const before = { revocations: stack.server.records.revocations.length, api: stack.server.records.apiCalls.length };
      const at = (promise) => promise.catch((error) => {
        error.step = `${step} (url ${page.url()})`;
        throw error;
      });
      await at(page.goto(stack.appUrl));
      await status(page, 'signed out');
      await page.click('#login');
      await loginThroughForms(page, user);
      await status(page, `signed in as ${user}`);
      await apiAnswer(page, user);
      await page.evaluate(() => {
        document.getElementById('out').textContent = '';
      });
      await page.click('#call');
      await apiAnswer(page, user);
      step = 'logout';
      await page.click('#logout');
      // The click may return before the app navigates, or (a fast app) after the
      // whole round trip: wait for "back on the app after the end-session page".
      await at(page.waitForURL((url) => endedSession && url.origin === new URL(stack.appUrl).origin, { timeout: 20_000 }));
      await at(status(page, 'signed out'));
      if (errors.length) throw new Error(`page errors: ${errors.join('; ')}`);
      const apiCalls = stack.server.records.apiCalls.slice(before.api).filter((call) => call.path === '/api/me' && call.status === 200);
      outcome[app] = {
        ok: true,
        apiCalls: apiCalls.length,
        scheme: apiCalls[0]?.scheme ?? null,
        revoked: stack.server.records.revocations.length > before.revocations,
      };
    } catch (error) {
      outcome[app] = { ok: false, error: String(error.message ?? error).split('\n')[0], step: error.step };
    } finally {
      await context.close();
    }
  }
  return outcome;
}

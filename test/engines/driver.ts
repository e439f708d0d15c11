/**
 * The small driver adapter the engine suite is written against: a browser with
 * tabs, and a tab that can navigate, run a function in the page, fill and click
 * by CSS selector, and close. Implemented with puppeteer-core for Chromium (CDP)
 * and Firefox (WebDriver BiDi), and with selenium-webdriver for WebKitGTK
 * (WebKitWebDriver). Nothing here knows about latchkey.
 */

export type EngineName = 'chromium' | 'firefox' | 'webkit';

/** How to launch an engine. */
export interface LaunchOptions {
  /**
   * A private browsing window: Chromium's incognito (an off-the-record browser
   * context), Firefox's private browsing (`browser.privatebrowsing.autostart`),
   * WebKit's ephemeral session (MiniBrowser `--private`).
   */
  private?: boolean;
  /** A profile directory to keep between launches (Chromium and Firefox). */
  profileDir?: string;
}

/** A running browser. */
export interface EngineBrowser {
  readonly engine: EngineName;
  /** The engine's own version string, e.g. 'Chrome/156.0…', 'firefox/153.7.0', 'WebKitGTK 2.50.6'. */
  readonly version: string;
  /** Opens a new tab (the first call may reuse the window the browser started with). */
  newTab(): Promise<Tab>;
  /** Closes the browser and everything it started. Idempotent. */
  close(): Promise<void>;
}

/** One tab. Methods of different tabs may be called concurrently. */
export interface Tab {
  /** Navigates and resolves once the page has loaded. */
  goto(url: string): Promise<void>;
  reload(): Promise<void>;
  url(): Promise<string>;
  /**
   * Runs `fn(arg)` in the page and resolves to its (awaited, JSON-serialisable)
   * result. `fn` is sent as source text: it must not close over anything.
   */
  evaluate<A, R>(fn: (arg: A) => R | Promise<R>, arg: A): Promise<R>;
  /** Waits for the element and replaces its value with `value`. */
  fill(selector: string, value: string): Promise<void>;
  /** Waits for the element and clicks it. */
  click(selector: string): Promise<void>;
  /** Deletes every cookie of the current page's host (HttpOnly ones included). */
  clearCookies(): Promise<void>;
  close(): Promise<void>;
}

/**
 * An expression that evaluates to a Promise of `{ ok, value }` or `{ ok: false, error }`.
 * `__name` is defined because tsx (esbuild with keepNames) wraps named inner
 * functions in `__name(...)` calls, which must not fail in the page.
 */
export function pageScript(fn: (arg: never) => unknown, arg: unknown): string {
  return `(() => { var __name = (f) => f; return Promise.resolve().then(() => (${fn.toString()})(${JSON.stringify(arg ?? null)}))
    .then((value) => ({ ok: true, value: value === undefined ? null : value }),
          (error) => ({ ok: false, error: String(error) + (error && error.stack ? ' ' + error.stack : '') })); })()`;
}

/** Unwraps what `pageScript` produced. */
export function unwrapPageResult<R>(result: unknown): R {
  const outcome = result as { ok: boolean; value?: R; error?: string } | null;
  if (!outcome || typeof outcome !== 'object' || !('ok' in outcome)) throw new Error(`unexpected page result: ${JSON.stringify(result)}`);
  if (!outcome.ok) throw new Error(`in the page: ${outcome.error}`);
  return outcome.value as R;
}

/**
 * Polls `fn(arg)` in the page until it returns a truthy value (ignoring errors
 * while the page navigates) and resolves to that value.
 */
export async function waitFor<A, R>(
  tab: Tab,
  fn: (arg: A) => R | Promise<R>,
  arg: A,
  options: { timeout?: number; message?: string } = {},
): Promise<NonNullable<R>> {
  const deadline = Date.now() + (options.timeout ?? 20_000);
  let last: unknown;
  for (;;) {
    try {
      const value = await tab.evaluate(fn, arg);
      if (value) return value as NonNullable<R>;
      last = value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) {
      throw new Error(`${options.message ?? 'condition'} not met in time (last: ${last instanceof Error ? last.message : JSON.stringify(last)})`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Waits until the element's text is exactly `text`. */
export async function waitForText(tab: Tab, selector: string, text: string, timeout = 20_000): Promise<void> {
  await waitFor(
    tab,
    ({ selector, text }) => document.querySelector(selector)?.textContent === text,
    { selector, text },
    { timeout, message: `${selector} = ${JSON.stringify(text)}` },
  ).catch(async (error: Error) => {
    const actual = await tab.evaluate((s) => document.querySelector(s)?.textContent ?? null, selector).catch(() => '(unreadable)');
    throw new Error(`${error.message}; it is ${JSON.stringify(actual)}`);
  });
}

/**
 * Chromium (Chrome DevTools Protocol) and Firefox (WebDriver BiDi, no
 * geckodriver) through puppeteer-core, with the system's browsers.
 */
import puppeteer, { type Browser, type BrowserContext, type Page } from 'puppeteer-core';
import { chromiumArgs, chromiumExecutable } from '../e2e/chromium.mjs';
import { pageScript, unwrapPageResult, type EngineBrowser, type LaunchOptions, type Tab } from './driver.ts';

export const FIREFOX = process.env.LATCHKEY_FIREFOX ?? '/usr/bin/firefox-esr';

class PuppeteerTab implements Tab {
  constructor(private readonly page: Page) {}
  async goto(url: string): Promise<void> {
    await this.page.goto(url, { waitUntil: 'load' });
  }
  async reload(): Promise<void> {
    await this.page.reload({ waitUntil: 'load' });
  }
  async url(): Promise<string> {
    return this.page.url();
  }
  async evaluate<A, R>(fn: (arg: A) => R | Promise<R>, arg: A): Promise<R> {
    return unwrapPageResult<R>(await this.page.evaluate(pageScript(fn as (arg: never) => unknown, arg)));
  }
  // A person types into the tab in front; puppeteer's locators also wait for
  // animation frames, which a background tab does not get.
  async fill(selector: string, value: string): Promise<void> {
    await this.page.bringToFront();
    await this.page.locator(selector).fill(value);
  }
  async click(selector: string): Promise<void> {
    await this.page.bringToFront();
    await this.page.locator(selector).click();
  }
  async clearCookies(): Promise<void> {
    const host = new URL(this.page.url()).hostname;
    const context = this.page.browserContext();
    const cookies = (await context.cookies()).filter((cookie) => cookie.domain.replace(/^\./, '') === host);
    if (cookies.length) await context.deleteCookie(...cookies);
  }
  async close(): Promise<void> {
    await this.page.close();
  }
}

class PuppeteerBrowser implements EngineBrowser {
  private closing: Promise<void> | undefined;
  constructor(
    readonly engine: 'chromium' | 'firefox',
    readonly version: string,
    private readonly browser: Browser,
    private readonly context: BrowserContext,
  ) {}
  async newTab(): Promise<Tab> {
    const page = await this.context.newPage();
    page.setDefaultTimeout(20_000);
    page.setDefaultNavigationTimeout(30_000);
    return new PuppeteerTab(page);
  }
  close(): Promise<void> {
    this.closing ??= this.browser.close().catch(() => this.browser.process()?.kill('SIGKILL')).then(() => undefined);
    return this.closing;
  }
}

export async function launchChromium(options: LaunchOptions): Promise<EngineBrowser> {
  const executablePath = chromiumExecutable();
  if (!executablePath) throw new Error('no Chromium: install chromium or set LATCHKEY_CHROMIUM');
  const browser = await puppeteer.launch({
    executablePath,
    headless: true,
    args: chromiumArgs,
    ...(options.profileDir ? { userDataDir: options.profileDir } : {}),
  });
  try {
    // Chromium's incognito: an off-the-record browser context.
    const context = options.private ? await browser.createBrowserContext() : browser.defaultBrowserContext();
    return new PuppeteerBrowser('chromium', await browser.version(), browser, context);
  } catch (error) {
    await browser.close();
    throw error;
  }
}

export async function launchFirefox(options: LaunchOptions): Promise<EngineBrowser> {
  const browser = await puppeteer.launch({
    browser: 'firefox',
    protocol: 'webDriverBiDi',
    executablePath: FIREFOX,
    headless: true,
    ...(options.profileDir ? { userDataDir: options.profileDir } : {}),
    extraPrefsFirefox: {
      // Every window private, as with `firefox -private`.
      ...(options.private ? { 'browser.privatebrowsing.autostart': true } : {}),
    },
  });
  try {
    return new PuppeteerBrowser('firefox', await browser.version(), browser, browser.defaultBrowserContext());
  } catch (error) {
    await browser.close();
    throw error;
  }
}

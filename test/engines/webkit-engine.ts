/**
 * WebKit: WebKitGTK's MiniBrowser (the engine Safari shares) driven by
 * selenium-webdriver through WebKitWebDriver, on an Xvfb display this module
 * starts itself and stops in `stopWebKitServices()`.
 *
 * WebDriver has one current window per session, so the tabs of one browser take
 * turns: every command switches to its tab's window first, under a queue. Keep
 * each `evaluate` short (start long loops in the page and poll their results).
 * Each "tab" is a MiniBrowser window of its own: a new MiniBrowser tab stays in
 * the background (`document.visibilityState === 'hidden'`) and WebDriver cannot
 * bring it to the front; windows share the session's storage, locks and channels
 * just the same.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { Builder, By, until, type WebDriver } from 'selenium-webdriver';
import { freePort } from '../../demo/server/net.ts';
import { pageScript, unwrapPageResult, type EngineBrowser, type LaunchOptions, type Tab } from './driver.ts';

/** MiniBrowser under /usr/lib/<triplet>/webkit2gtk-4.x/, or $LATCHKEY_MINIBROWSER. */
export function miniBrowserPath(): string | undefined {
  if (process.env.LATCHKEY_MINIBROWSER) return process.env.LATCHKEY_MINIBROWSER;
  for (const triplet of existsSync('/usr/lib') ? readdirSync('/usr/lib') : []) {
    for (const api of ['webkit2gtk-4.1', 'webkit2gtk-4.0', 'webkitgtk-6.0']) {
      const candidate = `/usr/lib/${triplet}/${api}/MiniBrowser`;
      if (existsSync(candidate)) return candidate;
    }
  }
  return undefined;
}

let xvfb: Promise<{ display: string; process: ChildProcess }> | undefined;
const drivers = new Set<ChildProcess>();

function stopProcess(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

/** Starts Xvfb on a display it picks itself (`-displayfd`), resolves to ':N'. */
function startXvfb(): Promise<{ display: string; process: ChildProcess }> {
  return new Promise((resolve, reject) => {
    const child = spawn('Xvfb', ['-displayfd', '3', '-screen', '0', '1280x1024x24', '-nolisten', 'tcp'], {
      stdio: ['ignore', 'ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stderr!.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.stdio[3]!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('\n')) resolve({ display: `:${out.trim()}`, process: child });
    });
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`Xvfb exited (${code}): ${err.trim().split('\n').slice(-3).join(' ')}`)));
  });
}

function killAll(): void {
  for (const driver of drivers) driver.kill('SIGKILL');
  void xvfb?.then((x) => x.process.kill('SIGKILL'), () => undefined);
}
process.once('exit', killAll);

/**
 * Starts a WebKitWebDriver of its own (it serves one session at a time) on a
 * free port, on the shared Xvfb display; resolves to its URL and a stop function.
 */
async function startDriver(): Promise<{ url: string; stop: () => Promise<void> }> {
  xvfb ??= startXvfb();
  const { display } = await xvfb;
  const port = await freePort();
  const driver = spawn('WebKitWebDriver', [`--port=${port}`, '--host=127.0.0.1'], {
    stdio: 'ignore',
    env: { ...process.env, DISPLAY: display },
  });
  drivers.add(driver);
  const stop = async () => {
    await stopProcess(driver);
    drivers.delete(driver);
  };
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 15_000;
  for (;;) {
    if (await fetch(`${url}/status`).then((r) => r.ok, () => false)) return { url, stop };
    if (Date.now() > deadline || driver.exitCode !== null) {
      await stop();
      throw new Error('WebKitWebDriver did not start');
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Stops every WebKitWebDriver still running and Xvfb. */
export async function stopWebKitServices(): Promise<void> {
  await Promise.all([...drivers].map((driver) => stopProcess(driver)));
  drivers.clear();
  const started = xvfb;
  xvfb = undefined;
  const display = await started?.catch(() => undefined);
  await stopProcess(display?.process);
}

/** One queue per WebDriver session: a command and its window switch run together. */
class Queue {
  private tail: Promise<unknown> = Promise.resolve();
  run<T>(task: () => Promise<T>): Promise<T> {
    const result = this.tail.then(task);
    this.tail = result.catch(() => undefined);
    return result;
  }
}

class WebKitTab implements Tab {
  constructor(
    private readonly browser: WebKitBrowser,
    readonly handle: string,
  ) {}
  private run<T>(task: (driver: WebDriver) => Promise<T>): Promise<T> {
    return this.browser.inWindow(this.handle, task);
  }
  goto(url: string): Promise<void> {
    return this.run((driver) => driver.get(url));
  }
  reload(): Promise<void> {
    return this.run((driver) => driver.navigate().refresh());
  }
  url(): Promise<string> {
    return this.run((driver) => driver.getCurrentUrl());
  }
  async evaluate<A, R>(fn: (arg: A) => R | Promise<R>, arg: A): Promise<R> {
    const script = `var done = arguments[arguments.length - 1]; ${pageScript(fn as (arg: never) => unknown, arg)}.then(done);`;
    return unwrapPageResult<R>(await this.run((driver) => driver.executeAsyncScript(script)));
  }
  fill(selector: string, value: string): Promise<void> {
    return this.run(async (driver) => {
      const element = await driver.wait(until.elementLocated(By.css(selector)), 20_000);
      await element.clear();
      await element.sendKeys(value);
    });
  }
  click(selector: string): Promise<void> {
    return this.run(async (driver) => {
      const element = await driver.wait(until.elementLocated(By.css(selector)), 20_000);
      await element.click();
    });
  }
  clearCookies(): Promise<void> {
    return this.run((driver) => driver.manage().deleteAllCookies());
  }
  close(): Promise<void> {
    return this.browser.closeWindow(this.handle);
  }
}

class WebKitBrowser implements EngineBrowser {
  readonly engine = 'webkit' as const;
  private readonly queue = new Queue();
  private current: string | undefined;
  private unused: string | undefined;
  private closing: Promise<void> | undefined;
  constructor(
    readonly version: string,
    private readonly driver: WebDriver,
    initialWindow: string,
    private readonly stopDriver: () => Promise<void>,
  ) {
    this.current = initialWindow;
    this.unused = initialWindow;
  }
  inWindow<T>(handle: string, task: (driver: WebDriver) => Promise<T>): Promise<T> {
    return this.queue.run(async () => {
      if (this.current !== handle) {
        await this.driver.switchTo().window(handle);
        this.current = handle;
      }
      return task(this.driver);
    });
  }
  newTab(): Promise<Tab> {
    return this.queue.run(async () => {
      if (this.unused) {
        const handle = this.unused;
        this.unused = undefined;
        return new WebKitTab(this, handle);
      }
      await this.driver.switchTo().newWindow('window');
      this.current = await this.driver.getWindowHandle();
      return new WebKitTab(this, this.current);
    });
  }
  closeWindow(handle: string): Promise<void> {
    return this.queue.run(async () => {
      const handles = await this.driver.getAllWindowHandles();
      if (handles.length === 1) {
        // The session ends with its last window: keep it, on a blank page.
        await this.driver.switchTo().window(handle);
        await this.driver.get('about:blank');
        this.current = handle;
        this.unused = handle;
        return;
      }
      await this.driver.switchTo().window(handle);
      await this.driver.close();
      this.current = handles.find((h) => h !== handle);
      await this.driver.switchTo().window(this.current!);
    });
  }
  close(): Promise<void> {
    this.closing ??= this.driver.quit().catch(() => undefined).then(this.stopDriver);
    return this.closing;
  }
}

export async function launchWebKit(options: LaunchOptions): Promise<EngineBrowser> {
  const binary = miniBrowserPath();
  if (!binary) throw new Error('no WebKitGTK MiniBrowser: install webkit2gtk-driver or set LATCHKEY_MINIBROWSER');
  const service = await startDriver();
  // --automation: a session for WebDriver (WebKitGTK keeps its data in memory,
  // gone with the session); --private: private browsing on top of that.
  const args = ['--automation', ...(options.private ? ['--private'] : [])];
  let driver: WebDriver | undefined;
  try {
    driver = await new Builder()
      .usingServer(service.url)
      .withCapabilities({ browserName: 'MiniBrowser', 'webkitgtk:browserOptions': { binary, args } })
      .build();
    await driver.manage().setTimeouts({ script: 30_000, pageLoad: 30_000 });
    const version = `WebKitGTK ${(await driver.getCapabilities()).get('browserVersion') as string}`;
    return new WebKitBrowser(version, driver, await driver.getWindowHandle(), service.stop);
  } catch (error) {
    await driver?.quit().catch(() => undefined);
    await service.stop();
    throw error;
  }
}

/**
 * The three engines behind one `launch(engine, options)`.
 *
 * Startup retry: a browser launch is tried twice. WebKitWebDriver's new-session
 * request occasionally fails when MiniBrowser is slow to map its first window on
 * a loaded machine, and Firefox's first start on a fresh profile can exceed
 * puppeteer's launch timeout; neither is about latchkey. Nothing else retries.
 */
import type { EngineBrowser, EngineName, LaunchOptions } from './driver.ts';
import { launchChromium, launchFirefox } from './puppeteer-engine.ts';
import { launchWebKit, stopWebKitServices } from './webkit-engine.ts';

export const ENGINES: readonly EngineName[] = ['chromium', 'firefox', 'webkit'];

const launchers: Record<EngineName, (options: LaunchOptions) => Promise<EngineBrowser>> = {
  chromium: launchChromium,
  firefox: launchFirefox,
  webkit: launchWebKit,
};

/** Launches `engine`, trying a second time if the first start fails. */
export async function launch(engine: EngineName, options: LaunchOptions = {}): Promise<EngineBrowser> {
  try {
    return await launchers[engine](options);
  } catch (first) {
    console.log(`# ${engine}: launch failed once (${(first as Error).message.split('\n')[0]}); retrying`);
    return launchers[engine](options);
  }
}

/** Stops the processes the engines share (WebKit's Xvfb and WebKitWebDriver). */
export async function stopEngineServices(): Promise<void> {
  await stopWebKitServices();
}

/** `LATCHKEY_ENGINES=firefox,webkit` runs a subset; default all three. */
export function selectedEngines(): EngineName[] {
  const wanted = process.env.LATCHKEY_ENGINES?.split(',').map((name) => name.trim()).filter(Boolean);
  if (!wanted?.length) return [...ENGINES];
  for (const name of wanted) if (!ENGINES.includes(name as EngineName)) throw new Error(`unknown engine ${name}`);
  return wanted as EngineName[];
}

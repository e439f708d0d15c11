/**
 * latchkey-specific steps written against the driver adapter only, so every
 * engine runs exactly the same code: log in through oidc-provider's forms, read
 * everything a page script can read from storage, keep the API busy in a tab.
 */
import type { Stack } from '../../demo/server/stack.ts';
import { waitFor, waitForText, type Tab } from './driver.ts';

/** How many token endpoint requests with this `grant_type` the server saw (any status). */
export function countTokenRequests(stack: Stack, grantType: string): number {
  return stack.server.records.tokenRequests.filter((request) => request.grantType === grantType).length;
}

/**
 * Completes oidc-provider's devInteractions in `tab` (already on its login form):
 * signs in as `user`, confirms consent when asked, resolves back on the app.
 */
export async function loginThroughForms(tab: Tab, stack: Stack, user: string): Promise<void> {
  const appOrigin = new URL(stack.appUrl).origin;
  await waitFor(tab, () => Boolean(document.querySelector('input[name="login"]')), null, { message: 'the login form' });
  await tab.fill('input[name="login"]', user);
  await tab.fill('input[name="password"]', 'any password');
  await tab.click('button[type="submit"]');
  const where = await waitFor(
    tab,
    (origin) => {
      if (location.origin === origin) return 'app';
      return document.querySelector('input[name="prompt"][value="consent"]') ? 'consent' : '';
    },
    appOrigin,
    { message: 'back on the app or the consent form' },
  );
  if (where === 'consent') {
    await tab.click('form:has(input[name="prompt"][value="consent"]) button[type="submit"]');
    await waitFor(tab, (origin) => location.origin === origin, appOrigin, { message: 'back on the app' });
  }
}

/** Opens the app signed out, logs in as `user` through the forms, waits for `authenticated`. */
export async function logIn(tab: Tab, stack: Stack, user: string, options: Record<string, unknown> = {}): Promise<void> {
  await tab.goto(stack.appUrl);
  await waitForText(tab, '#status', 'unauthenticated');
  await tab.evaluate((opts) => {
    void window.session!.login(opts);
  }, options);
  await loginThroughForms(tab, stack, user);
  await waitForText(tab, '#status', 'authenticated');
  await waitForText(tab, '#user', user);
}

/**
 * Resolves once the page's session exists and is ready; returns its status.
 * (WebKitWebDriver may answer a navigation before the app's module ran.)
 */
export async function ready(tab: Tab): Promise<string> {
  await waitFor(tab, () => Boolean(window.session), null, { message: 'the app created its session' });
  return tab.evaluate(async () => {
    await window.session!.ready;
    return window.session!.getSnapshot().status;
  }, null);
}

/**
 * Opens the app with `?manual` (no session of its own; the test creates one with
 * `window.latchkey.createSession`) and waits for its module to have run.
 */
export async function openManual(tab: Tab, stack: Stack): Promise<void> {
  await tab.goto(`${stack.appUrl}?manual`);
  await waitFor(tab, () => Boolean(window.latchkey && window.stack), null, { message: 'the app module ran' });
}

/**
 * Deletes every IndexedDB database of the current origin. Call it on a page
 * without a session (`?manual`): an open connection would block the deletion.
 */
export function deleteAllDatabases(tab: Tab): Promise<number> {
  return tab.evaluate(async () => {
    const names = (await indexedDB.databases()).map((db) => db.name).filter((name): name is string => Boolean(name));
    for (const name of names) {
      await new Promise<void>((resolve, reject) => {
        const request = indexedDB.deleteDatabase(name);
        request.onsuccess = () => resolve();
        request.onerror = () => reject(request.error);
        request.onblocked = () => reject(new Error(`deleting ${name} is blocked by an open connection`));
      });
    }
    return names.length;
  }, null);
}

/** What a page script can read from storage; see readStorage. */
export interface StorageDump {
  /** Every string found anywhere (keys, values, binary decoded as latin1 and base64url). */
  strings: string[];
  /** Every CryptoKey found in IndexedDB. */
  keys: Array<{ type: string; extractable: boolean; algorithm: string }>;
  /** How many IndexedDB records there are, in all databases and stores. */
  records: number;
}

/**
 * Reads every IndexedDB database (all object stores, keys and values),
 * localStorage, sessionStorage and cookies of the page's origin, without
 * knowing how latchkey names anything.
 */
export function readStorage(tab: Tab): Promise<StorageDump> {
  return tab.evaluate(async () => {
    const strings: string[] = [];
    const keys: Array<{ type: string; extractable: boolean; algorithm: string }> = [];
    let records = 0;
    const bytesToStrings = (bytes: Uint8Array) => {
      let latin1 = '';
      for (const byte of bytes) latin1 += String.fromCharCode(byte);
      strings.push(latin1, btoa(latin1).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, ''));
    };
    const walk = (value: unknown, depth: number): void => {
      if (depth > 20 || value === null || value === undefined) return;
      if (typeof value === 'string') strings.push(value);
      else if (typeof value === 'number' || typeof value === 'boolean') strings.push(String(value));
      else if (value instanceof CryptoKey) keys.push({ type: value.type, extractable: value.extractable, algorithm: value.algorithm.name });
      else if (value instanceof ArrayBuffer) bytesToStrings(new Uint8Array(value));
      else if (ArrayBuffer.isView(value)) bytesToStrings(new Uint8Array(value.buffer, value.byteOffset, value.byteLength));
      else if (value instanceof Map) for (const [k, v] of value) (walk(k, depth + 1), walk(v, depth + 1));
      else if (value instanceof Set) for (const v of value) walk(v, depth + 1);
      else if (value instanceof Blob) strings.push(`[Blob ${value.size}]`);
      else if (typeof value === 'object') {
        for (const [key, inner] of Object.entries(value)) {
          strings.push(key);
          walk(inner, depth + 1);
        }
      }
    };
    const request = <T>(r: IDBRequest<T>) => new Promise<T>((resolve, reject) => {
      r.onsuccess = () => resolve(r.result);
      r.onerror = () => reject(r.error);
    });
    for (const { name } of await indexedDB.databases()) {
      if (!name) continue;
      const db = await request(indexedDB.open(name));
      for (const storeName of Array.from(db.objectStoreNames)) {
        const store = db.transaction(storeName, 'readonly').objectStore(storeName);
        const [allKeys, values] = await Promise.all([request(store.getAllKeys()), request(store.getAll())]);
        records += values.length;
        walk(allKeys, 0);
        walk(values, 0);
      }
      db.close();
    }
    for (const storage of [localStorage, sessionStorage]) {
      for (let i = 0; i < storage.length; i++) {
        const key = storage.key(i)!;
        strings.push(key, storage.getItem(key) ?? '');
      }
    }
    strings.push(document.cookie);
    return { strings, keys, records };
  }, null);
}

/**
 * Starts calling the API with `session.fetch` every half second for `ms` in the
 * page (not awaited: with WebDriver only one tab's command runs at a time);
 * collect the outcome with `apiLoopResult`.
 */
export async function startApiLoop(tab: Tab, stack: Stack, ms: number): Promise<void> {
  await tab.evaluate(({ api, ms }) => {
    const result = { done: false, statuses: [] as number[], errors: [] as string[] };
    (window as unknown as { apiLoop: typeof result }).apiLoop = result;
    void (async () => {
      const end = Date.now() + ms;
      while (Date.now() < end) {
        try {
          result.statuses.push((await window.session!.fetch(`${api}/api/me`)).status);
        } catch (error) {
          result.errors.push((error as { code?: string }).code ?? String(error));
        }
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
      result.done = true;
    })();
  }, { api: stack.server.apiOrigin, ms });
}

/** Waits for the loop `startApiLoop` started and returns what it saw. */
export function apiLoopResult(tab: Tab, timeout: number): Promise<{ statuses: number[]; errors: string[] }> {
  return waitFor(
    tab,
    () => {
      const loop = (window as unknown as { apiLoop?: { done: boolean; statuses: number[]; errors: string[] } }).apiLoop;
      return loop?.done ? { statuses: loop.statuses, errors: loop.errors } : null;
    },
    null,
    { timeout, message: 'the API loop to finish' },
  );
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

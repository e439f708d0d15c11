/**
 * Reads everything a script in the page could read from storage: every IndexedDB
 * database (all object stores, keys and values), localStorage, sessionStorage and
 * cookies. Binary values are decoded as latin1 and as base64url so that a token
 * hidden in bytes would still be found.
 */
import type { Page } from '@playwright/test';

export interface KeyInfo {
  type: string;
  extractable: boolean;
  algorithm: string;
}

export interface BrowserState {
  /** Every string found anywhere, binary included. */
  strings: string[];
  /** Every CryptoKey found in IndexedDB. */
  keys: KeyInfo[];
  /** How many IndexedDB records there are. */
  records: number;
}

export async function readBrowserState(page: Page): Promise<BrowserState> {
  return page.evaluate(async () => {
    const strings: string[] = [];
    const keys: Array<{ type: string; extractable: boolean; algorithm: string }> = [];
    let records = 0;
    const bytesToStrings = (bytes: Uint8Array) => {
      let latin1 = '';
      for (const byte of bytes) latin1 += String.fromCharCode(byte);
      strings.push(latin1, btoa(latin1).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, ''));
    };
    const walk = (value: unknown, depth = 0): void => {
      if (depth > 20 || value === null || value === undefined) return;
      if (typeof value === 'string') strings.push(value);
      else if (value instanceof CryptoKey) keys.push({ type: value.type, extractable: value.extractable, algorithm: value.algorithm.name });
      else if (value instanceof ArrayBuffer) bytesToStrings(new Uint8Array(value));
      else if (ArrayBuffer.isView(value)) bytesToStrings(new Uint8Array(value.buffer, value.byteOffset, value.byteLength));
      else if (typeof value === 'object') {
        for (const [key, inner] of Object.entries(value)) {
          strings.push(key);
          walk(inner, depth + 1);
        }
      }
    };
    for (const { name } of await indexedDB.databases()) {
      if (!name) continue;
      const db = await new Promise<IDBDatabase>((resolve, reject) => {
        const request = indexedDB.open(name);
        request.onsuccess = () => resolve(request.result);
        request.onerror = () => reject(request.error);
      });
      for (const storeName of db.objectStoreNames) {
        const store = db.transaction(storeName, 'readonly').objectStore(storeName);
        const [allKeys, values] = await Promise.all(
          [store.getAllKeys(), store.getAll()].map(
            (request) => new Promise<unknown[]>((resolve, reject) => {
              request.onsuccess = () => resolve(request.result as unknown[]);
              request.onerror = () => reject(request.error);
            }),
          ),
        );
        records += values!.length;
        walk(allKeys);
        walk(values);
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
  });
}

/** The keys of every IndexedDB object store, as `{ 'database/store': [keys, sorted] }`. */
export async function indexedDbKeys(page: Page): Promise<Record<string, string[]>> {
  return page.evaluate(async () => {
    const result: Record<string, string[]> = {};
    for (const { name } of await indexedDB.databases()) {
      if (!name) continue;
      const db = await new Promise<IDBDatabase>((resolve, reject) => {
        const request = indexedDB.open(name);
        request.onsuccess = () => resolve(request.result);
        request.onerror = () => reject(request.error);
      });
      for (const storeName of db.objectStoreNames) {
        const request = db.transaction(storeName, 'readonly').objectStore(storeName).getAllKeys();
        const keys = await new Promise<IDBValidKey[]>((resolve, reject) => {
          request.onsuccess = () => resolve(request.result);
          request.onerror = () => reject(request.error);
        });
        result[`${name}/${storeName}`] = keys.map(String).sort();
      }
      db.close();
    }
    return result;
  });
}

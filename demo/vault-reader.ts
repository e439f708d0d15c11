/**
 * What a script that steals this page's storage would find: every IndexedDB
 * database, object store and record, plus localStorage, sessionStorage and
 * cookies, read the way any script on the page could. Values are described,
 * never shown when they could be secret: bytes as byte counts, CryptoKeys by
 * algorithm and `extractable`, text only when short and not token-like.
 */

/** One value found in storage, described. */
export type Finding =
  | { kind: 'bytes'; field: string; bytes: number }
  | { kind: 'key'; field: string; algorithm: string; type: KeyType; extractable: boolean; usages: string[] }
  | { kind: 'text'; field: string; text: string }
  | { kind: 'token-like'; field: string; length: number }
  | { kind: 'value'; field: string; text: string };

/** One IndexedDB record. */
export interface RecordReport {
  database: string;
  store: string;
  key: string;
  findings: Finding[];
}

/** Everything found. */
export interface VaultReport {
  records: RecordReport[];
  /** Entries in localStorage + sessionStorage, and cookies. */
  webStorage: { localStorage: number; sessionStorage: number; cookies: number };
  /** The CryptoKeys found (to try exporting them). */
  keys: CryptoKey[];
  readAt: number;
}

/** Text that looks like a JWT or a long random secret: never shown, only flagged. */
const TOKEN_LIKE = /^[\w-]{8,}\.[\w-]{8,}\.[\w-]*$|^[\w\-+/=]{40,}$/;
const MAX_SHOWN = 48;
/** Record keys are names, not values: shown when up to this long and not token-like. */
const MAX_KEY_SHOWN = 96;

function request<T>(r: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(r.error);
  });
}

function describe(value: unknown, field: string, into: Finding[], keys: CryptoKey[], depth = 0): void {
  if (depth > 8 || value === undefined) return;
  if (value instanceof CryptoKey) {
    keys.push(value);
    into.push({
      kind: 'key',
      field,
      algorithm: value.algorithm.name,
      type: value.type,
      extractable: value.extractable,
      usages: [...value.usages],
    });
  } else if (value instanceof ArrayBuffer) {
    into.push({ kind: 'bytes', field, bytes: value.byteLength });
  } else if (ArrayBuffer.isView(value)) {
    into.push({ kind: 'bytes', field, bytes: value.byteLength });
  } else if (typeof value === 'string') {
    if (TOKEN_LIKE.test(value) || value.length > MAX_SHOWN) into.push({ kind: 'token-like', field, length: value.length });
    else into.push({ kind: 'text', field, text: value });
  } else if (value === null || typeof value !== 'object') {
    into.push({ kind: 'value', field, text: String(value) });
  } else {
    for (const [name, inner] of Object.entries(value)) describe(inner, field ? `${field}.${name}` : name, into, keys, depth + 1);
  }
}

/** Reads every IndexedDB database on this origin, as a storage-stealing script would. */
export async function readVault(): Promise<VaultReport> {
  const records: RecordReport[] = [];
  const keys: CryptoKey[] = [];
  for (const { name } of await indexedDB.databases()) {
    if (!name) continue;
    const db = await request(indexedDB.open(name));
    try {
      for (const store of db.objectStoreNames) {
        const objects = db.transaction(store, 'readonly').objectStore(store);
        const [recordKeys, values] = await Promise.all([request(objects.getAllKeys()), request(objects.getAll())]);
        recordKeys.forEach((key, index) => {
          const findings: Finding[] = [];
          describe(values[index], '', findings, keys);
          const shownKey = typeof key === 'string' && (TOKEN_LIKE.test(key) || key.length > MAX_KEY_SHOWN) ? `(${key.length} chars)` : String(key);
          records.push({ database: name, store, key: shownKey, findings });
        });
      }
    } finally {
      db.close();
    }
  }
  return {
    records,
    webStorage: {
      localStorage: localStorage.length,
      sessionStorage: sessionStorage.length,
      cookies: document.cookie ? document.cookie.split(';').length : 0,
    },
    keys,
    readAt: Date.now(),
  };
}

/** Tries to export each secret and private key, as a thief would; returns what the browser said. */
export async function tryExport(keys: readonly CryptoKey[]): Promise<Array<{ algorithm: string; type: KeyType; outcome: string }>> {
  return Promise.all(
    keys.filter((key) => key.type !== 'public').map(async (key) => {
      try {
        await crypto.subtle.exportKey('jwk', key);
        return { algorithm: key.algorithm.name, type: key.type, outcome: 'EXPORTED' };
      } catch (error) {
        return { algorithm: key.algorithm.name, type: key.type, outcome: error instanceof Error ? error.name : 'refused' };
      }
    }),
  );
}

import { createStore, get, getMany, set, del, update, keys, clear, type UseStore } from 'idb-keyval';
import { LatchkeyError } from './errors.js';

/**
 * The key-value store the vault writes to: latchkey's own IndexedDB database
 * through idb-keyval. Every call is bounded in time and fails with
 * `storage_unavailable`. @internal
 */
export interface KeyValueStore {
  get(key: string): Promise<unknown>;
  getMany(keys: readonly string[]): Promise<unknown[]>;
  set(key: string, value: unknown): Promise<void>;
  /** Atomically replaces the value at `key` with `updater(old)`. */
  update(key: string, updater: (old: unknown) => unknown): Promise<void>;
  del(key: string): Promise<void>;
  keys(): Promise<string[]>;
  clear(): Promise<void>;
}

const UNAVAILABLE =
  'IndexedDB cannot be used here (private browsing, blocked site data, or a full disk), ' +
  'so latchkey cannot keep a session. Ask the user to allow site data for this site, ' +
  'or to leave private browsing, and try again.';

/**
 * Opens (lazily, on the first call) the object store `vault` in the IndexedDB
 * database `databaseName`. Never the idb-keyval default store, which the host
 * app may use too.
 *
 * @param databaseName - the config's `storageName`
 * @param timeoutMs - how long one operation (including the open) may take
 * @internal
 */
export function idbStore(databaseName: string, timeoutMs = 10_000): KeyValueStore {
  let store: UseStore | undefined;

  async function run<T>(operation: (store: UseStore) => Promise<T>): Promise<T> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      store ??= createStore(databaseName, 'vault');
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`IndexedDB did not answer within ${timeoutMs} ms`)), timeoutMs);
      });
      return await Promise.race([operation(store), timeout]);
    } catch (cause) {
      // A failed open poisons the store's promise: open afresh next time.
      store = undefined;
      throw new LatchkeyError('storage_unavailable', UNAVAILABLE, { cause });
    } finally {
      clearTimeout(timer);
    }
  }

  return {
    get: (key) => run((s) => get(key, s)),
    getMany: (list) => run((s) => getMany([...list], s)),
    set: (key, value) => run((s) => set(key, value, s)),
    update: (key, updater) => run((s) => update(key, updater, s)),
    del: (key) => run((s) => del(key, s)),
    keys: () => run(async (s) => (await keys(s)).map(String)),
    clear: () => run((s) => clear(s)),
  };
}

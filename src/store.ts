import { createStore, get, getMany, set, del, keys, promisifyRequest, type UseStore } from 'idb-keyval';
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
  /**
   * One atomic read-modify-write of `key` (a single IndexedDB readwrite
   * transaction, which IndexedDB serializes across tabs): `decide(old)` returns
   * `{ set: value }`, `'delete'`, or `undefined` to leave it. Resolves to `old`.
   * `decide` must be synchronous.
   */
  transact(key: string, decide: (old: unknown) => StoreAction): Promise<unknown>;
  del(key: string): Promise<void>;
  keys(): Promise<string[]>;
}

/** What {@link KeyValueStore.transact} does with the value it read. @internal */
export type StoreAction = { set: unknown } | 'delete' | undefined;

const UNAVAILABLE =
  'IndexedDB is unavailable (private browsing, blocked site data, full disk), so no session can be kept: ' +
  'ask the user to allow site data, then retry.';

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
        timer = setTimeout(() => reject(new Error(`IndexedDB timed out after ${timeoutMs} ms`)), timeoutMs);
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
    getMany: (list) => run((s) => getMany(list as string[], s)), // idb-keyval only reads the list
    set: (key, value) => run((s) => set(key, value, s)),
    transact: (key, decide) =>
      run((s) =>
        s('readwrite', (objects) => {
          const read = objects.get(key);
          read.onsuccess = () => {
            const action = decide(read.result);
            if (action === 'delete') objects.delete(key);
            else if (action) objects.put(action.set, key);
          };
          // The transaction completes only after the read succeeded: its result is `old`.
          return promisifyRequest(objects.transaction).then(() => read.result);
        })),
    del: (key) => run((s) => del(key, s)),
    keys: () => run(async (s) => (await keys(s)).map(String)),
  };
}

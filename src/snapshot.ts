import type { LatchkeyError } from './errors.js';

/** What an app renders from: the session's state at one moment. Immutable. */
export interface SessionSnapshot {
  /** `loading` until `ready` resolves. */
  readonly status: 'loading' | 'authenticated' | 'unauthenticated';
  /** The validated ID token claims (`sub` always present), or null. */
  readonly user: Readonly<Record<string, unknown>> | null;
  /** Access-token expiry in epoch milliseconds, or null. */
  readonly expiresAt: number | null;
  /** The last error that changed the session (or a failed callback), else null. */
  readonly error: LatchkeyError | null;
}

/**
 * Holds the current snapshot and its listeners. `get()` returns the same object
 * until `update` changes a field, as `useSyncExternalStore` requires.
 * @internal
 */
export class SnapshotStore {
  #snapshot: SessionSnapshot = Object.freeze({ status: 'loading', user: null, expiresAt: null, error: null });
  readonly #listeners = new Set<() => void>();

  /** The current snapshot. */
  get(): SessionSnapshot {
    return this.#snapshot;
  }

  /** Applies `change`; listeners run only when a field really changed. */
  update(change: Partial<SessionSnapshot>): void {
    const next = { ...this.#snapshot, ...change };
    const current = this.#snapshot;
    if (next.status === current.status && next.user === current.user &&
      next.expiresAt === current.expiresAt && next.error === current.error) return;
    this.#snapshot = Object.freeze(next);
    for (const listener of [...this.#listeners]) {
      try {
        listener();
      } catch (error) {
        // One failing listener must not starve the others; report it like an event handler would.
        queueMicrotask(() => {
          throw error;
        });
      }
    }
  }

  /** Adds a listener; returns the function that removes it. */
  subscribe(listener: () => void): () => void {
    if (typeof listener !== 'function') throw new TypeError('subscribe(listener): listener must be a function');
    this.#listeners.add(listener);
    return () => {
      this.#listeners.delete(listener);
    };
  }

  /** Removes every listener. */
  clear(): void {
    this.#listeners.clear();
  }
}

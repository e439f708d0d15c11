import type { LatchkeyError } from './errors.js';

/**
 * The standard OpenID Connect claims of a validated ID token (OpenID Connect
 * Core 1.0, sections 2 and 5.1). Other claims are there too, typed `unknown`;
 * pass your own type to `createSession<User>()` to type them.
 */
export interface IdTokenClaims {
  readonly sub: string;
  readonly iss?: string;
  readonly aud?: string | string[];
  readonly exp?: number;
  readonly iat?: number;
  readonly auth_time?: number;
  readonly nonce?: string;
  readonly acr?: string;
  readonly amr?: string[];
  readonly azp?: string;
  readonly sid?: string;
  readonly name?: string;
  readonly given_name?: string;
  readonly family_name?: string;
  readonly middle_name?: string;
  readonly nickname?: string;
  readonly preferred_username?: string;
  readonly profile?: string;
  readonly picture?: string;
  readonly website?: string;
  readonly email?: string;
  readonly email_verified?: boolean;
  readonly gender?: string;
  readonly birthdate?: string;
  readonly zoneinfo?: string;
  readonly locale?: string;
  readonly phone_number?: string;
  readonly phone_number_verified?: boolean;
  readonly address?: {
    readonly formatted?: string;
    readonly street_address?: string;
    readonly locality?: string;
    readonly region?: string;
    readonly postal_code?: string;
    readonly country?: string;
  };
  readonly updated_at?: number;
  readonly [claim: string]: unknown;
}

/** What an app renders from: the session's state at one moment. Immutable. */
export interface SessionSnapshot<User extends { sub: string } = IdTokenClaims> {
  /** `loading` until `ready` resolves (and while a login callback is being handled). */
  readonly status: 'loading' | 'authenticated' | 'unauthenticated';
  /** The validated ID token claims (`sub` always present), or null. */
  readonly user: User | null;
  /** Access-token expiry in epoch milliseconds, or null. */
  readonly expiresAt: number | null;
  /** The last error that changed the session (or a failed callback), else null. */
  readonly error: LatchkeyError | null;
}

/** The snapshot before the session is restored (and for good outside a browser). @internal */
export const LOADING: SessionSnapshot<never> = Object.freeze({ status: 'loading', user: null, expiresAt: null, error: null });

/**
 * Holds the current snapshot and its listeners. `get()` returns the same object
 * until `update` changes a field, as `useSyncExternalStore` requires. Its
 * functions work unbound.
 * @internal
 */
export interface SnapshotStore {
  /** The current snapshot. */
  get(): SessionSnapshot<{ sub: string }>;
  /** Applies `change`; listeners run only when a field really changed. */
  update(change: Partial<SessionSnapshot<{ sub: string }>>): void;
  /** Adds a listener; returns the function that removes it. */
  subscribe(listener: () => void): () => void;
  /** Removes every listener. */
  clear(): void;
}

/** A store holding {@link LOADING}. @internal */
export function createSnapshotStore(): SnapshotStore {
  let snapshot: SessionSnapshot<{ sub: string }> = LOADING;
  const listeners = new Set<() => void>();
  return {
    get: () => snapshot,
    update(change) {
      const current = snapshot;
      if ((Object.keys(change) as Array<keyof typeof change>).every((field) => change[field] === current[field])) return;
      snapshot = Object.freeze({ ...current, ...change });
      for (const listener of [...listeners]) {
        try {
          listener();
        } catch (error) {
          // One failing listener must not starve the others; report it like an event handler would.
          queueMicrotask(() => {
            throw error;
          });
        }
      }
    },
    subscribe(listener) {
      if (typeof listener !== 'function') throw new TypeError('subscribe(listener) needs a function');
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
    clear() {
      listeners.clear();
    },
  };
}

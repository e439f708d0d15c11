import type { Core } from './core.js';
import { LatchkeyError } from './errors.js';

const cores = new WeakMap<object, Core>();

/** Links a session object to its core, for the optional capabilities. @internal */
export function registerCore(session: object, core: Core): void {
  cores.set(session, core);
}

/**
 * The core of a session made by `createSession`; throws `invalid_config` for
 * anything else (a test session, another copy of the package).
 * @internal
 */
export function coreOf(session: object): Core | undefined {
  return cores.get(session);
}

/**
 * The core a capability (`loginWithPopup`, `checkSession`, …) works on. Throws
 * `unsupported_environment` outside a browser (the inert SSR session) and
 * `invalid_config` for anything else that has no core (a test session, another
 * copy of the package) or a disposed session.
 * @internal
 */
export function capabilityCore(session: object, what: string): Core {
  const core = cores.get(session);
  if (!core) {
    if (typeof window === 'undefined' || typeof document === 'undefined') {
      throw new LatchkeyError('unsupported_environment', `${what} needs a browser (no window here)`);
    }
    throw new LatchkeyError('invalid_config', `${what} needs a session from createSession() of this copy of latchkey`);
  }
  core.assertUsable();
  return core;
}

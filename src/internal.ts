import type { Core } from './core.js';

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

/**
 * The demo's stack: the embedded servers plus the React demo app in demo/.
 * `npm run demo` (start.ts) and the e2e tests start it the same way.
 */
import { startStack, type Stack, type StackOptions } from './stack.ts';

/** The bare imports the demo makes (vite pre-bundles them at start; nothing is discovered later). */
export const DEMO_DEPENDENCIES = ['react', 'react/jsx-dev-runtime', 'react-dom/client'];

/**
 * A short access-token lifetime, so a visitor sees a refresh (and another tab
 * learning of it) within a minute: latchkey refreshes at 75 % of it, ~45 s.
 */
export const DEMO_ACCESS_TOKEN_TTL = 60;

/**
 * Starts the demo stack; `options` override the defaults.
 *
 * @example
 * const demo = await startDemo({ appPort: 5173, hmr: true });
 * console.log(demo.appUrl);
 * await demo.close();
 */
export function startDemo(options: Partial<StackOptions> = {}): Promise<Stack> {
  return startStack({
    accessTokenTtl: DEMO_ACCESS_TOKEN_TTL,
    ...options,
    appRoot: 'demo',
    dependencies: [...DEMO_DEPENDENCIES, ...(options.dependencies ?? [])],
  });
}

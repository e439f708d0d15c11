/**
 * The whole local stack: the embedded servers plus a vite dev server that serves
 * an SPA (the demo or the e2e test app) with `latchkey` aliased to src/.
 */
import { createHash } from 'node:crypto';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createServer, type Plugin, type ViteDevServer } from 'vite';
import { startEmbedded, type EmbeddedOptions, type EmbeddedServer } from './embedded.ts';
import { freePort, LOOPBACK } from './net.ts';

const projectRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** How to start the stack. */
export interface StackOptions extends Omit<EmbeddedOptions, 'appOrigin'> {
  /** Folder with the index.html that vite serves (e.g. demo/ or test/e2e/app). */
  appRoot: string;
  /** Port of the app; default a free one. */
  appPort?: number;
  /** Live reload when files change. Default false (a reload mid-test would break it). */
  hmr?: boolean;
  /**
   * More `connect-src` sources for the page's Content-Security-Policy, given the
   * stack's origins. The e2e app adds the API under its other loopback name
   * (`localhost`), which a test calls to prove that no token goes there.
   */
  extraConnectSources?: (config: StackConfig) => string[];
  /**
   * More dependencies for vite to pre-bundle at start (the React and Vue e2e apps
   * name theirs: `react`, `react-dom/client`, `vue`, `vue-router`…). Nothing is
   * discovered later, so an app must name every bare import it makes.
   */
  dependencies?: string[];
  /** More compile-time constants (e.g. Vue's feature flags). */
  define?: Record<string, string>;
}

/** The running stack. */
export interface Stack {
  /** 'http://127.0.0.1:<port>/' */
  appUrl: string;
  server: EmbeddedServer;
  close(): Promise<void>;
}

/** The configuration the page reads from the compile-time constant `__LATCHKEY_STACK__`. */
export interface StackConfig {
  issuer: string;
  clientId: string;
  /** A second client registered alike, for two-apps-on-one-origin tests. */
  otherClientId: string;
  apiOrigin: string;
  apiResource: string;
  appOrigin: string;
}

/**
 * Starts the embedded servers and a vite dev server for `appRoot`, all on 127.0.0.1.
 *
 * @example
 * const stack = await startStack({ appRoot: 'demo' });
 * console.log(stack.appUrl);
 * await stack.close();
 */
export async function startStack(options: StackOptions): Promise<Stack> {
  const { appRoot, appPort, hmr = false, extraConnectSources, dependencies = [], define = {}, ...embeddedOptions } = options;
  const root = resolve(projectRoot, appRoot);
  const port = appPort ?? (await freePort());
  const appOrigin = `http://${LOOPBACK}:${port}`;
  const server = await startEmbedded({ ...embeddedOptions, appOrigin });
  const config: StackConfig = {
    issuer: server.issuer,
    clientId: server.clientId,
    otherClientId: server.otherClientId,
    apiOrigin: server.apiOrigin,
    apiResource: server.apiResource,
    appOrigin,
  };
  const policy = contentSecurityPolicy(config, extraConnectSources?.(config) ?? []);

  let vite: ViteDevServer | undefined;
  try {
    vite = await createServer({
      configFile: false,
      envDir: false,
      root,
      logLevel: 'warn',
      clearScreen: false,
      cacheDir: resolve(projectRoot, 'node_modules/.vite-latchkey', createHash('sha256').update(root).digest('hex').slice(0, 12)),
      // Each package entry to its source (exact names: 'latchkey' must not also
      // catch 'latchkey/react'). The bindings import the core as '../index.js',
      // the same module as 'latchkey': one copy of the core on the page.
      resolve: {
        alias: [
          { find: /^latchkey$/, replacement: resolve(projectRoot, 'src/index.ts') },
          { find: /^latchkey\/react$/, replacement: resolve(projectRoot, 'src/react/index.tsx') },
          { find: /^latchkey\/vue$/, replacement: resolve(projectRoot, 'src/vue/index.ts') },
          { find: /^latchkey\/testing$/, replacement: resolve(projectRoot, 'src/testing/index.ts') },
        ],
      },
      define: { ...define, __LATCHKEY_STACK__: JSON.stringify(config) },
      plugins: [contentSecurityPolicyPlugin(policy)],
      // Pre-bundle the library's dependencies up front, and discover nothing
      // later, so no "new dependencies optimized, reloading" happens mid-test.
      optimizeDeps: { include: ['oauth4webapi', 'idb-keyval', ...dependencies], noDiscovery: true },
      server: {
        host: LOOPBACK,
        port,
        strictPort: true,
        hmr,
        // Without HMR no file watcher either, so no edit can reload a page mid-test.
        // (The websocket stays: without it vite's client logs console errors.)
        watch: hmr ? {} : null,
        fs: { allow: [projectRoot] },
      },
    });
    await vite.listen();
  } catch (error) {
    await vite?.close();
    await server.close();
    throw error;
  }

  let closing: Promise<void> | undefined;
  return {
    appUrl: `${appOrigin}/`,
    server,
    close() {
      closing ??= Promise.all([vite!.close(), server.close()]).then(() => undefined);
      return closing;
    },
  };
}

/**
 * The strict policy of the app's pages: scripts and styles from the app origin
 * only (no inline code, no eval), network access only to the app itself, the
 * authorization server and the API, frames only of the authorization server and
 * the app, framing only by the app itself, and nothing else (no plugins,
 * workers, forms, <base>).
 *
 * - `connect-src 'self'`: the app's own origin, for same-origin requests an app
 *   makes (none of these pages does today; modules load under script-src).
 * - the issuer: discovery, PAR, token, revocation (latchkey's `fetch` calls).
 * - the API origin: `session.fetch`.
 * - `ws://<app host>:<port>`: vite's client websocket (HMR and its connection
 *   check). CSP3 engines match it with 'self' already, older ones do not; it
 *   is named so the policy means the same everywhere.
 * - `style-src 'self'`: the demo's `<link rel="stylesheet">`; vite injects
 *   `<style>` only for CSS imported from JS, which neither app does, so no
 *   'unsafe-inline'.
 *
 * - `frame-src <issuer> 'self'` and `frame-ancestors 'self'`: `checkSession`
 *   (and `enableSilentRenew`) load the authorization endpoint in a hidden iframe
 *   that the server redirects to the app's own `redirectUri`, where the app's
 *   page completes the callback. `frame-src` must name both hops (CSP checks
 *   every redirect of a frame), and the app's pages must accept being framed by
 *   their own origin, never by anyone else (clickjacking stays impossible:
 *   another site still cannot frame them).
 *
 * Navigations (to the authorization and end-session endpoints, and a
 * `loginWithPopup` window) are not subject to CSP.
 */
export function contentSecurityPolicy(config: StackConfig, extraConnectSources: readonly string[] = []): string {
  const app = new URL(config.appOrigin);
  const connect = [
    "'self'",
    new URL(config.issuer).origin,
    new URL(config.apiOrigin).origin,
    ...extraConnectSources,
    `${app.protocol === 'https:' ? 'wss' : 'ws'}://${app.host}`,
  ];
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self'",
    `connect-src ${[...new Set(connect)].join(' ')}`,
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    `frame-src 'self' ${new URL(config.issuer).origin}`,
    "frame-ancestors 'self'",
  ].join('; ');
}

/**
 * Sends `policy` as `Content-Security-Policy` with every HTML page the dev
 * server answers (index.html, the SPA fallback, its 404). The middleware is
 * installed after vite's module, file and fallback middlewares, so it sees only
 * requests about to be answered with HTML.
 */
function contentSecurityPolicyPlugin(policy: string): Plugin {
  return {
    name: 'latchkey-stack:content-security-policy',
    configureServer(server) {
      return () => {
        server.middlewares.use((_req, res, next) => {
          res.setHeader('Content-Security-Policy', policy);
          next();
        });
      };
    },
  };
}

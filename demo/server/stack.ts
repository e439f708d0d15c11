/**
 * The whole local stack: the embedded servers plus a vite dev server that serves
 * an SPA (the demo or the e2e test app) with `latchkey` aliased to src/.
 */
import { createHash } from 'node:crypto';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createServer, type ViteDevServer } from 'vite';
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
  const { appRoot, appPort, hmr = false, ...embeddedOptions } = options;
  const root = resolve(projectRoot, appRoot);
  const port = appPort ?? (await freePort());
  const appOrigin = `http://${LOOPBACK}:${port}`;
  const server = await startEmbedded({ ...embeddedOptions, appOrigin });
  const config: StackConfig = {
    issuer: server.issuer,
    clientId: server.clientId,
    apiOrigin: server.apiOrigin,
    apiResource: server.apiResource,
    appOrigin,
  };

  let vite: ViteDevServer | undefined;
  try {
    vite = await createServer({
      configFile: false,
      envDir: false,
      root,
      logLevel: 'warn',
      clearScreen: false,
      cacheDir: resolve(projectRoot, 'node_modules/.vite-latchkey', createHash('sha256').update(root).digest('hex').slice(0, 12)),
      resolve: { alias: { latchkey: resolve(projectRoot, 'src/index.ts') } },
      define: { __LATCHKEY_STACK__: JSON.stringify(config) },
      // Pre-bundle the library's dependencies up front, and discover nothing
      // later, so no "new dependencies optimized, reloading" happens mid-test.
      optimizeDeps: { include: ['oauth4webapi', 'idb-keyval'], noDiscovery: true },
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

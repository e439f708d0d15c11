/**
 * Loopback networking helpers shared by the embedded servers and the stack.
 */
import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** The only interface anything here listens on. */
export const LOOPBACK = '127.0.0.1';

/** A listening HTTP server together with its origin and a clean `close()`. */
export interface Listening {
  server: Server;
  origin: string;
  port: number;
  close(): Promise<void>;
}

/**
 * Starts an HTTP server on 127.0.0.1 (port 0 = a free one unless `port` is given).
 * `close()` drops idle and active keep-alive connections so it resolves promptly.
 */
export async function listen(handler: RequestListener, port = 0): Promise<Listening> {
  const server = createServer(handler);
  server.keepAliveTimeout = 1000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, LOOPBACK, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const actual = (server.address() as AddressInfo).port;
  let closing: Promise<void> | undefined;
  return {
    server,
    port: actual,
    origin: `http://${LOOPBACK}:${actual}`,
    close() {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}

/** Whether `port` can be bound on 127.0.0.1 right now. */
export async function isPortFree(port: number): Promise<boolean> {
  try {
    const probe = await listen(() => undefined, port);
    await probe.close();
    return true;
  } catch {
    return false;
  }
}

/** Finds a free port on 127.0.0.1 by binding port 0 and releasing it. */
export async function freePort(): Promise<number> {
  const probe = await listen(() => undefined);
  await probe.close();
  return probe.port;
}

/**
 * Compile-time constant that demo/server/stack.ts defines for the page (vite `define`):
 * where the embedded servers are and which client to use.
 */
declare const __LATCHKEY_STACK__: {
  issuer: string;
  clientId: string;
  /** A second client registered alike (two apps on one origin). */
  otherClientId: string;
  apiOrigin: string;
  apiResource: string;
  appOrigin: string;
};

/**
 * The demo's one session, created at module scope (never inside a component),
 * with two APIs: the demo API gets the session's main token, the billing API a
 * token of its own (its audience, the narrower scope `billing:read`). Every
 * session event goes to the event log.
 */
import { createSession } from 'latchkey';
import { eventLog } from './event-log.ts';

/** Where the embedded servers are (vite `define`, see demo/server/stack.ts). */
export const stack = __LATCHKEY_STACK__;

/** The two APIs the dashboard calls. */
export const apis = {
  main: { name: 'Projects API', origin: stack.apiOrigin, path: '/api/projects' },
  billing: { name: 'Billing API', origin: stack.billingOrigin, path: '/api/invoices' },
} as const;

/** The user's claims: the embedded server sends these with the `profile` and `email` scopes. */
export interface DemoUser {
  sub: string;
  name?: string;
  preferred_username?: string;
  email?: string;
}

export const session = createSession<DemoUser>({
  issuer: stack.issuer,
  clientId: stack.clientId,
  redirectUri: `${stack.appOrigin}/`,
  postLogoutRedirectUri: `${stack.appOrigin}/`,
  // `api:read` is the Projects API's scope; the billing scope is asked for at
  // login too (latchkey adds each API's resource and scope to the request).
  scope: 'openid profile email offline_access api:read',
  resource: stack.apiResource,
  apiOrigins: [
    stack.apiOrigin,
    { origin: stack.billingOrigin, resource: stack.billingResource, scope: stack.billingScope },
  ],
  onEvent: eventLog.add,
});

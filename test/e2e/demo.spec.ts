/**
 * The demo (demo/, `npm run demo`) end to end, driven through its buttons the
 * way a visitor would, and the billing API it calls: a second resource server
 * that accepts only tokens of its own audience and scope.
 */
import { decodeJwt } from 'jose';
import { expect, test } from './fixtures.ts';
import { codeFlow, refresh } from './node-client.ts';

test.describe('the billing API (no latchkey: a plain client in Node)', () => {
  test('one grant, two audiences: each API accepts only its own token, and billing only with billing:read', async ({ page, stack }) => {
    const { server } = stack;
    const flow = await codeFlow(page, server, {
      username: 'alice',
      redirectUri: new URL('/callback', stack.appUrl).href,
      scope: `openid profile offline_access api:read ${server.billingScope}`,
      resource: [server.apiResource, server.billingResource],
      dpop: false,
    });
    const main = flow.tokens;
    expect(decodeJwt(main.access_token)).toMatchObject({ aud: server.apiResource, scope: 'api:read' });

    // The refresh-token grant narrows to the billing resource and scope (RFC 8707 §2.2, RFC 6749 §6).
    const billing = await refresh(flow, main.refresh_token!, { resource: server.billingResource, scope: server.billingScope });
    expect(decodeJwt(billing.access_token)).toMatchObject({ aud: server.billingResource, scope: server.billingScope, sub: 'alice' });
    // Without resource it is the main API's token again (the granted default).
    const again = await refresh(flow, billing.refresh_token!);
    expect(decodeJwt(again.access_token)).toMatchObject({ aud: server.apiResource });

    // The billing audience without the billing scope.
    const unscoped = await refresh(flow, again.refresh_token!, { resource: server.billingResource, scope: 'openid' });
    expect(decodeJwt(unscoped.access_token)).toMatchObject({ aud: server.billingResource });
    expect(decodeJwt(unscoped.access_token).scope ?? '').not.toContain(server.billingScope);

    const call = async (origin: string, token: string) => {
      const response = await fetch(`${origin}/api/me`, { headers: { Authorization: `Bearer ${token}` } });
      return `${response.status} ${/error="([a-z_]+)"/.exec(response.headers.get('www-authenticate') ?? '')?.[1] ?? ''}`.trim();
    };
    const answers = {
      mainWithMain: await call(server.apiOrigin, again.access_token),
      mainWithBilling: await call(server.apiOrigin, billing.access_token),
      billingWithBilling: await call(server.billingOrigin, billing.access_token),
      billingWithMain: await call(server.billingOrigin, again.access_token),
      billingWithoutScope: await call(server.billingOrigin, unscoped.access_token),
    };
    expect(answers).toEqual({
      mainWithMain: '200',
      mainWithBilling: '401 invalid_token',
      billingWithBilling: '200',
      billingWithMain: '401 invalid_token',
      billingWithoutScope: '403 insufficient_scope',
    });
    expect(server.records.apiCalls.map(({ status, aud, error }) => ({ status, aud, error }))).toEqual([
      { status: 200, aud: [server.apiResource], error: undefined },
      { status: 401, aud: undefined, error: 'invalid_token' },
    ]);
    expect(server.records.billingCalls.map(({ status, aud, scope, error }) => ({ status, aud, scope, error }))).toEqual([
      { status: 200, aud: [server.billingResource], scope: server.billingScope, error: undefined },
      { status: 401, aud: undefined, scope: undefined, error: 'invalid_token' },
      { status: 403, aud: [server.billingResource], scope: '', error: 'insufficient_scope' },
    ]);
  });
});

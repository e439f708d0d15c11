/**
 * The page the end-to-end tests drive. On load it creates `window.session` from
 * the stack's configuration plus JSON overrides found in sessionStorage under
 * `lk-overrides` (set by the test before navigating; test-app code only), unless
 * the URL has `?manual`, in which case the test creates sessions itself with
 * `window.latchkey.createSession`.
 */
import { checkSession, createSession, enableSilentRenew, getAuthorizationHeaders, LatchkeyError, loginWithPopup } from 'latchkey';

const stack = __LATCHKEY_STACK__;
window.stack = stack;
window.latchkey = { createSession, LatchkeyError, loginWithPopup, checkSession, enableSilentRenew, getAuthorizationHeaders };

function text(id: string, value: string): void {
  const element = document.getElementById(id);
  if (element) element.textContent = value;
}

if (!new URLSearchParams(location.search).has('manual')) {
  const overrides = JSON.parse(sessionStorage.getItem('lk-overrides') ?? '{}') as Record<string, unknown>;
  const session = createSession({
    issuer: stack.issuer,
    clientId: stack.clientId,
    redirectUri: `${stack.appOrigin}/`,
    apiOrigins: [stack.apiOrigin],
    postLogoutRedirectUri: `${stack.appOrigin}/`,
    ...overrides,
  });
  window.session = session;
  const render = () => {
    const snapshot = session.getSnapshot();
    text('status', snapshot.status);
    text('user', typeof snapshot.user?.sub === 'string' ? snapshot.user.sub : '');
    text('error', snapshot.error ? snapshot.error.code : '');
  };
  session.subscribe(render);
  render();

  // "Log in in a popup": loginWithPopup straight from the click (a user gesture).
  document.getElementById('popup-login')?.addEventListener('click', () => {
    text('popup-result', 'pending');
    loginWithPopup(session).then(
      () => text('popup-result', 'ok'),
      (error: unknown) => text('popup-result', error instanceof LatchkeyError ? error.code : String(error)),
    );
  });
}

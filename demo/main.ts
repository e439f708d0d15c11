/**
 * The latchkey demo: log in against the embedded authorization server, look at
 * the user's claims and the access token's lifetime, call the API, log out.
 * Plain DOM, no inline scripts or styles, so a strict CSP can be applied.
 */
import { createSession } from 'latchkey';

const stack = __LATCHKEY_STACK__;

const session = createSession({
  issuer: stack.issuer,
  clientId: stack.clientId,
  redirectUri: `${stack.appOrigin}/`,
  apiOrigins: [stack.apiOrigin],
  postLogoutRedirectUri: `${stack.appOrigin}/`,
});

function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const element = document.getElementById(id);
  if (!element) throw new Error(`#${id} is missing from index.html`);
  return element as T;
}

const ui = {
  status: byId('status'),
  error: byId('error'),
  errorCode: byId('error-code'),
  errorMessage: byId('error-message'),
  signedOut: byId('signed-out'),
  signedIn: byId('signed-in'),
  claims: byId('claims'),
  expiry: byId('expiry'),
  login: byId<HTMLButtonElement>('login'),
  logout: byId<HTMLButtonElement>('logout'),
  callApi: byId<HTMLButtonElement>('call-api'),
  apiStatus: byId('api-status'),
  apiBody: byId('api-body'),
};

function formatRemaining(expiresAt: number | null): string {
  if (expiresAt === null) return 'unknown';
  const seconds = Math.max(0, Math.round((expiresAt - Date.now()) / 1000));
  const minutes = Math.floor(seconds / 60);
  return `${minutes}:${String(seconds % 60).padStart(2, '0')}`;
}

function render(): void {
  const snapshot = session.getSnapshot();
  ui.status.textContent = snapshot.status;
  ui.signedOut.hidden = snapshot.status !== 'unauthenticated';
  ui.signedIn.hidden = snapshot.status !== 'authenticated';
  ui.claims.textContent = snapshot.user ? JSON.stringify(snapshot.user, null, 2) : '';
  ui.expiry.textContent = formatRemaining(snapshot.expiresAt);
  ui.error.hidden = snapshot.error === null;
  ui.errorCode.textContent = snapshot.error?.code ?? '';
  ui.errorMessage.textContent = snapshot.error?.message ?? '';
}

async function run(button: HTMLButtonElement, action: () => Promise<void>): Promise<void> {
  button.disabled = true;
  try {
    await action();
  } catch (error) {
    ui.apiStatus.textContent = `Failed: ${error instanceof Error ? error.message : String(error)}`;
  } finally {
    button.disabled = false;
  }
}

ui.login.addEventListener('click', () => {
  void run(ui.login, () => session.login());
});

ui.logout.addEventListener('click', () => {
  void run(ui.logout, () => session.logout());
});

ui.callApi.addEventListener('click', () => {
  void run(ui.callApi, async () => {
    ui.apiStatus.textContent = 'Calling…';
    const response = await session.fetch(`${stack.apiOrigin}/api/me`);
    const text = await response.text();
    let body = text;
    try {
      body = JSON.stringify(JSON.parse(text), null, 2);
    } catch {
      // not JSON: show as is
    }
    ui.apiStatus.textContent = `HTTP ${response.status} ${response.statusText}`;
    ui.apiBody.textContent = body;
    ui.apiBody.hidden = false;
  });
});

session.subscribe(render);
render();
setInterval(() => {
  ui.expiry.textContent = formatRemaining(session.getSnapshot().expiresAt);
}, 1000);

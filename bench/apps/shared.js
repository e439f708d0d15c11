// What every bench app shares, byte for byte: where the servers are and a tiny UI.
// The runner sets `globalThis.BENCH_CONFIG` before the app loads; the fallback
// only keeps the apps self-explanatory when read on their own.
export const config = globalThis.BENCH_CONFIG ?? {
  issuer: 'http://127.0.0.1:3000',
  clientId: 'latchkey-demo',
  apiOrigin: 'http://127.0.0.1:3001',
  apiResource: 'http://127.0.0.1:3001/',
  appOrigin: location.origin,
};

export const redirectUri = `${config.appOrigin}/`;
export const scope = 'openid profile offline_access';
export const apiUrl = `${config.apiOrigin}/api/me`;

/** Renders a Log in / Log out / Call API page and wires the buttons. */
export function mountUi({ login, logout, callApi }) {
  document.body.innerHTML =
    '<p id="status">loading</p><button id="login">Log in</button> <button id="logout">Log out</button> ' +
    '<button id="call">Call API</button><pre id="out"></pre>';
  const on = (id, handler) =>
    document.getElementById(id).addEventListener('click', () => handler().catch(showError));
  on('login', login);
  on('logout', logout);
  on('call', async () => show(await callApi()));
}

export function setStatus(text) {
  document.getElementById('status').textContent = text;
}

export function show(value) {
  document.getElementById('out').textContent = JSON.stringify(value, null, 2);
}

export function showError(error) {
  setStatus(`error: ${error?.message ?? error}`);
}

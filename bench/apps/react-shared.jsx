// What every React bench app shares: a small app shell (status, user, the three
// buttons, a guarded panel) rendered by React 19, identical across SDKs. Each
// app supplies the auth state and actions through `props`.
import { StrictMode, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { apiUrl, config, redirectUri } from './shared.js';

export { apiUrl, config, redirectUri };

export function Shell({ status, user, error, login, logout, callApi, Guarded }) {
  const [out, setOut] = useState('');
  const run = (action) => () => action().then((value) => setOut(JSON.stringify(value, null, 2)), (e) => setOut(`error: ${e?.message ?? e}`));
  return (
    <main>
      <p id="status">{error ? `error: ${error.message}` : status === 'authenticated' ? `signed in as ${user?.sub}` : status}</p>
      <button id="login" onClick={run(login)}>Log in</button> <button id="logout" onClick={run(logout)}>Log out</button>{' '}
      <button id="call" onClick={run(callApi)}>Call API</button>
      <pre id="out">{out}</pre>
      <Guarded />
    </main>
  );
}

export function Secret() {
  return <p id="secret">only for signed-in users</p>;
}

export function mount(node) {
  const element = document.createElement('div');
  document.body.append(element);
  createRoot(element).render(<StrictMode>{node}</StrictMode>);
}

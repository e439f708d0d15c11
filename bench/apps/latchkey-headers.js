// latchkey + getAuthorizationHeaders: the minimal realistic app (latchkey.js) with one optional
// capability in use, so the bench can report what that capability costs.
import { createSession, getAuthorizationHeaders } from 'latchkey';
import { apiUrl, config, mountUi, redirectUri, setStatus, show, showError } from './shared.js';

const session = createSession({
  issuer: config.issuer,
  clientId: config.clientId,
  redirectUri,
  apiOrigins: [config.apiOrigin],
  postLogoutRedirectUri: redirectUri,
});

mountUi({
  login: () => session.login(),
  logout: () => session.logout(),
  callApi: async () => {
    // An XHR client: the headers session.fetch would add, on an XMLHttpRequest.
    const headers = await getAuthorizationHeaders(session, apiUrl, 'GET');
    const xhr = new XMLHttpRequest();
    xhr.open('GET', apiUrl);
    for (const [name, value] of Object.entries(headers)) xhr.setRequestHeader(name, value);
    xhr.responseType = 'json';
    return new Promise((resolve, reject) => {
      xhr.onload = () => resolve(xhr.response);
      xhr.onerror = () => reject(new Error('XHR failed'));
      xhr.send();
    });
  },
});

async function main() {
  await session.ready; // restores the session and handles the redirect callback
  const { status, user, error } = session.getSnapshot();
  if (error) showError(error);
  setStatus(status === 'authenticated' ? `signed in as ${user.sub}` : 'signed out');
  if (status !== 'authenticated') return;
  await session.getAccessToken();
  show(await (await session.fetch(apiUrl)).json());
}

main().catch(showError);

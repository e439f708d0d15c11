// latchkey + loginWithPopup: the minimal realistic app (latchkey.js) with one optional
// capability in use, so the bench can report what that capability costs.
import { createSession, loginWithPopup } from 'latchkey';
import { apiUrl, config, mountUi, redirectUri, setStatus, show, showError } from './shared.js';

const session = createSession({
  issuer: config.issuer,
  clientId: config.clientId,
  redirectUri,
  apiOrigins: [config.apiOrigin],
  postLogoutRedirectUri: redirectUri,
});

mountUi({
  login: () => loginWithPopup(session),
  logout: () => session.logout(),
  callApi: async () => (await session.fetch(apiUrl)).json(),
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

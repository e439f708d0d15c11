// The latchkey app the size apps share: latchkey.js runs it as it is; each
// latchkey-*.js runs it with one optional capability in use, so the bench can
// report what that capability costs. `extend(session)` may replace the login or
// API call and add a step once the session is ready.
import { createSession } from 'latchkey';
import { apiUrl, config, mountUi, redirectUri, setStatus, show, showError } from './shared.js';

export function startApp(extend = () => ({})) {
  const session = createSession({
    issuer: config.issuer,
    clientId: config.clientId,
    redirectUri,
    apiOrigins: [config.apiOrigin],
    postLogoutRedirectUri: redirectUri,
  });
  const { login, callApi, afterReady } = extend(session);

  mountUi({
    login: login ?? (() => session.login()),
    logout: () => session.logout(),
    callApi: callApi ?? (async () => (await session.fetch(apiUrl)).json()),
  });

  async function main() {
    await session.ready; // restores the session and handles the redirect callback
    await afterReady?.();
    const { status, user, error } = session.getSnapshot();
    if (error) showError(error);
    setStatus(status === 'authenticated' ? `signed in as ${user.sub}` : 'signed out');
    if (status !== 'authenticated') return;
    await session.getAccessToken();
    show(await (await session.fetch(apiUrl)).json());
  }

  main().catch(showError);
}

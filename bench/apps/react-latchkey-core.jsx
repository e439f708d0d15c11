// latchkey's core in React by hand (useSyncExternalStore, a guard, the callback's
// returnTo): the React app without latchkey/react, to show what the binding adds.
import { useEffect, useSyncExternalStore } from 'react';
import { createSession } from 'latchkey';
import { apiUrl, config, mount, redirectUri, Secret, Shell } from './react-shared.jsx';

const session = createSession({ issuer: config.issuer, clientId: config.clientId, redirectUri, apiOrigins: [config.apiOrigin], postLogoutRedirectUri: redirectUri });
session.ready.then(() => session.handleRedirectCallback()).then(({ returnTo }) => returnTo && history.replaceState(null, '', returnTo), () => undefined);
let started = false;

function Guarded() {
  const { status } = useSyncExternalStore(session.subscribe, session.getSnapshot);
  useEffect(() => {
    if (status === 'unauthenticated' && !started) {
      started = true;
      void session.login({ returnTo: location.pathname + location.search + location.hash });
    }
  }, [status]);
  return status === 'authenticated' ? <Secret /> : null;
}

function App() {
  const { status, user, error } = useSyncExternalStore(session.subscribe, session.getSnapshot, () => ({ status: 'loading', user: null, error: null }));
  return <Shell status={status} user={user} error={error} login={() => session.login()} logout={() => session.logout()}
    callApi={async () => (await session.fetch(apiUrl)).json()} Guarded={Guarded} />;
}

mount(<App />);

// latchkey/react: SessionProvider, useSession, RequireAuth. `latchkey` and
// `latchkey/react` resolve to the built dist/.
import { createSession } from 'latchkey';
import { RequireAuth, SessionProvider, useSession } from 'latchkey/react';
import { apiUrl, config, mount, redirectUri, Secret, Shell } from './react-shared.jsx';

const session = createSession({ issuer: config.issuer, clientId: config.clientId, redirectUri, apiOrigins: [config.apiOrigin], postLogoutRedirectUri: redirectUri });

function Guarded() {
  return <RequireAuth><Secret /></RequireAuth>;
}

function App() {
  const { status, user, error, session: s } = useSession();
  return <Shell status={status} user={user} error={error} login={() => s.login()} logout={() => s.logout()}
    callApi={async () => (await s.fetch(apiUrl)).json()} Guarded={Guarded} />;
}

mount(<SessionProvider session={session}><App /></SessionProvider>);

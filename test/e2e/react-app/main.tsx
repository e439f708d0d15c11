/**
 * The React 19 app the e2e tests drive (react.spec.ts), under <StrictMode>:
 * - every path renders <RequireAuth> around the signed-in content, except
 * - `/public`: no guard;
 * - `/flap`: mounts and unmounts several <RequireAuth> over and over while
 *   signed out (at most one login may start).
 * The session is created once, at module scope, as the README says.
 */
import { StrictMode, useEffect, useState, type ReactNode } from 'react';
import { createRoot } from 'react-dom/client';
import { createSession } from 'latchkey';
import { RequireAuth, SessionProvider, useSession } from 'latchkey/react';

const stack = __LATCHKEY_STACK__;
const session = createSession({
  issuer: stack.issuer,
  clientId: stack.clientId,
  redirectUri: `${stack.appOrigin}/callback`,
  apiOrigins: [stack.apiOrigin],
  postLogoutRedirectUri: `${stack.appOrigin}/`,
});
window.session = session;

function Status(): ReactNode {
  const { status, user, error } = useSession<{ sub: string }>();
  return (
    <>
      <p>Status: <span id="status">{status}</span></p>
      <p>User: <span id="user">{user?.sub ?? ''}</span></p>
      <p>Error: <span id="error">{error?.code ?? ''}</span></p>
    </>
  );
}

function Secret(): ReactNode {
  const { user } = useSession<{ sub: string }>();
  return <p id="secret">signed in as {user?.sub}</p>;
}

/** Mounts and unmounts three guards 30 times, one macrotask apart. */
function Flap(): ReactNode {
  const [round, setRound] = useState(0);
  useEffect(() => {
    if (round >= 30) return;
    const timer = setTimeout(() => setRound(round + 1), 0);
    return () => clearTimeout(timer);
  }, [round]);
  return (
    <>
      <p id="rounds">{round}</p>
      {round % 2 === 0 && [1, 2, 3].map((key) => <RequireAuth key={key} fallback={<span className="fallback" />}>x</RequireAuth>)}
    </>
  );
}

function App(): ReactNode {
  const path = location.pathname;
  let page: ReactNode;
  if (path === '/public') page = <p id="public">public</p>;
  else if (path === '/flap') page = <Flap />;
  else page = <RequireAuth fallback={<p id="fallback">Signing in…</p>}><Secret /></RequireAuth>;
  return (
    <>
      <Status />
      {page}
    </>
  );
}

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <SessionProvider session={session}>
      <App />
    </SessionProvider>
  </StrictMode>,
);

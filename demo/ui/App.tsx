/**
 * The page: a top bar, then the welcome (signed out) or the dashboard (signed
 * in), and the storage panel in either state. `/account` is the same dashboard
 * behind `<RequireAuth>`: open it signed out and latchkey sends you to log in,
 * then brings you back there.
 */
import type { ReactNode } from 'react';
import { RequireAuth, useSession } from 'latchkey/react';
import type { DemoUser } from '../session.ts';
import { Dashboard } from './Dashboard.tsx';
import { TopBar } from './TopBar.tsx';
import { VaultPanel } from './VaultPanel.tsx';
import { Welcome } from './Welcome.tsx';

function Loading({ text }: { text: string }): ReactNode {
  return (
    <div className="loading" role="status">
      <span className="spinner" aria-hidden="true" />
      {text}
    </div>
  );
}

export function App(): ReactNode {
  const { status, error } = useSession<DemoUser>();
  let content: ReactNode;
  if (location.pathname === '/account') {
    content = (
      <RequireAuth fallback={<Loading text="Sending you to log in…" />}>
        <Dashboard />
      </RequireAuth>
    );
  } else if (status === 'loading') {
    content = <Loading text="Restoring your session…" />;
  } else {
    content = status === 'authenticated' ? <Dashboard /> : <Welcome />;
  }
  return (
    <>
      <TopBar />
      <main className="page">
        {error && (
          <div className="banner banner-error" role="alert" id="error">
            <strong>{error.code}</strong> {error.message}
          </div>
        )}
        {content}
        {status !== 'loading' && <VaultPanel />}
      </main>
      <footer className="footer">
        latchkey demo · embedded oidc-provider at <code>{new URL(__LATCHKEY_STACK__.issuer).host}</code> · strict
        Content-Security-Policy: no inline script or style on this page
      </footer>
    </>
  );
}

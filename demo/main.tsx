/**
 * The latchkey demo: a React app built with latchkey/react the way an app
 * would be. The session is created once, at module scope (session.ts); the
 * provider makes it available to every component. No inline script or style
 * anywhere, so the page runs under a strict Content-Security-Policy.
 */
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { SessionProvider } from 'latchkey/react';
import { session } from './session.ts';
import { App } from './ui/App.tsx';

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <SessionProvider session={session}>
      <App />
    </SessionProvider>
  </StrictMode>,
);

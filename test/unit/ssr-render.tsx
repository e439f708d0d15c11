/**
 * Run by ssr.test.ts in a plain Node child process (no DOM, no IndexedDB):
 * renders the React tree with the real createSession to a string and prints it.
 * The process must then exit by itself.
 */
import { renderToString } from 'react-dom/server';
import { createSession } from '../../src/index.ts';
import { RequireAuth, SessionProvider, useSession } from '../../src/react/index.tsx';
import { createTestSession } from '../../src/testing/index.ts';

function Status() {
  const { status } = useSession();
  return <p id="status">{status}</p>;
}

const session = createSession({
  issuer: 'https://auth.example.com',
  clientId: 'spa',
  redirectUri: 'https://app.example.com/callback',
  apiOrigins: ['https://api.example.com'],
});

const tree = (value: Parameters<typeof SessionProvider>[0]['session']) => (
  <SessionProvider session={value}>
    <Status />
    <RequireAuth fallback={<p id="fallback">loading</p>}>secret</RequireAuth>
  </SessionProvider>
);
const html = renderToString(tree(session));
// Whatever a session holds, the server renders `loading` (what the browser's first pass renders too).
const signedIn = renderToString(tree(createTestSession({ status: 'authenticated', user: { sub: 'alice' } })));
process.stdout.write(JSON.stringify({ html, signedIn, hasWindow: typeof window !== 'undefined' }));

// The README's Svelte example, type-checked against svelte/store (npm run typecheck).
// A latchkey session already has the shape of a store's source: subscribe() and
// getSnapshot(). readable() turns it into a Svelte store, so components write
// $session.status and $session.user.
import { derived, readable, type Readable } from 'svelte/store';
import { createSession, type Session, type SessionSnapshot } from 'latchkey';

/** A Svelte store of the session's snapshot; Svelte subscribes and unsubscribes for you. */
export function sessionStore<S extends Session>(session: S): Readable<ReturnType<S['getSnapshot']>> {
  const read = () => session.getSnapshot() as ReturnType<S['getSnapshot']>;
  return readable(read(), (set) => session.subscribe(() => set(read())));
}

// src/lib/auth.ts of a Svelte app:
export const session = createSession({
  issuer: 'https://auth.example.com',
  clientId: 'spa',
  redirectUri: 'https://app.example.com/',
  apiOrigins: ['https://api.example.com'],
});
export const auth = sessionStore(session);
export const signedIn = derived(auth, ($auth) => $auth.status === 'authenticated');

// In a component: {#if $auth.status === 'authenticated'} Hello {$auth.user?.name} {/if}
// and <button onclick={() => session.login({ returnTo: location.pathname })}>Log in</button>.

// The store contract, checked: what the component sees is the snapshot.
const check: Readable<SessionSnapshot> = auth;
const signedInCheck: Readable<boolean> = signedIn;
void [check, signedInCheck];

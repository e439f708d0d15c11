// The README's Angular example, type-checked against @angular/core, @angular/router,
// and rxjs (npm run typecheck): the session as an injection token, a service with a
// signal of the snapshot and a CanActivateFn guard. The HttpInterceptorFn is in
// pending/angular-interceptor.ts until getAuthorizationHeaders is exported.
import { DestroyRef, Injectable, InjectionToken, inject, signal, type Signal } from '@angular/core';
import type { CanActivateFn } from '@angular/router';
import { createSession, type Session, type SessionSnapshot } from 'latchkey';

/** One session for the app, created on first injection. */
export const SESSION = new InjectionToken<Session>('latchkey session', {
  providedIn: 'root',
  factory: () => createSession({
    issuer: 'https://auth.example.com',
    clientId: 'spa',
    redirectUri: 'https://app.example.com/',
    apiOrigins: ['https://api.example.com'],
  }),
});

/** The session's snapshot as a signal, for templates: auth.state().user?.name */
@Injectable({ providedIn: 'root' })
export class AuthService {
  readonly session = inject(SESSION);
  readonly #state = signal(this.session.getSnapshot());
  readonly state: Signal<SessionSnapshot> = this.#state.asReadonly();

  constructor() {
    const unsubscribe = this.session.subscribe(() => this.#state.set(this.session.getSnapshot()));
    inject(DestroyRef).onDestroy(unsubscribe);
  }

  login(returnTo?: string): Promise<void> {
    return this.session.login(returnTo === undefined ? {} : { returnTo });
  }

  logout(): Promise<void> {
    return this.session.logout();
  }
}

/** Route guard: waits for ready (a callback included), else sends the user to log in. */
export const authGuard: CanActivateFn = async (_route, state) => {
  const session = inject(SESSION);
  await session.ready;
  if (session.getSnapshot().status === 'authenticated') return true;
  await session.login({ returnTo: state.url });
  return false;
};

// latchkey + checkSession: the minimal realistic app (latchkey-app.js) with one
// optional capability in use, so the bench can report what that capability costs.
import { checkSession } from 'latchkey';
import { startApp } from './latchkey-app.js';
import { showError } from './shared.js';

startApp((session) => ({
  afterReady: async () => {
    if (session.getSnapshot().status === 'unauthenticated') await checkSession(session).catch(showError);
  },
}));

// latchkey + loginWithPopup: the minimal realistic app (latchkey-app.js) with one
// optional capability in use, so the bench can report what that capability costs.
import { loginWithPopup } from 'latchkey';
import { startApp } from './latchkey-app.js';

startApp((session) => ({ login: () => loginWithPopup(session) }));

// latchkey + enableSilentRenew: the minimal realistic app (latchkey-app.js) with one
// optional capability in use, so the bench can report what that capability costs.
import { enableSilentRenew } from 'latchkey';
import { startApp } from './latchkey-app.js';

startApp((session) => ({ afterReady: () => enableSilentRenew(session) }));

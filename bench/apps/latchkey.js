// latchkey: the minimal realistic app (construct, redirect login, callback,
// token, API call, logout). `latchkey` resolves to the built dist/index.js.
import { startApp } from './latchkey-app.js';

startApp();

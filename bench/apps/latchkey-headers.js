// latchkey + getAuthorizationHeaders: the minimal realistic app (latchkey-app.js)
// with one optional capability in use, so the bench can report what it costs.
import { getAuthorizationHeaders } from 'latchkey';
import { startApp } from './latchkey-app.js';
import { apiUrl } from './shared.js';

startApp((session) => ({
  callApi: async () => {
    // An XHR client: the headers session.fetch would add, on an XMLHttpRequest.
    const headers = await getAuthorizationHeaders(session, apiUrl, 'GET');
    const xhr = new XMLHttpRequest();
    xhr.open('GET', apiUrl);
    for (const [name, value] of Object.entries(headers)) xhr.setRequestHeader(name, value);
    xhr.responseType = 'json';
    return new Promise((resolve, reject) => {
      xhr.onload = () => resolve(xhr.response);
      xhr.onerror = () => reject(new Error('XHR failed'));
      xhr.send();
    });
  },
}));

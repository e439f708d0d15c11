// The README's Angular HttpInterceptorFn, type-checked against @angular/common/http and rxjs.
import type { HttpInterceptorFn } from '@angular/common/http';
import { inject } from '@angular/core';
import { from, switchMap } from 'rxjs';
import { getAuthorizationHeaders, isLatchkeyError } from 'latchkey';
import { SESSION } from './angular.ts';

/**
 * HttpClient interceptor: adds the headers session.fetch would add (Authorization,
 * and DPoP when the token is bound) to requests for an API origin; others go untouched.
 * provideHttpClient(withInterceptors([latchkeyInterceptor]))
 */
export const latchkeyInterceptor: HttpInterceptorFn = (request, next) => {
  const session = inject(SESSION);
  const headers = getAuthorizationHeaders(session, request.urlWithParams, request.method)
    .catch((error: unknown) => {
      if (isLatchkeyError(error, 'origin_not_allowed')) return null; // not an API of ours
      throw error;
    });
  return from(headers).pipe(
    switchMap((setHeaders) => next(setHeaders ? request.clone({ setHeaders }) : request)),
  );
};

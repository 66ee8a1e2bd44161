// Who is calling. Behind App Service Authentication (APP_SERVICE_AUTHENTICATION=true) the platform strips any
// x-ms-client-principal-* header a client sends and sets its own, so they can be trusted; anywhere else anyone can
// send them, so they are ignored and a caller only declares an address, which the audit marks as self-declared.
// https://learn.microsoft.com/azure/app-service/configure-authentication-user-identities
import { isEmailAddress } from '../core/email-address.js';
import { problem, type HttpRequestLike, type HttpResponseInit } from './http.js';

export interface Caller {
  readonly who: string;
  /** true when the name is only what the caller said (no sign-in in front). */
  readonly selfDeclared: boolean;
}

export type CallerResult = { ok: true; caller: Caller } | { ok: false; response: HttpResponseInit };

/**
 * The signed-in principal when the app sits behind App Service Authentication; otherwise `declared` (what the
 * caller says in `field`), which must be an e-mail address.
 */
export function callerOf(
  request: HttpRequestLike,
  options: { readonly appServiceAuthentication: boolean },
  declared: unknown,
  field: string,
): CallerResult {
  if (options.appServiceAuthentication) {
    const principal = request.headers.get('x-ms-client-principal-name')?.trim();
    if (principal && principal.length <= 254)
      return { ok: true, caller: { who: principal, selfDeclared: false } };
    return {
      ok: false,
      response: problem(401, 'Unauthenticated', 'sign in: no principal came with the request'),
    };
  }
  if (typeof declared !== 'string' || declared.trim() === '')
    return {
      ok: false,
      response: problem(400, 'InvalidParameter', `${field}: say who you are (an e-mail address)`),
    };
  const who = declared.trim().toLowerCase();
  if (!isEmailAddress(who))
    return {
      ok: false,
      response: problem(400, 'InvalidParameter', `${field}: must be an e-mail address`),
    };
  return { ok: true, caller: { who, selfDeclared: true } };
}

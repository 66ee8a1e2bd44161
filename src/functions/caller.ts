// Who is calling, and what they may see. Behind App Service Authentication (APP_SERVICE_AUTHENTICATION=true) the
// platform strips any x-ms-client-principal* header a client sends and sets its own, so they can be trusted; anywhere
// else anyone can send them, so they are ignored and a caller only declares an address, which the audit marks as
// self-declared. https://learn.microsoft.com/azure/app-service/configure-authentication-user-identities
//
// The access model (README, "Who may see what"):
// - people's routes (the dashboard and its findings read): with sign-in on, anonymous at the Functions host and
//   guarded here — a signed-in principal is required; with sign-in off, registered with authLevel function, so the
//   host asks for the key before the handler runs (src/functions/registry.ts, functionsFor).
// - API routes (status, findings, scans, exemptions, contacts): always the function key, checked by the host.
// A key caller sees everything; a signed-in platform-team member too; any other signed-in person is an owner and sees
// the findings they own. Only key callers and the platform team change exemptions and contacts.
import { isEmailAddress } from '../core/email-address.js';
import { parseClientPrincipal, PRINCIPAL_HEADER, PrincipalError } from '../core/principal.js';
import { problem, type HttpRequestLike, type HttpResponseInit } from './http.js';

export interface Caller {
  readonly who: string;
  /** true when the name is only what the caller said (no sign-in in front). */
  readonly selfDeclared: boolean;
}

export type CallerResult = { ok: true; caller: Caller } | { ok: false; response: HttpResponseInit };

export interface AccessOptions {
  readonly appServiceAuthentication: boolean;
  readonly platformTeam?:
    { readonly groupId?: string | undefined; readonly appRole?: string | undefined } | undefined;
}

/** Who a request speaks for: a key holder (a script), a platform-team member, or an owner. */
export type Viewer =
  | { readonly kind: 'key' }
  | { readonly kind: 'platform'; readonly who: string }
  | { readonly kind: 'owner'; readonly who: string };

export type ViewerResult = { ok: true; viewer: Viewer } | { ok: false; response: HttpResponseInit };

/** Whether the viewer sees every owner's findings. */
export function seesEverything(viewer: Viewer): boolean {
  return viewer.kind !== 'owner';
}

/**
 * The viewer of a request. `route` says how the host protected it: `people` routes are anonymous at the host when
 * sign-in is on (the principal is then required here), `api` routes always passed the function key.
 */
export function viewerOf(
  request: HttpRequestLike,
  options: AccessOptions,
  route: 'people' | 'api',
): ViewerResult {
  // Sign-in off: every non-public route is function-level, so the host has checked the key; headers are not trusted.
  if (!options.appServiceAuthentication) return { ok: true, viewer: { kind: 'key' } };
  const header = request.headers.get(PRINCIPAL_HEADER);
  if (!header) {
    if (route === 'api') return { ok: true, viewer: { kind: 'key' } };
    return {
      ok: false,
      response: problem(401, 'Unauthenticated', 'sign in: no principal came with the request'),
    };
  }
  let principal;
  try {
    principal = parseClientPrincipal(header);
  } catch (error) {
    if (error instanceof PrincipalError)
      return { ok: false, response: problem(401, 'Unauthenticated', error.message) };
    throw error;
  }
  const who = principal.addresses[0];
  const team = options.platformTeam ?? {};
  const platform =
    (team.groupId !== undefined && principal.groups.includes(team.groupId.toLowerCase())) ||
    (team.appRole !== undefined && principal.roles.includes(team.appRole));
  // An application's token (a script signed in with client credentials) carries no address: on an API route the key
  // the host checked speaks for it; a people's route is for people.
  if (!who && route === 'api') return { ok: true, viewer: { kind: 'key' } };
  if (!who)
    return {
      ok: false,
      response: problem(
        403,
        'Forbidden',
        'signed in, but the sign-in carries no e-mail address: findings are matched to owners by address',
      ),
    };
  return { ok: true, viewer: platform ? { kind: 'platform', who } : { kind: 'owner', who } };
}

/** Exemptions and contacts are the platform team's (and the key holders'): anyone else gets a 403 saying so. */
export function mayManage(viewer: Viewer, what: string): HttpResponseInit | undefined {
  if (viewer.kind !== 'owner') return undefined;
  return problem(
    403,
    'Forbidden',
    `only the platform team may ${what} (signed in as ${viewer.who}); ask them for it`,
  );
}

/**
 * Which owner's findings a viewer reads: an owner only their own (another address is a 403 naming both), anyone else
 * the owner they ask for, or everyone.
 */
export function ownerScope(
  viewer: Viewer,
  asked: string | undefined,
): { ok: true; owner: string | undefined } | { ok: false; response: HttpResponseInit } {
  const wanted = asked?.trim().toLowerCase() || undefined;
  if (viewer.kind !== 'owner') return { ok: true, owner: wanted };
  if (wanted !== undefined && wanted !== viewer.who)
    return {
      ok: false,
      response: problem(
        403,
        'Forbidden',
        `you may see your own findings only (signed in as ${viewer.who}, asked for ${wanted}); the platform team sees every owner's`,
      ),
    };
  return { ok: true, owner: viewer.who };
}

/**
 * The signed-in principal when the app sits behind App Service Authentication and one came with the request;
 * otherwise `declared` (what the caller says in `field`), which must be an e-mail address.
 */
export function callerOf(
  request: HttpRequestLike,
  options: { readonly appServiceAuthentication: boolean },
  declared: unknown,
  field: string,
): CallerResult {
  if (options.appServiceAuthentication) {
    const header = request.headers.get(PRINCIPAL_HEADER);
    if (header) {
      try {
        const principal = parseClientPrincipal(header);
        const who = principal.addresses[0];
        if (who) return { ok: true, caller: { who, selfDeclared: false } };
      } catch (error) {
        if (!(error instanceof PrincipalError)) throw error;
        return { ok: false, response: problem(401, 'Unauthenticated', error.message) };
      }
    }
    const name = request.headers.get(`${PRINCIPAL_HEADER}-name`)?.trim();
    if (name && name.length <= 254) return { ok: true, caller: { who: name, selfDeclared: false } };
    // No principal: a key caller (a script) behind sign-in; it says who it is, as without sign-in.
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

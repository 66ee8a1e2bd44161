// The signed-in principal as App Service Authentication hands it to the app: the x-ms-client-principal header holds
// the token's claims as base64 JSON `{ auth_typ, claims: [{ typ, val }], name_typ, role_typ }`
// (https://learn.microsoft.com/azure/app-service/configure-authentication-user-identities). Pure: whether the header
// may be trusted at all is the caller's decision (src/functions/caller.ts).
import { isEmailAddress, MAX_ADDRESS_LENGTH } from './email-address.js';

/** The principal header's name, as App Service sets it. */
export const PRINCIPAL_HEADER = 'x-ms-client-principal';

/** A principal header larger than this is refused (an Entra token with many groups is a few KB). */
export const MAX_PRINCIPAL_HEADER = 64 * 1024;

export interface Principal {
  /** The identity provider (`aad`). */
  readonly provider: string;
  /** The object id, when the claims carry one. */
  readonly id: string | undefined;
  /** The principal's e-mail addresses, lowercased, the e-mail claims first: how owners are matched. */
  readonly addresses: readonly string[];
  /** App roles (the `roles` claim, or the principal's role_typ). */
  readonly roles: readonly string[];
  /** Group object ids (the `groups` claim), lowercased. */
  readonly groups: readonly string[];
}

export class PrincipalError extends Error {
  constructor(message: string) {
    super(`${PRINCIPAL_HEADER}: ${message}`);
    this.name = 'PrincipalError';
  }
}

const EMAIL_CLAIM = 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress';
const UPN_CLAIM = 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/upn';
const NAME_CLAIM = 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name';
const ROLE_CLAIM = 'http://schemas.microsoft.com/ws/2008/06/identity/claims/role';
const OID_CLAIM = 'http://schemas.microsoft.com/identity/claims/objectidentifier';
/** Claims that may hold the principal's address, in the order they are preferred. */
const ADDRESS_CLAIMS = [EMAIL_CLAIM, 'email', 'emails', 'preferred_username', UPN_CLAIM, 'upn'];

interface Claim {
  readonly typ: string;
  readonly val: string;
}

/** Decodes and checks a principal header; throws PrincipalError naming what is wrong. */
export function parseClientPrincipal(header: string): Principal {
  if (header.length > MAX_PRINCIPAL_HEADER)
    throw new PrincipalError(`larger than ${MAX_PRINCIPAL_HEADER} characters`);
  if (!/^[A-Za-z0-9+/=_-]*$/.test(header.trim()))
    throw new PrincipalError('is not base64-encoded JSON');
  let raw: unknown;
  try {
    raw = JSON.parse(Buffer.from(header.trim(), 'base64').toString('utf8'));
  } catch {
    throw new PrincipalError('is not base64-encoded JSON');
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    throw new PrincipalError('is not a JSON object');
  const { auth_typ, claims, name_typ, role_typ } = raw as Record<string, unknown>;
  if (!Array.isArray(claims)) throw new PrincipalError('claims: must be a list');
  const list: Claim[] = claims.map((c: unknown) => {
    const { typ, val } = (c ?? {}) as Record<string, unknown>;
    if (typeof typ !== 'string' || typeof val !== 'string')
      throw new PrincipalError('claims: each needs a typ and a val string');
    return { typ, val };
  });
  const of = (types: readonly string[]) =>
    list.filter((c) => types.includes(c.typ)).map((c) => c.val.trim());
  const nameType = typeof name_typ === 'string' ? name_typ : NAME_CLAIM;
  const roleType = typeof role_typ === 'string' ? role_typ : ROLE_CLAIM;
  const addresses = [...ADDRESS_CLAIMS, nameType, NAME_CLAIM, 'name']
    .flatMap((t) => of([t]))
    .map((v) => v.toLowerCase())
    .filter((v) => v.length <= MAX_ADDRESS_LENGTH && isEmailAddress(v));
  return {
    provider: typeof auth_typ === 'string' ? auth_typ : '',
    id: of([OID_CLAIM, 'oid'])[0],
    addresses: [...new Set(addresses)],
    roles: [...new Set(of(['roles', 'role', roleType, ROLE_CLAIM]))],
    groups: [...new Set(of(['groups']).map((g) => g.toLowerCase()))],
  };
}

/** A principal header as App Service would send it for an Entra ID sign-in (the local sign-in stand-in's). */
export function encodeClientPrincipal(input: {
  readonly address: string;
  readonly id?: string;
  readonly roles?: readonly string[];
  readonly groups?: readonly string[];
}): string {
  const claims: Claim[] = [
    { typ: EMAIL_CLAIM, val: input.address },
    { typ: 'preferred_username', val: input.address },
    { typ: 'name', val: input.address },
    ...(input.id ? [{ typ: OID_CLAIM, val: input.id }] : []),
    ...(input.groups ?? []).map((val) => ({ typ: 'groups', val })),
    ...(input.roles ?? []).map((val) => ({ typ: 'roles', val })),
  ];
  return Buffer.from(
    JSON.stringify({ auth_typ: 'aad', claims, name_typ: EMAIL_CLAIM, role_typ: ROLE_CLAIM }),
    'utf8',
  ).toString('base64');
}

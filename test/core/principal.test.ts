// The App Service client principal (x-ms-client-principal: base64 JSON of the token's claims), read as App Service
// sends it: https://learn.microsoft.com/azure/app-service/configure-authentication-user-identities
import { describe, expect, it } from 'vitest';
import {
  encodeClientPrincipal,
  parseClientPrincipal,
  PrincipalError,
} from '../../src/core/principal.js';

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value), 'utf8').toString('base64');

// The shape Microsoft documents, with the claims Entra ID sends after App Service's default claim mapping.
const ENTRA = {
  auth_typ: 'aad',
  claims: [
    { typ: 'name', val: 'Alice Example' },
    {
      typ: 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress',
      val: 'Alice@Contoso.com',
    },
    { typ: 'preferred_username', val: 'alice@contoso.com' },
    {
      typ: 'http://schemas.microsoft.com/identity/claims/objectidentifier',
      val: '0f3c8e94-9c1a-4a9f-8d0c-3f1d2b5a6e71',
    },
    { typ: 'groups', val: '11111111-2222-4333-8444-555555555555' },
    { typ: 'roles', val: 'Readiness.Platform' },
  ],
  name_typ: 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress',
  role_typ: 'http://schemas.microsoft.com/ws/2008/06/identity/claims/role',
};

describe('parseClientPrincipal', () => {
  it('reads addresses (lowercased, e-mail claims first), groups and app roles', () => {
    const p = parseClientPrincipal(b64(ENTRA));
    expect(p.addresses[0]).toBe('alice@contoso.com');
    expect(new Set(p.addresses)).toEqual(new Set(['alice@contoso.com']));
    expect(p.groups).toEqual(['11111111-2222-4333-8444-555555555555']);
    expect(p.roles).toEqual(['Readiness.Platform']);
    expect(p.id).toBe('0f3c8e94-9c1a-4a9f-8d0c-3f1d2b5a6e71');
    expect(p.provider).toBe('aad');
  });

  it('takes roles under the role_typ the principal names', () => {
    const p = parseClientPrincipal(
      b64({ ...ENTRA, claims: [{ typ: ENTRA.role_typ, val: 'Ops' }, ENTRA.claims[2]] }),
    );
    expect(p.roles).toEqual(['Ops']);
  });

  it('leaves out claims that are not addresses', () => {
    const p = parseClientPrincipal(
      b64({ auth_typ: 'aad', claims: [{ typ: 'preferred_username', val: 'not an address' }] }),
    );
    expect(p.addresses).toEqual([]);
  });

  it.each([
    ['not base64 JSON', 'e30'.replace('e30', '%%%')],
    ['JSON that is not an object', b64([1, 2])],
    ['claims that are not a list', b64({ auth_typ: 'aad', claims: 'x' })],
    ['a claim without typ and val strings', b64({ auth_typ: 'aad', claims: [{ typ: 1, val: 2 }] })],
    ['a header past 64 KB', 'A'.repeat(65 * 1024)],
  ])('refuses %s, naming the header', (_, header) => {
    expect(() => parseClientPrincipal(header)).toThrow(PrincipalError);
    expect(() => parseClientPrincipal(header)).toThrow(/x-ms-client-principal/);
  });

  it('round-trips what the local sign-in stand-in encodes', () => {
    const header = encodeClientPrincipal({
      address: 'Bob@Contoso.com',
      roles: ['Readiness.Platform'],
      groups: ['11111111-2222-4333-8444-555555555555'],
    });
    const p = parseClientPrincipal(header);
    expect(p.addresses[0]).toBe('bob@contoso.com');
    expect(p.roles).toEqual(['Readiness.Platform']);
    expect(p.groups).toEqual(['11111111-2222-4333-8444-555555555555']);
  });
});

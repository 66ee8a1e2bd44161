// Who a request speaks for (src/functions/caller.ts): the decisions behind the access model, one by one.
import { describe, expect, it } from 'vitest';
import { encodeClientPrincipal } from '../../src/core/principal.js';
import { ownerScope, viewerOf } from '../../src/functions/caller.js';
import { request } from '../support/http.js';

const GROUP = '11111111-2222-4333-8444-555555555555';
const ON = { appServiceAuthentication: true, platformTeam: { groupId: GROUP } };
const OFF = { appServiceAuthentication: false, platformTeam: { groupId: GROUP } };
const withPrincipal = (header: string) =>
  request('/api/dashboard', { headers: { 'x-ms-client-principal': header } });
/** What App Service sends for an app calling with a client-credentials token: no address among the claims. */
const APP_ONLY = Buffer.from(
  JSON.stringify({ auth_typ: 'aad', claims: [{ typ: 'appid', val: 'x' }] }),
).toString('base64');

describe('viewerOf', () => {
  it('without sign-in, is the key holder the host let in, whatever headers come', () => {
    const forged = withPrincipal(encodeClientPrincipal({ address: 'a@contoso.com' }));
    expect(viewerOf(forged, OFF, 'people')).toEqual({ ok: true, viewer: { kind: 'key' } });
  });

  it('behind sign-in, needs the principal on a people route, not on an API route (the key is checked there)', () => {
    const bare = request('/api/dashboard');
    const people = viewerOf(bare, ON, 'people');
    expect(people.ok).toBe(false);
    if (!people.ok) expect(people.response.status).toBe(401);
    expect(viewerOf(bare, ON, 'api')).toEqual({ ok: true, viewer: { kind: 'key' } });
  });

  it('tells the platform team (by group or app role) from an owner', () => {
    const member = withPrincipal(
      encodeClientPrincipal({ address: 'Lead@Contoso.com', groups: [GROUP] }),
    );
    expect(viewerOf(member, ON, 'people')).toEqual({
      ok: true,
      viewer: { kind: 'platform', who: 'lead@contoso.com' },
    });
    const role = withPrincipal(
      encodeClientPrincipal({ address: 'ops@contoso.com', roles: ['Ops'] }),
    );
    expect(
      viewerOf(
        role,
        { appServiceAuthentication: true, platformTeam: { appRole: 'Ops' } },
        'people',
      ),
    ).toMatchObject({ viewer: { kind: 'platform' } });
    const owner = withPrincipal(
      encodeClientPrincipal({ address: 'a@contoso.com', roles: ['ops'] }),
    );
    expect(
      viewerOf(
        owner,
        { appServiceAuthentication: true, platformTeam: { appRole: 'Ops' } },
        'people',
      ),
    ).toMatchObject({ viewer: { kind: 'owner', who: 'a@contoso.com' } });
  });

  it('refuses a people route to a principal without an address, and an unreadable principal anywhere', () => {
    const people = viewerOf(withPrincipal(APP_ONLY), ON, 'people');
    expect(people.ok).toBe(false);
    if (!people.ok) expect(people.response.status).toBe(403);
    const broken = viewerOf(withPrincipal('%%%'), ON, 'api');
    expect(broken.ok).toBe(false);
    if (!broken.ok) expect(broken.response.status).toBe(401);
  });

  it('leaves an API call with the key to the key when the principal is an application, not a person', () => {
    expect(viewerOf(withPrincipal(APP_ONLY), ON, 'api')).toEqual({
      ok: true,
      viewer: { kind: 'key' },
    });
  });
});

describe('ownerScope', () => {
  it('gives an owner their own findings, a 403 for anyone else, and anyone else what they ask for', () => {
    const owner = { kind: 'owner', who: 'a@contoso.com' } as const;
    expect(ownerScope(owner, undefined)).toEqual({ ok: true, owner: 'a@contoso.com' });
    expect(ownerScope(owner, ' A@Contoso.com ')).toEqual({ ok: true, owner: 'a@contoso.com' });
    expect(ownerScope(owner, 'b@contoso.com').ok).toBe(false);
    expect(ownerScope({ kind: 'key' }, 'B@contoso.com')).toEqual({
      ok: true,
      owner: 'b@contoso.com',
    });
    expect(ownerScope({ kind: 'platform', who: 'l@contoso.com' }, undefined)).toEqual({
      ok: true,
      owner: undefined,
    });
  });
});

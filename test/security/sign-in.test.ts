// Issue 21, "Signed in, in Azure": the access model on the local host, whose App Service Authentication stand-in
// behaves as the real one (dev/sign-in.ts). People's routes (the dashboard and its findings read) need a sign-in when
// APP_SERVICE_AUTHENTICATION is true and the function key when it is not; API routes always need the key; an owner sees
// their own findings only; the platform team sees everything and alone manages exemptions and contacts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalHost, type RunningHost } from '../../dev/host.js';
import { DEMO_SUBSCRIPTION, demoRuleWitnesses, demoTenant } from '../../dev/tenants/demo.js';
import { silentLogger } from '../../src/adapters/logger.js';
import { createServices, setServices, type Services } from '../../src/composition.js';
import { loadConfig } from '../../src/config.js';
import { encodeClientPrincipal } from '../../src/core/principal.js';
import { FUNCTIONS, functionsFor } from '../../src/functions/registry.js';
import { startStack, type Stack } from '../support/stack.js';

const KEY = 'k3y-for-the-sign-in-tests';
const ROLE = 'Readiness.Platform';
const OWNER = 'netops@contoso.com';
const OTHER = 'web-team@contoso.com';
const ACL_VM = demoRuleWitnesses()['classic/vm-endpoint-acl']?.[0] as string;
const JSON_TYPE = { 'Content-Type': 'application/json' };

let stack: Stack;
let services: Services;
let signedIn: RunningHost;
let keyed: RunningHost;

beforeAll(async () => {
  stack = await startStack({ tenant: demoTenant() });
  await stack.scan({ kind: 'tenant' }, { owners: { tagNames: ['owner'], defaultRecipients: [] } });
  // An address the app refused to mail, as a scan records it: someone else's, for the platform team to fix.
  const status = await stack.store.readStatus();
  if (status)
    await stack.store.writeStatus({
      ...status,
      refusedRecipients: [
        {
          address: 'someone@elsewhere.example',
          why: 'outside EMAIL_ALLOWED_DOMAINS',
          where: 'tag owner on /subscriptions/x/resourceGroups/rg-secret',
          findings: 1,
        },
      ],
      refusedRecipientsTotal: 1,
    });
  services = createServices(
    loadConfig({
      ...stack.env(),
      APP_SERVICE_AUTHENTICATION: 'true',
      PLATFORM_TEAM_APP_ROLE: ROLE,
    }),
    silentLogger,
  );
  const common = {
    schedule: () => '0 0 0 1 1 *',
    port: 0,
    log: silentLogger,
    timers: false,
    functionKey: KEY,
  };
  signedIn = await startLocalHost({ ...common, functions: functionsFor(true), signIn: true });
  keyed = await startLocalHost({ ...common, functions: functionsFor(false) });
});
afterAll(async () => {
  setServices(undefined);
  await signedIn?.close();
  await keyed?.close();
  await stack?.stop();
});

/** Signs in on the local stand-in; returns the session cookie. */
async function signIn(user: string, roles: string[] = []): Promise<string> {
  const response = await fetch(
    `${signedIn.url}/.auth/login/aad?user=${encodeURIComponent(user)}&roles=${roles.join(',')}&post_login_redirect_uri=%2Fapi%2Fdashboard`,
    { redirect: 'manual' },
  );
  expect(response.status).toBe(302);
  expect(response.headers.get('location')).toBe('/api/dashboard');
  const cookie = response.headers.get('set-cookie') ?? '';
  expect(cookie).toMatch(/^AppServiceAuthSession=[^;]+; Path=\/; HttpOnly; SameSite=Lax/);
  return cookie.split(';')[0] as string;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read arbitrary JSON shapes
const read = async (response: Response): Promise<any> => response.json();

describe('sign-in on (APP_SERVICE_AUTHENTICATION=true, behind the stand-in)', () => {
  beforeAll(() => setServices(services));

  it('redirects a browser without a session to the sign-in, and answers anything else 401', async () => {
    const page = await fetch(`${signedIn.url}/api/dashboard?owner=${OWNER}`, {
      headers: { accept: 'text/html,application/xhtml+xml' },
      redirect: 'manual',
    });
    expect(page.status).toBe(302);
    expect(page.headers.get('location')).toBe(
      `/.auth/login/aad?post_login_redirect_uri=${encodeURIComponent(`/api/dashboard?owner=${OWNER}`)}`,
    );
    const api = await fetch(`${signedIn.url}/api/dashboard/findings`, {
      headers: { accept: 'application/json' },
    });
    expect(api.status).toBe(401);
    const xhr = await fetch(`${signedIn.url}/api/dashboard`, {
      headers: { accept: 'text/html', 'x-requested-with': 'XMLHttpRequest' },
      redirect: 'manual',
    });
    expect(xhr.status).toBe(401);
  });

  it('does not take the function key for a people route in place of the sign-in', async () => {
    const response = await fetch(`${signedIn.url}/api/dashboard/findings?code=${KEY}`);
    expect(response.status).toBe(401);
  });

  it('strips a principal header a client forged, with or without a session', async () => {
    const forged = encodeClientPrincipal({ address: 'ceo@contoso.com', roles: [ROLE] });
    const anonymous = await fetch(`${signedIn.url}/api/dashboard/findings`, {
      headers: { 'x-ms-client-principal': forged, 'x-ms-client-principal-name': 'ceo@contoso.com' },
    });
    expect(anonymous.status).toBe(401);
    const cookie = await signIn(OWNER);
    const asOwner = await fetch(`${signedIn.url}/api/dashboard/findings?owner=${OTHER}`, {
      headers: { cookie, 'x-ms-client-principal': forged },
    });
    expect(asOwner.status).toBe(403);
  });

  it("shows a signed-in owner their own findings only, and refuses another owner's with 403", async () => {
    const cookie = await signIn(OWNER.toUpperCase());
    const mine = await fetch(`${signedIn.url}/api/dashboard/findings?top=1000`, {
      headers: { cookie },
    });
    expect(mine.status).toBe(200);
    const { items } = await read(mine);
    expect(items.length).toBeGreaterThan(0);
    for (const f of items) expect(f.owners).toContain(OWNER);
    const theirs = await fetch(`${signedIn.url}/api/dashboard/findings?owner=${OTHER}`, {
      headers: { cookie },
    });
    expect(theirs.status).toBe(403);
    expect((await read(theirs)).error.message).toBe(
      `you may see your own findings only (signed in as ${OWNER}, asked for ${OTHER}); the platform team sees every owner's`,
    );
    const page = await fetch(`${signedIn.url}/api/dashboard?owner=${OTHER}`, {
      headers: { cookie, accept: 'text/html' },
    });
    expect(page.status).toBe(403);
    const own = await fetch(`${signedIn.url}/api/dashboard`, {
      headers: { cookie, accept: 'text/html' },
    });
    expect(own.status).toBe(200);
    const html = await own.text();
    expect(html).toContain(OWNER);
    expect(html).not.toContain(OTHER);
    // Other people's refused addresses, the exemptions and the audit trail are the platform team's.
    expect(html).not.toContain('someone@elsewhere.example');
    const lead = await signIn('lead@contoso.com', [ROLE]);
    const all = await fetch(`${signedIn.url}/api/dashboard`, {
      headers: { cookie: lead, accept: 'text/html' },
    });
    expect(await all.text()).toContain('someone@elsewhere.example');
  });

  it('shows the platform team every owner', async () => {
    const cookie = await signIn('lead@contoso.com', [ROLE]);
    const all = await read(
      await fetch(`${signedIn.url}/api/dashboard/findings?top=1000`, { headers: { cookie } }),
    );
    const owners = new Set(all.items.flatMap((f: { owners: string[] }) => f.owners));
    expect(owners).toContain(OWNER);
    expect(owners).toContain(OTHER);
    const theirs = await fetch(`${signedIn.url}/api/dashboard/findings?owner=${OTHER}`, {
      headers: { cookie },
    });
    expect(theirs.status).toBe(200);
    for (const f of (await read(theirs)).items) expect(f.owners).toContain(OTHER);
  });

  it('keeps the function key on the API routes, and a key sees everything', async () => {
    expect((await fetch(`${signedIn.url}/api/findings`)).status).toBe(401);
    const cookie = await signIn(OWNER);
    expect((await fetch(`${signedIn.url}/api/findings`, { headers: { cookie } })).status).toBe(401);
    const all = await fetch(`${signedIn.url}/api/findings?owner=${OTHER}`, {
      headers: { 'x-functions-key': KEY },
    });
    expect(all.status).toBe(200);
    expect((await read(all)).items.length).toBeGreaterThan(0);
    expect((await fetch(`${signedIn.url}/api/health`)).status).toBe(200);
  });

  it('lets only the platform team create and remove exemptions and edit contacts', async () => {
    const body = JSON.stringify({
      scope: { resourceId: ACL_VM },
      rule: 'classic/vm-endpoint-acl',
      expiresOn: new Date(Date.now() + 10 * 86_400_000).toISOString().slice(0, 10),
      justification: 'Decommissioned in Q1, ticket 4711',
    });
    const owner = await signIn(OWNER);
    const refused = await fetch(`${signedIn.url}/api/exemptions`, {
      method: 'POST',
      headers: { ...JSON_TYPE, cookie: owner, 'x-functions-key': KEY },
      body,
    });
    expect(refused.status).toBe(403);
    expect((await read(refused)).error.message).toMatch(
      /^only the platform team may create exemptions \(signed in as netops@contoso.com\)/,
    );
    const contacts = await fetch(`${signedIn.url}/api/contacts/${DEMO_SUBSCRIPTION.platform}`, {
      method: 'PUT',
      headers: { ...JSON_TYPE, cookie: owner, 'x-functions-key': KEY },
      body: JSON.stringify({ emails: [OWNER] }),
    });
    expect(contacts.status).toBe(403);
    const lead = await signIn('lead@contoso.com', [ROLE]);
    const created = await fetch(`${signedIn.url}/api/exemptions`, {
      method: 'POST',
      headers: { ...JSON_TYPE, cookie: lead, 'x-functions-key': KEY },
      body,
    });
    expect(created.status).toBe(201);
    const exemption = await read(created);
    expect(exemption.createdBy).toBe('lead@contoso.com');
    const removedByOwner = await fetch(`${signedIn.url}/api/exemptions/${exemption.id}`, {
      method: 'DELETE',
      headers: { cookie: owner, 'x-functions-key': KEY },
    });
    expect(removedByOwner.status).toBe(403);
    const removed = await fetch(`${signedIn.url}/api/exemptions/${exemption.id}`, {
      method: 'DELETE',
      headers: { cookie: lead, 'x-functions-key': KEY },
    });
    expect(removed.status).toBeLessThan(300);
  });

  it('signs out', async () => {
    const cookie = await signIn(OWNER);
    const out = await fetch(`${signedIn.url}/.auth/logout`, {
      headers: { cookie },
      redirect: 'manual',
    });
    expect(out.status).toBe(302);
    expect(
      (await fetch(`${signedIn.url}/api/dashboard/findings`, { headers: { cookie } })).status,
    ).toBe(401);
  });

  it('asks who to sign in as when no user is given, escaping what it echoes', async () => {
    const form = await fetch(`${signedIn.url}/.auth/login/aad`);
    expect(form.status).toBe(200);
    expect(await form.text()).toContain('<form');
    const bad = await fetch(`${signedIn.url}/.auth/login/aad?user=${encodeURIComponent('<b>x')}`);
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain('&lt;b&gt;x');
  });

  it('returns only to a path of this site after sign-in', async () => {
    const response = await fetch(
      `${signedIn.url}/.auth/login/aad?user=${OWNER}&post_login_redirect_uri=${encodeURIComponent('//evil.example/x')}`,
      { redirect: 'manual' },
    );
    expect(response.headers.get('location')).toBe('/api/dashboard');
  });
});

describe('sign-in off (the default): safe by default', () => {
  it('registers the people routes with authLevel function', () => {
    for (const fn of functionsFor(false))
      if (fn.kind === 'http' && fn.access === 'people') expect(fn.authLevel).toBe('function');
    expect(functionsFor(false)).toEqual(FUNCTIONS);
  });

  it('answers 401 to the people routes without the key, and ignores principal headers', async () => {
    setServices(services);
    const plain = createServices(loadConfig(stack.env()), silentLogger);
    setServices(plain);
    const forged = encodeClientPrincipal({ address: OWNER });
    for (const path of ['/api/dashboard', '/api/dashboard/findings']) {
      const response = await fetch(`${keyed.url}${path}`, {
        headers: { 'x-ms-client-principal': forged, accept: 'text/html' },
        redirect: 'manual',
      });
      expect(response.status, path).toBe(401);
    }
    // With the key, everything, whatever principal header comes along.
    const all = await fetch(`${keyed.url}/api/dashboard/findings?owner=${OTHER}`, {
      headers: { 'x-ms-client-principal': forged, 'x-functions-key': KEY },
    });
    expect(all.status).toBe(200);
    expect((await read(all)).items.length).toBeGreaterThan(0);
    setServices(services);
  });

  it('refuses to start a host whose people routes are anonymous without sign-in', async () => {
    await expect(
      startLocalHost({
        functions: functionsFor(true),
        schedule: () => '0 0 0 1 1 *',
        port: 0,
        log: silentLogger,
        timers: false,
        functionKey: KEY,
      }),
    ).rejects.toThrow(/anonymous but the host has no sign-in/);
  });
});

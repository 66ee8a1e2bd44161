// Issue 19 items 3, 4, 7 and 8, through the local host over a real store: bounded and linear-time input handling,
// audited and validated identities, signed continuation tokens, JSON-only bodies, and `?code=` everywhere.
import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalHost, type RunningHost } from '../../dev/host.js';
import { DEMO_SUBSCRIPTION, demoRuleWitnesses, demoTenant } from '../../dev/tenants/demo.js';
import { silentLogger } from '../../src/adapters/logger.js';
import { createServices, setServices, type Services } from '../../src/composition.js';
import { loadConfig } from '../../src/config.js';
import { decodeToken, encodeToken, InvalidTokenError } from '../../src/app/query-findings.js';
import { FUNCTIONS } from '../../src/functions/registry.js';
import { startStack, type Stack } from '../support/stack.js';

let stack: Stack;
let host: RunningHost;
let services: Services;
const SUB = DEMO_SUBSCRIPTION.platform;
const ACL_VM = demoRuleWitnesses()['classic/vm-endpoint-acl']?.[0] as string;
const JSON_TYPE = { 'Content-Type': 'application/json' };
/** The function key the local host enforces, as the Functions host does. */
const KEY = 'k3y-for-the-security-tests';

beforeAll(async () => {
  stack = await startStack({ tenant: demoTenant() });
  await stack.scan();
  services = createServices(loadConfig(stack.env()), silentLogger);
  setServices(services);
  host = await startLocalHost({
    functions: FUNCTIONS,
    schedule: () => '0 0 0 1 1 *',
    port: 0,
    log: silentLogger,
    timers: false,
    functionKey: KEY,
  });
});
afterAll(async () => {
  setServices(undefined);
  await host?.close();
  await stack?.stop();
});

/** A call with the function key (as a header), unless the path gives it as `code`. */
const call = (path: string, init: RequestInit = {}) =>
  fetch(`${host.url}${path}`, {
    ...init,
    headers: {
      ...(path.includes('code=') ? {} : { 'x-functions-key': KEY }),
      ...((init.headers as Record<string, string> | undefined) ?? {}),
    },
  });
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read arbitrary JSON shapes
const read = async (response: Response): Promise<any> => response.json();
const exemption = (createdBy: string) => ({
  scope: { resourceId: ACL_VM },
  rule: 'classic/vm-endpoint-acl',
  expiresOn: new Date(Date.now() + 10 * 86_400_000).toISOString().slice(0, 10),
  justification: 'Decommissioned in Q1, ticket 4711',
  createdBy,
});

describe('item 3: bounded, linear-time input handling', () => {
  // "a@" then "a." many times then a space: the old address pattern backtracks quadratically on it.
  const hostile = (n: number) => `a@${'a.'.repeat(n)} `;

  it('refuses a hostile contacts body past the cap with 413, and health answers meanwhile', async () => {
    const started = Date.now();
    const put = call(`/api/contacts/${SUB}?by=ops@contoso.com`, {
      method: 'PUT',
      headers: JSON_TYPE,
      body: JSON.stringify({ emails: [hostile(50_000)] }),
    });
    const health = call('/api/health');
    const [putResponse, healthResponse] = await Promise.all([put, health]);
    expect(putResponse.status).toBe(413);
    expect(healthResponse.status).toBe(200);
    // The old pattern needed ~17 s for this body; 5 s is a generous bound for milliseconds of work.
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('refuses a hostile address under the cap with a 400 naming the field, the same way', async () => {
    const started = Date.now();
    const [response, healthResponse] = await Promise.all([
      call(`/api/contacts/${SUB}?by=ops@contoso.com`, {
        method: 'PUT',
        headers: JSON_TYPE,
        body: JSON.stringify({ emails: Array(3).fill(hostile(2_500)) }),
      }),
      call('/api/health'),
    ]);
    expect(response.status).toBe(400);
    expect((await read(response)).error.message).toMatch(/^emails\.0: must be at most 254/);
    expect(healthResponse.status).toBe(200);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('refuses a body on its declared length, before reading it', async () => {
    // Declares 10 MB, sends a few bytes and waits: only a server that does not read the body answers.
    const status = await new Promise<number>((resolve, reject) => {
      const req = httpRequest(
        `${host.url}/api/exemptions`,
        {
          method: 'POST',
          headers: {
            'Content-Type': 'application/json',
            'Content-Length': String(10 * 1024 * 1024),
            'x-functions-key': KEY,
          },
        },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
          req.destroy();
        },
      );
      req.on('error', (error: NodeJS.ErrnoException) => {
        if (error.code !== 'ECONNRESET') reject(error);
      });
      req.write('{"scope":');
    });
    expect(status).toBe(413);
  }, 10_000);
});

describe('item 4: who changed what', () => {
  it('ignores principal headers without App Service Authentication, and marks the declared name self-declared', async () => {
    const created = await call('/api/exemptions', {
      method: 'POST',
      headers: { ...JSON_TYPE, 'x-ms-client-principal-name': 'ceo@contoso.com' },
      body: JSON.stringify(exemption('lead@contoso.com')),
    });
    expect(created.status).toBe(201);
    const { audit } = await read(await call('/api/exemptions'));
    expect(audit[0]).toMatchObject({
      who: 'lead@contoso.com',
      selfDeclared: true,
      action: 'create',
    });
  });

  it('refuses a free-text identity that is not an address', async () => {
    const created = await call('/api/exemptions', {
      method: 'POST',
      headers: JSON_TYPE,
      body: JSON.stringify(exemption('<script>alert(1)</script>')),
    });
    expect(created.status).toBe(400);
    expect((await read(created)).error.message).toMatch(/^createdBy/);
    const removed = await call(
      `/api/exemptions/11111111-2222-4333-8444-555555555555?by=${encodeURIComponent('<script>')}`,
      { method: 'DELETE' },
    );
    expect(removed.status).toBe(400);
  });

  it('trusts the principal header behind App Service Authentication', async () => {
    setServices({
      ...services,
      config: { ...services.config, appServiceAuthentication: true },
    });
    try {
      const created = await call('/api/exemptions', {
        method: 'POST',
        headers: { ...JSON_TYPE, 'x-ms-client-principal-name': 'signed-in@contoso.com' },
        body: JSON.stringify(exemption('someone-else@contoso.com')),
      });
      expect(created.status).toBe(201);
      expect((await read(created)).createdBy).toBe('signed-in@contoso.com');
      const { audit } = await read(await call('/api/exemptions'));
      expect(audit[0].who).toBe('signed-in@contoso.com');
      expect(audit[0].selfDeclared).toBeUndefined();
    } finally {
      setServices(services);
    }
  });

  it('audits contact changes, and keeps contacts only for subscriptions the scanner has seen', async () => {
    const put = await call(`/api/contacts/${SUB}?by=ops@contoso.com`, {
      method: 'PUT',
      headers: JSON_TYPE,
      body: JSON.stringify({ emails: ['team@contoso.com'] }),
    });
    expect(put.status).toBe(200);
    const { audit } = await read(await call('/api/exemptions'));
    expect(audit[0]).toMatchObject({
      action: 'contacts',
      subscriptionId: SUB,
      who: 'ops@contoso.com',
      selfDeclared: true,
      what: JSON.stringify({ emails: ['team@contoso.com'] }),
    });
    const unknown = await call(
      '/api/contacts/99999999-9999-4999-8999-999999999999?by=ops@contoso.com',
      {
        method: 'PUT',
        headers: JSON_TYPE,
        body: JSON.stringify({ emails: ['team@contoso.com'] }),
      },
    );
    expect(unknown.status).toBe(404);
    const anonymous = await call(`/api/contacts/${SUB}`, {
      method: 'PUT',
      headers: JSON_TYPE,
      body: JSON.stringify({ emails: [] }),
    });
    expect(anonymous.status).toBe(400);
    expect((await read(anonymous)).error.message).toMatch(/^by/);
  });
});

describe('item 7: signed tokens, JSON bodies, clean paths', () => {
  it('answers a forged continuation token with 400, not 500', async () => {
    const first = await read(await call('/api/findings?top=2'));
    expect(first.continuationToken).toBeTruthy();
    const payload = JSON.parse(
      Buffer.from(String(first.continuationToken).split('.')[0] ?? '', 'base64url').toString(
        'utf8',
      ),
    );
    for (const n of ['not-a-store-token', '{"nextPartitionKey":"x\'"}']) {
      const forged = Buffer.from(JSON.stringify({ ...payload, n })).toString('base64url');
      const response = await call(`/api/findings?top=2&continuationToken=${forged}`);
      expect(response.status, n).toBe(400);
      expect((await read(response)).error.message).toMatch(/continuationToken/);
    }
    const next = await call(
      `/api/findings?top=2&continuationToken=${encodeURIComponent(first.continuationToken)}`,
    );
    expect(next.status).toBe(200);
  });

  it('signs tokens with CONTINUATION_TOKEN_KEY: the same key on every instance, at least 32 characters', () => {
    const key = 'k'.repeat(32);
    const filter = { status: 'open' as const };
    const token = encodeToken('next-page', filter, key);
    expect(decodeToken(token, filter, key)).toBe('next-page');
    expect(() => decodeToken(token, filter, 'x'.repeat(32))).toThrow(InvalidTokenError);
    expect(() => decodeToken(token, { status: 'resolved' }, key)).toThrow(/other filters/);
    const env = stack.env();
    expect(loadConfig({ ...env, CONTINUATION_TOKEN_KEY: key }).continuationTokenKey).toBe(key);
    expect(() => loadConfig({ ...env, CONTINUATION_TOKEN_KEY: 'short' })).toThrow(
      /CONTINUATION_TOKEN_KEY: must be at least 32 characters/,
    );
  });

  it('answers POST and PUT bodies that are not declared JSON with 415', async () => {
    const cases: [string, RequestInit][] = [
      [
        '/api/exemptions',
        {
          method: 'POST',
          headers: { 'Content-Type': 'text/plain' },
          body: JSON.stringify(exemption('lead@contoso.com')),
        },
      ],
      [
        `/api/contacts/${SUB}?by=ops@contoso.com`,
        {
          method: 'PUT',
          headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
          body: 'emails=x',
        },
      ],
      ['/api/scans', { method: 'POST' }],
      ['/api/scans', { method: 'POST', headers: { 'Content-Type': 'text/plain' }, body: '{}' }],
    ];
    for (const [path, init] of cases) {
      const response = await call(path, init);
      expect(response.status, `${init.method} ${path}`).toBe(415);
    }
  });

  it('answers malformed percent-encoding in a path with 400', async () => {
    for (const path of [
      '/api/status/subscriptions/%E0%A4%A',
      '/api/exemptions/%ZZ',
      '/api/rules/classic/%',
    ]) {
      const response = await call(
        path,
        path.startsWith('/api/exemptions') ? { method: 'DELETE' } : {},
      );
      expect(response.status, path).toBe(400);
    }
  });
});

describe('item 8: the function key as ?code=', () => {
  it.each([
    '/api/findings?code=k3y-for-the-security-tests',
    '/api/findings?format=csv&top=1000&code=k3y-for-the-security-tests',
    '/api/exemptions?code=k3y-for-the-security-tests',
    '/api/contacts?code=k3y-for-the-security-tests',
    '/api/status?code=k3y-for-the-security-tests',
    '/api/rules?code=k3y-for-the-security-tests',
    '/api/dashboard?code=k3y-for-the-security-tests',
  ])('GET %s is 200', async (path) => {
    expect((await call(path)).status).toBe(200);
  });
});

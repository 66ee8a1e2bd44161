// Managed identity end to end on the local stack: DefaultAzureCredential → the App Service managed-identity
// protocol (dev/identity) → bearer tokens to Table Storage (Azurite over HTTPS, --oauth basic), Resource Graph and
// Communication Services (the emulators, which check audience, lifetime and signature). No key, no connection string.
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TableClient } from '@azure/data-tables';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAzurite, type RunningAzurite } from '../../dev/azurite.js';
import { startEmailEmulator, type RunningEmailEmulator } from '../../dev/emulators/email/index.js';
import {
  startResourceGraphEmulator,
  type RunningEmulator,
} from '../../dev/emulators/resource-graph/server.js';
import {
  startIdentityEndpoint,
  type RunningIdentityEndpoint,
} from '../../dev/identity/endpoint.js';
import { createSelfSignedCert } from '../../dev/tls.js';
import { DEMO_SUBSCRIPTIONS, demoTenant } from '../../dev/tenants/demo.js';
import { silentLogger } from '../../src/adapters/logger.js';
import { createServices, setServices } from '../../src/composition.js';
import { loadConfig } from '../../src/config.js';
import { getStatus } from '../../src/functions/get-status.js';
import { runScheduledScan } from '../../src/functions/scan-readiness.js';
import { runDigests } from '../../src/functions/send-digests.js';
import { API } from '../emulators/resource-graph/harness.js';
import { body, context, request, through } from '../support/http.js';

const STORAGE = 'https://storage.azure.com';
const ARM = 'https://management.azure.com';
const COMMUNICATION = 'https://communication.azure.com';

let identity: RunningIdentityEndpoint;
let azurite: RunningAzurite;
let graph: RunningEmulator;
let email: RunningEmailEmulator;
let dir: string;
let env: Record<string, string>;
const saved: Record<string, string | undefined> = {};

/** What reaches the app: only the identity endpoint's variables, no secret of any service. */
const IDENTITY_VARS = ['IDENTITY_ENDPOINT', 'IDENTITY_HEADER', 'AZURE_CLIENT_ID'];
const KEYED_VARS = ['TABLES_CONNECTION_STRING', 'COMMUNICATION_SERVICES_CONNECTION_STRING'];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'readiness-identity-'));
  identity = await startIdentityEndpoint();
  const trust = { publicKey: identity.publicKey };
  azurite = await startAzurite({ oauth: await createSelfSignedCert() });
  graph = await startResourceGraphEmulator({
    tenant: demoTenant(),
    port: 0,
    quota: { requests: 15, windowMs: 1_000 },
    identity: trust,
  });
  email = await startEmailEmulator({ outbox: join(dir, 'outbox'), identity: trust });
  const pem = (name: string, text: string) => {
    writeFileSync(join(dir, name), text);
    return join(dir, name);
  };
  env = {
    CREDENTIAL_MODE: 'default',
    TABLES_ENDPOINT: azurite.tableEndpoint,
    TABLES_CA_FILE: pem('tables.pem', azurite.ca ?? ''),
    TABLE_PREFIX: `mi${process.pid}`,
    RESOURCE_GRAPH_ENDPOINT: graph.url,
    // The local emulator is not a known cloud: an Azure token goes there only when we say it is ours.
    RESOURCE_GRAPH_ENDPOINT_TRUSTED: 'true',
    RESOURCE_GRAPH_CA_FILE: pem('graph.pem', graph.ca),
    COMMUNICATION_SERVICES_ENDPOINT: email.endpoint,
    COMMUNICATION_SERVICES_CA_FILE: pem('email.pem', email.ca),
    EMAIL_SENDER: 'readiness@contoso.example',
    DIGEST_DEFAULT_RECIPIENTS: 'platform-team@contoso.example',
  };
  // DefaultAzureCredential reads the identity endpoint from the environment, as in a Function App.
  for (const name of [...IDENTITY_VARS, ...KEYED_VARS]) saved[name] = process.env[name];
  for (const name of KEYED_VARS) delete process.env[name];
  Object.assign(process.env, identity.env('user'));
  setServices(createServices(loadConfig(env), silentLogger));
}, 120_000);

afterAll(async () => {
  setServices(undefined);
  for (const [name, value] of Object.entries(saved)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
  await Promise.allSettled([graph?.close(), email?.close(), identity?.close(), azurite?.stop()]);
  rmSync(dir, { recursive: true, force: true });
});

function https(
  url: string,
  ca: string,
  method: string,
  headers: Record<string, string>,
  payload?: string,
): Promise<{ status: number; json: { error?: { code?: string; message?: string } } }> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(
      url,
      { method, ca, agent: false, headers: { 'content-type': 'application/json', ...headers } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({ status: res.statusCode ?? 0, json: text ? JSON.parse(text) : {} });
        });
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

describe('scan → store → digest → status with CREDENTIAL_MODE=default and managed identity', () => {
  it('configures no key and no connection string anywhere', () => {
    const app = Object.fromEntries(
      [...IDENTITY_VARS, ...KEYED_VARS].map((name) => [name, process.env[name]]),
    );
    const everything = JSON.stringify({ env, app });
    expect(everything).not.toMatch(
      /accountkey=|accesskey=|sharedaccesssignature|usedevelopmentstorage/i,
    );
    for (const name of KEYED_VARS) expect(process.env[name], name).toBeUndefined();
    expect(env.CREDENTIAL_MODE).toBe('default');
  });

  it('runs a scan, a digest and answers status, each service reached with the identity', async () => {
    await runScheduledScan('timer', context('scanReadiness'));
    const digest = context('sendDigests');
    await runDigests(digest);

    const status = body(await through(getStatus(request('/api/status'), context('getStatus'))));
    expect(status.lastScan.status, JSON.stringify(status.lastScan)).toBe('succeeded');
    expect(status.lastScan.subscriptions).toBe(DEMO_SUBSCRIPTIONS.length);
    expect(status.findings.open).toBeGreaterThan(0);

    expect(email.sent().length, digest.logs.join('\n')).toBeGreaterThan(0);
    expect(readdirSync(join(dir, 'outbox')).filter((f) => f.endsWith('.eml')).length).toBe(
      email.sent().length,
    );

    // One token per audience, asked for the user-assigned identity (AZURE_CLIENT_ID → client_id).
    const granted = identity.requests.filter((r) => r.status === 200);
    expect(new Set(granted.map((r) => r.resource))).toEqual(
      new Set([STORAGE, ARM, `${COMMUNICATION}/`]),
    );
    for (const r of granted) expect(r.clientId).toBe(identity.userAssigned.clientId);
    expect(graph.requests.every((r) => r.status !== 401)).toBe(true);
  });
});

describe('the local managed-identity endpoint (App Service protocol, api-version 2019-08-01)', () => {
  const ask = async (query: string, headers: Record<string, string> = {}) => {
    const response = await fetch(`${identity.endpoint}?${query}`, { headers });
    return { status: response.status, json: (await response.json()) as Record<string, unknown> };
  };
  const secret = () => ({ 'X-IDENTITY-HEADER': identity.header });
  const claims = (token: unknown) =>
    JSON.parse(
      Buffer.from(String(token).split('.')[1] ?? '', 'base64url').toString('utf8'),
    ) as Record<string, unknown>;

  it('issues a JWT for the resource asked, for the system-assigned identity by default', async () => {
    const { status, json } = await ask(
      `resource=${encodeURIComponent(ARM)}&api-version=2019-08-01`,
      secret(),
    );
    expect(status).toBe(200);
    expect(json).toMatchObject({ resource: ARM, token_type: 'Bearer' });
    expect(json.client_id).toBe(identity.systemAssigned.clientId);
    expect(Number(json.expires_on)).toBeGreaterThan(Date.now() / 1000);
    expect(claims(json.access_token)).toMatchObject({
      aud: ARM,
      oid: identity.systemAssigned.principalId,
      tid: identity.tenantId,
      iss: `https://sts.windows.net/${identity.tenantId}/`,
    });
  });

  it('issues for the user-assigned identity named by client_id, and refuses an unknown one', async () => {
    const user = await ask(
      `resource=${encodeURIComponent(STORAGE)}&api-version=2019-08-01&client_id=${identity.userAssigned.clientId}`,
      secret(),
    );
    expect(user.status).toBe(200);
    expect(claims(user.json.access_token)).toMatchObject({
      aud: STORAGE,
      appid: identity.userAssigned.clientId,
    });
    const unknown = await ask(
      `resource=${encodeURIComponent(STORAGE)}&api-version=2019-08-01&client_id=00000000-0000-0000-0000-000000000000`,
      secret(),
    );
    expect(unknown.status).toBe(400);
  });

  it('refuses without the X-IDENTITY-HEADER secret, without a resource or with another api-version', async () => {
    const resource = `resource=${encodeURIComponent(ARM)}`;
    expect((await ask(`${resource}&api-version=2019-08-01`)).status).toBe(401);
    expect(
      (await ask(`${resource}&api-version=2019-08-01`, { 'X-IDENTITY-HEADER': 'guess' })).status,
    ).toBe(401);
    const noResource = await ask('api-version=2019-08-01', secret());
    expect(noResource.status).toBe(400);
    expect(String(noResource.json.error_description)).toMatch(/resource/);
    const scope = await ask(
      `scope=${encodeURIComponent(`${ARM}/.default`)}&api-version=2019-08-01`,
      secret(),
    );
    expect(scope.status).toBe(400);
    expect(String(scope.json.error_description)).toMatch(/takes the resource/);
    const oldVersion = await ask(`${resource}&api-version=2017-09-01`, secret());
    expect(oldVersion.status).toBe(400);
    expect(String(oldVersion.json.error_description)).toMatch(/2019-08-01/);
  });
});

describe('the emulators refuse tokens Azure would refuse (401, the service error shape)', () => {
  const hourAgo = () => Math.floor(Date.now() / 1000) - 3600;
  const graphCall = (token: string) =>
    https(`${graph.url}${API}`, graph.ca, 'POST', { authorization: `Bearer ${token}` }, '{}');
  const emailCall = (token: string) =>
    https(
      `${email.endpoint}emails:send?api-version=2025-09-01`,
      email.ca,
      'POST',
      { authorization: `Bearer ${token}` },
      '{}',
    );

  it('Resource Graph: wrong audience, expired, unsigned or foreign tokens', async () => {
    const storage = await graphCall(identity.token(STORAGE));
    expect(storage.status).toBe(401);
    expect(storage.json.error?.code).toBe('InvalidAuthenticationTokenAudience');
    expect(storage.json.error?.message).toContain(`'${STORAGE}'`);
    const communication = await graphCall(identity.token(`${COMMUNICATION}/`));
    expect(communication.json.error?.code).toBe('InvalidAuthenticationTokenAudience');
    const expired = await graphCall(
      identity.token(ARM, { iat: hourAgo() - 60, nbf: hourAgo() - 60, exp: hourAgo() }),
    );
    expect(expired.status).toBe(401);
    expect(expired.json.error?.code).toBe('ExpiredAuthenticationToken');
    const opaque = await graphCall('local-emulator-token');
    expect(opaque.status).toBe(401);
    expect(opaque.json.error?.code).toBe('InvalidAuthenticationToken');
    const other = await startIdentityEndpoint();
    try {
      const foreign = await graphCall(other.token(ARM));
      expect(foreign.status).toBe(401);
      expect(foreign.json.error?.code).toBe('InvalidAuthenticationToken');
    } finally {
      await other.close();
    }
    // The right audience passes authentication (and then fails on the empty body, as ARM would).
    const good = await graphCall(identity.token(`${ARM}/`));
    expect(good.status).not.toBe(401);
  });

  it('Communication Services: wrong audience or expired tokens', async () => {
    const arm = await emailCall(identity.token(ARM));
    expect(arm.status).toBe(401);
    expect(arm.json.error?.code).toBe('InvalidAuthenticationTokenAudience');
    const expired = await emailCall(
      identity.token(COMMUNICATION, { iat: hourAgo() - 60, nbf: hourAgo() - 60, exp: hourAgo() }),
    );
    expect(expired.status).toBe(401);
    expect(expired.json.error?.code).toBe('ExpiredAuthenticationToken');
    expect((await emailCall('local-emulator-token')).status).toBe(401);
    const good = await emailCall(identity.token(COMMUNICATION));
    expect(good.status).not.toBe(401);
  });

  it('Table Storage (Azurite --oauth basic): a token for another audience is refused', async () => {
    const wrong = new TableClient(
      azurite.tableEndpoint,
      'wrongaudience',
      {
        getToken: async () => ({
          token: identity.token(ARM),
          expiresOnTimestamp: Date.now() + 3_600_000,
        }),
      },
      { tlsOptions: { ca: azurite.ca ?? '' } },
    );
    const error = await wrong.createTable().then(
      () => undefined,
      (e: unknown) => e as { statusCode?: number; message: string },
    );
    expect(error?.statusCode).toBe(403);
    expect(error?.message).toMatch(/audience/i);
  });
});

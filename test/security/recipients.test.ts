// Issue 19 item 1: tags can only name owners in the allowed domains. A refused address is never mailed, its finding
// goes to the next owner in the chain, the status and the dashboard list it, and one tag names at most five owners.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmailEmulator, type RunningEmailEmulator } from '../../dev/emulators/email/index.js';
import { demoRuleWitnesses, demoTenant } from '../../dev/tenants/demo.js';
import { AcsMailer } from '../../src/adapters/email/acs-mailer.js';
import { silentLogger } from '../../src/adapters/logger.js';
import { runScan } from '../../src/app/run-scan.js';
import { sendDigests } from '../../src/app/send-digests.js';
import {
  createServices,
  digestDepsOf,
  scanDepsOf,
  setServices,
  type Services,
} from '../../src/composition.js';
import { ConfigError, loadConfig } from '../../src/config.js';
import { MAX_ADDRESSES_PER_TAG, resolveOwners } from '../../src/core/owners.js';
import { getDashboard } from '../../src/functions/get-dashboard.js';
import { getFindings } from '../../src/functions/get-findings.js';
import { forgetCachedStatus, getStatus } from '../../src/functions/get-status.js';
import { body, context, request, through } from '../support/http.js';
import { renderForTests } from '../support/render.js';
import { startStack, type Stack } from '../support/stack.js';
import { run, tempFiles } from '../support/cli.js';

const TAGS = ['owner', 'contact'];

describe('resolveOwners with allowed domains', () => {
  it('refuses an address outside the allowed domains and falls through to the next owner', () => {
    const result = resolveOwners({
      tagNames: TAGS,
      allowedDomains: ['contoso.com'],
      resourceTags: { owner: 'someone@outside.example' },
      resourceGroupTags: { owner: 'rg-team@contoso.com' },
    });
    expect(result.owners).toEqual({
      addresses: ['rg-team@contoso.com'],
      reason: 'tag owner on its resource group',
    });
    expect(result.refused).toEqual([
      {
        address: 'someone@outside.example',
        level: 'resource',
        tag: 'owner',
        why: 'outside the allowed domains',
      },
    ]);
  });

  it('accepts subdomains of an allowed domain, not look-alikes', () => {
    const owners = (address: string) =>
      resolveOwners({
        tagNames: TAGS,
        allowedDomains: ['contoso.com'],
        resourceTags: { owner: address },
      }).owners?.addresses;
    expect(owners('a@eu.contoso.com')).toEqual(['a@eu.contoso.com']);
    expect(owners('a@evilcontoso.com')).toBeUndefined();
    expect(owners('a@contoso.com.evil.example')).toBeUndefined();
  });

  it(`takes at most ${MAX_ADDRESSES_PER_TAG} addresses from one tag`, () => {
    const many = Array.from({ length: 9 }, (_, i) => `u${i}@contoso.com`).join(';');
    const result = resolveOwners({ tagNames: TAGS, resourceTags: { owner: many } });
    expect(result.owners?.addresses).toHaveLength(MAX_ADDRESSES_PER_TAG);
    expect(result.refused.map((r) => r.why)).toEqual(
      Array(9 - MAX_ADDRESSES_PER_TAG).fill('too many addresses in one tag'),
    );
  });
});

describe('EMAIL_ALLOWED_DOMAINS', () => {
  const base = {
    TABLES_CONNECTION_STRING: 'UseDevelopmentStorage=true',
    COMMUNICATION_SERVICES_ENDPOINT: 'https://acs.communication.azure.com',
    EMAIL_SENDER: 'DoNotReply@x.azurecomm.net',
  };
  it('is required in Azure (App Service sets WEBSITE_SITE_NAME)', () => {
    expect(() => loadConfig({ ...base, WEBSITE_SITE_NAME: 'app' })).toThrow(
      /EMAIL_ALLOWED_DOMAINS: required in Azure/,
    );
    expect(
      loadConfig({ ...base, WEBSITE_SITE_NAME: 'app', EMAIL_ALLOWED_DOMAINS: 'Contoso.com' }).email
        .allowedDomains,
    ).toEqual(['contoso.com']);
  });

  it('defaults locally to the domains of the default and operator recipients', () => {
    const config = loadConfig({
      ...base,
      DIGEST_DEFAULT_RECIPIENTS: 'platform@contoso.com',
      OPERATOR_RECIPIENTS: 'oncall@fabrikam.example',
    });
    expect(config.email.allowedDomains).toEqual(['contoso.com', 'fabrikam.example']);
    // With e-mail configured and nothing to derive from, nobody is an allowed owner.
    expect(loadConfig(base).email.allowedDomains).toEqual([]);
  });

  it('refuses a list that leaves out a configured recipient, or one that is not domain names', () => {
    let error: unknown;
    try {
      loadConfig({
        ...base,
        EMAIL_ALLOWED_DOMAINS: 'contoso.com,bad_domain!',
        OPERATOR_RECIPIENTS: 'oncall@fabrikam.example',
      });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect(String(error)).toMatch(/not domain names: bad_domain!/);
    expect(String(error)).toMatch(
      /does not cover the configured recipients: oncall@fabrikam\.example/,
    );
  });
});

describe('a scan and a digest with an outside owner tag', () => {
  let stack: Stack;
  let email: RunningEmailEmulator;
  let outbox: string;
  let services: Services;
  const ACL_VM = demoRuleWitnesses()['classic/vm-endpoint-acl']?.[0] as string;
  const OUTSIDE = 'someone@outside.example';

  beforeAll(async () => {
    const tenant = demoTenant();
    for (const row of tenant.resources) {
      if (String(row.id).toLowerCase() === ACL_VM.toLowerCase())
        row.tags = { owner: `${OUTSIDE}, second@outside.example` };
    }
    stack = await startStack({ tenant });
    outbox = mkdtempSync(join(tmpdir(), 'readiness-recipients-'));
    email = await startEmailEmulator({ outbox, port: 0, rateLimit: { perMinute: 0, perHour: 0 } });
    const config = loadConfig({
      ...stack.env(),
      COMMUNICATION_SERVICES_CONNECTION_STRING: email.connectionString,
      EMAIL_SENDER: 'readiness@contoso.com',
      EMAIL_ALLOWED_DOMAINS: 'contoso.com',
    });
    const base = createServices(config, silentLogger);
    services = {
      ...base,
      mailer: new AcsMailer({
        connection: { kind: 'connectionString', value: email.connectionString },
        sender: 'readiness@contoso.com',
        ca: email.ca,
        pollIntervalMs: 10,
        maxRetries: 0,
      }),
    };
    setServices(services);
  });
  afterAll(async () => {
    setServices(undefined);
    await email?.close();
    await stack?.stop();
    rmSync(outbox, { recursive: true, force: true });
  });

  it('mails the next owner in the chain, never the outside address, and lists it in status and dashboard', async () => {
    await runScan(scanDepsOf(services), { scope: { kind: 'tenant' }, trigger: 'cli' });
    const found = body(
      await through(
        getFindings(request('/api/findings?ruleId=classic/vm-endpoint-acl'), context()),
      ),
    );
    expect(found.items).toHaveLength(1);
    expect(found.items[0].owners).not.toContain(OUTSIDE);
    expect(found.items[0].owners.length).toBeGreaterThan(0);
    expect(found.items[0].owners.every((o: string) => o.endsWith('@contoso.com'))).toBe(true);

    await sendDigests({
      ...(digestDepsOf(services) ?? (undefined as never)),
      render: renderForTests,
      limits: { perMinute: 1000, perHour: 1000 },
    });
    const recipients = email.sent().flatMap((m) => m.to);
    expect(recipients.length).toBeGreaterThan(0);
    expect(recipients.filter((to) => !to.endsWith('@contoso.com'))).toEqual([]);

    forgetCachedStatus();
    const status = body(await through(getStatus(request('/api/status'), context())));
    expect(status.refusedRecipients).toContainEqual({
      address: OUTSIDE,
      why: 'outside the allowed domains',
      where: expect.stringContaining(ACL_VM.split('/').at(-1) as string),
      findings: expect.any(Number),
    });
    const page = String((await getDashboard(request('/api/dashboard'), context())).body);
    expect(page).toContain('Addresses not mailed');
    expect(page).toContain(OUTSIDE);
  });

  it('refuses a contact outside the allowed domains', async () => {
    const { putContacts } = await import('../../src/functions/contacts.js');
    const sub = '3f2a7c1e-5b8d-4e6a-9f10-2c4d6e8a0b11';
    const response = await through(
      putContacts(
        request(`/api/contacts/${sub}?by=lead@contoso.com`, {
          method: 'PUT',
          params: { subscriptionId: sub },
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify({ emails: [OUTSIDE] }),
        }),
        context(),
      ),
    );
    expect(response.status).toBe(400);
    expect(body(response).error.message).toMatch(/outside the allowed domains/);
  });
});

describe('readiness digest --allowed-domain', () => {
  it('previews no digest for an address outside the allowed domains, and says which it left out', async () => {
    const { dir, file } = tempFiles('readiness-allowed-');
    const ACL_VM = demoRuleWitnesses()['classic/vm-endpoint-acl']?.[0] as string;
    const tenant = demoTenant();
    const rows = tenant.resources.map((row) =>
      String(row.id).toLowerCase() === ACL_VM.toLowerCase()
        ? { ...row, tags: { owner: 'someone@outside.example' } }
        : row,
    );
    const input = file('export.json', JSON.stringify(rows));
    const outbox = join(dir, 'outbox');
    const { code, stdout, stderr } = await run(
      'digest',
      '--input',
      input,
      '--outbox',
      outbox,
      '--default-recipient',
      'platform@contoso.com',
      '--allowed-domain',
      'contoso.com',
      '--now',
      '2026-11-26',
    );
    expect(code).toBe(0);
    expect(stdout).not.toContain('outside.example');
    expect(stdout).toContain('platform@contoso.com');
    expect(stderr).toMatch(/would not be mailed .*someone@outside\.example/);
  });
});

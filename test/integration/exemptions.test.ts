// Exemptions on real parts: through the HTTP handlers, a scan, the findings API and a digest on the e-mail emulator.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmailEmulator, type RunningEmailEmulator } from '../../dev/emulators/email/index.js';
import { demoRuleWitnesses, demoTenant } from '../../dev/tenants/demo.js';
import { silentLogger } from '../../src/adapters/logger.js';
import { sendDigests } from '../../src/app/send-digests.js';
import {
  createServices,
  digestDepsOf,
  scanDepsOf,
  setServices,
  type Services,
} from '../../src/composition.js';
import { loadConfig } from '../../src/config.js';
import { runScan } from '../../src/app/run-scan.js';
import { getExemptions, postExemption, removeExemption } from '../../src/functions/exemptions.js';
import { getFindings } from '../../src/functions/get-findings.js';
import { forgetCachedStatus } from '../../src/functions/get-status.js';
import { startStack, type Stack } from '../support/stack.js';
import { body, context, request, through } from '../support/http.js';
import { renderForTests } from '../support/render.js';

let stack: Stack;
let email: RunningEmailEmulator;
let outbox: string;
let services: Services;
const ACL_VM = demoRuleWitnesses()['classic/vm-endpoint-acl']?.[0] as string;
const OWNER = 'alice@contoso.com';
let clock = new Date();

beforeAll(async () => {
  stack = await startStack({ tenant: demoTenant() });
  outbox = mkdtempSync(join(tmpdir(), 'readiness-exempt-'));
  email = await startEmailEmulator({ outbox, port: 0, rateLimit: { perMinute: 0, perHour: 0 } });
  const config = loadConfig({
    ...stack.env(),
    COMMUNICATION_SERVICES_CONNECTION_STRING: email.connectionString,
    EMAIL_SENDER: 'readiness@contoso.example',
    EXEMPTION_MAX_DAYS: '90',
    EMAIL_ALLOWED_DOMAINS: 'contoso.com',
  });
  const base = createServices(config, silentLogger);
  // The e-mail emulator's certificate, and a clock the test moves.
  const { AcsMailer } = await import('../../src/adapters/email/acs-mailer.js');
  services = {
    ...base,
    clock: () => clock,
    mailer: new AcsMailer({
      connection: { kind: 'connectionString', value: email.connectionString },
      sender: 'readiness@contoso.example',
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

const scan = () => runScan(scanDepsOf(services), { scope: { kind: 'tenant' }, trigger: 'cli' });
const digest = () =>
  sendDigests({
    ...(digestDepsOf(services) ?? (undefined as never)),
    render: renderForTests,
    limits: { perMinute: 1000, perHour: 1000 },
  });
const post = async (payload: unknown) =>
  through(
    postExemption(
      request('/api/exemptions', { method: 'POST', body: JSON.stringify(payload) }),
      context(),
    ),
  );
const daysFrom = (days: number) =>
  new Date(clock.getTime() + days * 86_400_000).toISOString().slice(0, 10);
const mailsTo = (address: string) => email.sent().filter((m) => m.to.includes(address));

describe('exemptions', () => {
  it('rejects invalid exemptions with a 400 naming the field', async () => {
    const valid = {
      scope: { resourceId: ACL_VM },
      rule: 'classic/vm-endpoint-acl',
      expiresOn: daysFrom(30),
      justification: 'Decommissioned in Q1, ticket 4711',
      createdBy: 'lead@contoso.com',
    };
    const cases: [unknown, string][] = [
      [{ ...valid, expiresOn: undefined }, 'expiresOn'],
      [{ ...valid, expiresOn: daysFrom(91) }, 'expiresOn'],
      [{ ...valid, expiresOn: daysFrom(-1) }, 'expiresOn'],
      [{ ...valid, expiresOn: 'next week' }, 'expiresOn'],
      [{ ...valid, rule: 'classic/no-such-rule' }, 'rule'],
      [{ ...valid, scope: { everything: true } }, 'scope'],
      [{ ...valid, justification: 'because' }, 'justification'],
      [{ ...valid, createdBy: undefined }, 'createdBy'],
    ];
    for (const [payload, field] of cases) {
      const json = JSON.parse(JSON.stringify(payload));
      const response = await post(json);
      expect(response.status, field).toBe(400);
      expect(body(response).error.message, field).toMatch(new RegExp(`^${field}`));
    }
    const notJson = await through(
      postExemption(request('/api/exemptions', { method: 'POST', body: '{' }), context()),
    );
    expect(notJson.status).toBe(400);
  });

  it('hides an exempted finding from the digest, not from status=exempted; expiry brings it back and the digest says so', async () => {
    const created = await post({
      scope: { resourceId: ACL_VM },
      rule: 'classic/',
      expiresOn: daysFrom(10),
      justification: 'Decommissioned in Q1, ticket 4711',
      createdBy: 'lead@contoso.com',
    });
    expect(created.status).toBe(201);
    const exemption = body(created);
    const stale = await post({
      scope: { tag: 'env=does-not-exist' },
      rule: 'retirement/',
      expiresOn: daysFrom(10),
      justification: 'Nothing matches this one at all',
      createdBy: 'lead@contoso.com',
    });
    expect(stale.status).toBe(201);

    const first = await scan();
    expect(first.counts.exempted).toBeGreaterThan(0);
    const exempted = body(
      await through(getFindings(request('/api/findings?status=exempted'), context())),
    );
    expect(exempted.items.map((f: { resourceId: string }) => f.resourceId.toLowerCase())).toContain(
      ACL_VM.toLowerCase(),
    );
    expect(
      exempted.items.every((f: { exemptionId: string }) => f.exemptionId === exemption.id),
    ).toBe(true);
    const open = body(
      await through(
        getFindings(request('/api/findings?ruleId=classic/vm-endpoint-acl'), context()),
      ),
    );
    expect(open.items).toEqual([]);

    await digest();
    const firstMail = mailsTo(OWNER)[0];
    expect(firstMail?.plainText ?? '').not.toMatch(/vm-endpoint-acl/);

    forgetCachedStatus();
    const listed = body(await through(getExemptions(request('/api/exemptions'), context())));
    const byId = new Map(listed.exemptions.map((e: { id: string }) => [e.id, e]));
    expect(byId.get(exemption.id)).toMatchObject({ state: 'active', stale: false });
    expect(byId.get(body(stale).id)).toMatchObject({ stale: true, matchedFindings: 0 });
    expect(listed.audit.map((a: { action: string }) => a.action)).toEqual(['create', 'create']);

    // Eleven days later the exemption has expired: the next scan makes the finding active again.
    clock = new Date(clock.getTime() + 11 * 86_400_000);
    const later = await scan();
    expect(later.counts.exempted ?? 0).toBe(0);
    const reopened = body(
      await through(
        getFindings(request('/api/findings?ruleId=classic/vm-endpoint-acl'), context()),
      ),
    );
    expect(reopened.items).toHaveLength(1);
    await digest();
    const expiredMail = mailsTo(OWNER).at(-1);
    expect(expiredMail?.plainText).toMatch(/exemption-expired classic\/vm-endpoint-acl vm-acl/);
    // Told once.
    const count = email.sent().length;
    await digest();
    expect(email.sent().length).toBe(count);
  });

  it('deletes an exemption with an audit record, 404 for an unknown one', async () => {
    const listed = body(await through(getExemptions(request('/api/exemptions'), context())));
    const id = listed.exemptions[0].id as string;
    expect(
      (
        await through(
          removeExemption(
            request(`/api/exemptions/${id}`, { method: 'DELETE', params: { id } }),
            context(),
          ),
        )
      ).status,
    ).toBe(400);
    const removed = await through(
      removeExemption(
        request(`/api/exemptions/${id}?by=lead@contoso.com`, { method: 'DELETE', params: { id } }),
        context(),
      ),
    );
    expect(removed.status).toBe(200);
    const again = await through(
      removeExemption(
        request(`/api/exemptions/${id}?by=lead@contoso.com`, { method: 'DELETE', params: { id } }),
        context(),
      ),
    );
    expect(again.status).toBe(404);
    const audit = body(await through(getExemptions(request('/api/exemptions'), context()))).audit;
    expect(audit[0]).toMatchObject({ action: 'delete', who: 'lead@contoso.com', exemptionId: id });
  });
});

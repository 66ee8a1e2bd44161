// Owner digests through the real @azure/communication-email client against the e-mail emulator, the ledger in Azurite.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startEmailEmulator, type RunningEmailEmulator } from '../../dev/emulators/email/index.js';
import { demoTenant } from '../../dev/tenants/demo.js';
import { AcsMailer } from '../../src/adapters/email/acs-mailer.js';
import { silentLogger } from '../../src/adapters/logger.js';
import { TableDigestLedger } from '../../src/adapters/tables/digest-ledger.js';
import { sendDigests, type SendDigestsDeps } from '../../src/app/send-digests.js';
import type { DigestLedger } from '../../src/app/ports.js';
import { startStack, type Stack } from '../support/stack.js';
import { renderForTests } from '../support/render.js';
import { renderDigestEmail } from '../../src/views/digest-email.js';
import { DEFAULT_CATALOG } from '../../src/rules/index.js';
import { metaOf } from '../../src/rules/define-rule.js';

const OWNER_TAGS = ['owner', 'Owner', 'OwnerEmail', 'contact', 'createdBy'];
const DEFAULT = 'platform-team@contoso.com';

let stack: Stack;
let email: RunningEmailEmulator;
let outbox: string;
/** How far the e-mail emulator's clock is ahead of the real one. */
let clockOffset = 0;

beforeEach(async () => {
  stack = await startStack({ tenant: demoTenant() });
  await stack.scan(
    { kind: 'tenant' },
    { owners: { tagNames: OWNER_TAGS, defaultRecipients: [DEFAULT] } },
  );
  outbox = mkdtempSync(join(tmpdir(), 'readiness-outbox-'));
  clockOffset = 0;
  email = await startEmailEmulator({
    outbox,
    port: 0,
    rateLimit: { perMinute: 0, perHour: 0 },
    clock: () => Date.now() + clockOffset,
  });
});
afterEach(async () => {
  await email?.close();
  await stack?.stop();
  rmSync(outbox, { recursive: true, force: true });
});

function deps(overrides: Partial<SendDigestsDeps> = {}): SendDigestsDeps {
  return {
    store: stack.store,
    ledger: new TableDigestLedger({
      connection: { kind: 'connectionString', value: stack.azurite.connectionString },
      prefix: stack.prefix,
    }),
    mailer: new AcsMailer({
      connection: { kind: 'connectionString', value: email.connectionString },
      sender: 'readiness@contoso.com',
      ca: email.ca,
      pollIntervalMs: 10,
      maxRetries: 0,
    }),
    render: renderForTests,
    log: silentLogger,
    clock: () => new Date(),
    limits: { perMinute: 1000, perHour: 1000 },
    ...overrides,
  };
}

function recipientsOf(sent: ReturnType<RunningEmailEmulator['sent']>): string[] {
  return sent.flatMap((m) => m.to).sort();
}

describe('owner digests', () => {
  it('renders hostile strings from the tenant escaped in the HTML that reaches the service', async () => {
    const tenant = demoTenant();
    const acl = tenant.resources.find((r) => JSON.stringify(r).includes('endpointAcl')) as Record<
      string,
      unknown
    >;
    const hostile = structuredClone(acl) as {
      id: string;
      name: string;
      tags: Record<string, string>;
      properties: { networkProfile: { inputEndpoints: { endpointName: string }[] } };
    };
    hostile.id = `${hostile.id}-hostile`;
    hostile.name = `${hostile.name}-hostile`;
    hostile.tags = { owner: 'mallory@contoso.com' };
    for (const e of hostile.properties.networkProfile.inputEndpoints)
      e.endpointName = '<script>alert(1)</script>"&';
    stack.graph.setTenant({
      ...tenant,
      resources: [...tenant.resources, hostile as unknown as Record<string, unknown>],
    });
    await stack.scan(
      { kind: 'tenant' },
      { owners: { tagNames: OWNER_TAGS, defaultRecipients: [DEFAULT] } },
    );
    const rules = DEFAULT_CATALOG.map(metaOf);
    await sendDigests(
      deps({
        render: (digest) =>
          renderDigestEmail(digest, {
            rules,
            ruleDocUrl: (id) => `https://readiness.example/api/rules/${id}?format=html`,
            now: new Date(),
          }),
      }),
    );
    const mail = email.sent().find((m) => m.to.includes('mallory@contoso.com'));
    expect(mail?.html).toBeDefined();
    expect(mail?.html).not.toContain('<script>alert(1)</script>');
    expect(mail?.html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;&quot;&amp;');
    expect(mail?.plainText).toContain('<script>alert(1)</script>');
  });

  it('names the role of a role assignment (Reader, Contributor), read from Resource Graph, not its GUID', async () => {
    const rules = DEFAULT_CATALOG.map(metaOf);
    await sendDigests(
      deps({
        render: (digest) =>
          renderDigestEmail(digest, {
            rules,
            ruleDocUrl: (id) => `https://readiness.example/api/rules/${id}?format=html`,
            now: new Date(),
          }),
      }),
    );
    // Plain text wraps at a fixed width: compare with the line breaks undone.
    const texts = email.sent().map((m) => (m.plainText ?? '').replace(/\s+/g, ' '));
    const rbac = texts.filter((t) => t.includes('role assignment'));
    expect(rbac.length).toBeGreaterThan(0);
    expect(rbac.some((t) => t.includes('as Contributor'))).toBe(true);
    expect(rbac.some((t) => t.includes('as Reader'))).toBe(true);
    // The built-in GUIDs of Contributor and Reader appear nowhere.
    for (const t of rbac) {
      expect(t).not.toContain('b24988ac-6180-42a0-ab88-20f7382dd24c');
      expect(t).not.toContain('acdd72a7-3385-48ef-bd42-f606fba81ae7');
    }
  });

  it('sends one digest per owner, once across two timer runs', async () => {
    const first = await sendDigests(deps());
    expect(first.sent).toBeGreaterThan(3);
    const sent = email.sent();
    expect(sent).toHaveLength(first.sent);
    const recipients = recipientsOf(sent);
    expect(new Set(recipients).size).toBe(recipients.length);
    expect(recipients).toContain('alice@contoso.com');
    expect(recipients).toContain(DEFAULT);
    // Owner addresses are merged case-insensitively and never include a non-address tag value.
    expect(recipients.every((r) => r === r.toLowerCase() && r.includes('@'))).toBe(true);

    const second = await sendDigests(deps());
    expect(second.sent).toBe(0);
    expect(email.sent()).toHaveLength(sent.length);
  });

  it('mails a subscription-level Service Health retirement to the subscription owners once, "announced for your subscription"', async () => {
    await sendDigests(deps());
    const toSandbox = email.sent().filter((m) => m.to.includes('sandbox-admins@contoso.com'));
    expect(toSandbox).toHaveLength(1);
    const text = `${toSandbox[0]?.plainText ?? ''}${toSandbox[0]?.html ?? ''}`;
    // (The test renderer lists rule and resource; the real digest's wording is in test/views/digest-email.test.ts.)
    expect(text.match(/retirement\/health-zk3n-8rt/g)).toHaveLength(1);
    expect(await sendDigests(deps())).toMatchObject({ sent: 0 });
    expect(email.sent().filter((m) => m.to.includes('sandbox-admins@contoso.com'))).toHaveLength(1);
  });

  it('a 429 mid-batch stops the run; the next run sends the rest without duplicates', async () => {
    email.setFaults({
      rules: [
        { when: { afterMessages: 3 }, respond: { status: 429, retryAfterSeconds: 1 }, times: 1000 },
      ],
    });
    const first = await sendDigests(deps());
    expect(first.stoppedBy).toBe('throttled');
    expect(first.sent).toBe(3);
    expect(first.deferred).toBeGreaterThan(0);
    email.setFaults({});
    const second = await sendDigests(deps());
    expect(second.stoppedBy).toBeUndefined();
    const recipients = recipientsOf(email.sent());
    expect(new Set(recipients).size).toBe(recipients.length);
    expect(recipients.length).toBe(first.sent + second.sent + second.resent);
    expect(await sendDigests(deps())).toMatchObject({ sent: 0, resent: 0 });
  });

  it('a crash after the send and before the ledger write does not send twice', async () => {
    const real = deps().ledger;
    let crashes = 1;
    const crashing: DigestLedger = {
      ...real,
      loadLedger: (r) => real.loadLedger(r),
      loadPending: (r) => real.loadPending(r),
      savePending: (r, p) => real.savePending(r, p),
      dropPending: (r) => real.dropPending(r),
      sentSince: (s) => real.sentSince(s),
      commit: async (r, c, m) => {
        if (crashes-- > 0) throw new Error('process died');
        return real.commit(r, c, m);
      },
    };
    await expect(sendDigests(deps({ ledger: crashing }))).rejects.toThrow(/process died/);
    expect(email.sent()).toHaveLength(1);
    // A day later, long past the 5 minutes the service recognises a repeated send for.
    clockOffset = 24 * 3_600_000;
    const retried = await sendDigests(deps());
    // The service was asked what became of the send: delivered, so it is recorded, not sent again.
    expect(retried.recovered).toBe(1);
    expect(retried.resent).toBe(0);
    expect(email.stats().duplicates).toBe(0);
    const recipients = recipientsOf(email.sent());
    expect(new Set(recipients).size).toBe(recipients.length);
    // And the next run has nothing left to say to that owner.
    const again = await sendDigests(deps());
    expect(again).toMatchObject({ sent: 0, resent: 0, recovered: 0 });
  });

  it('a digest whose send never reached the service is sent again on the next run, once', async () => {
    const unreachable: SendDigestsDeps['mailer'] = {
      send: () => Promise.reject(new Error('connect ECONNREFUSED')),
      outcome: () => Promise.reject(new Error('connect ECONNREFUSED')),
    };
    const first = await sendDigests(deps({ mailer: unreachable }));
    expect(first.failed).toBeGreaterThan(0);
    expect(email.sent()).toHaveLength(0);
    clockOffset = 10 * 60_000;
    // The service never heard of those operations: each digest goes out once, under a new operation id.
    const retried = await sendDigests(deps());
    expect(retried.resent).toBe(first.failed);
    const recipients = recipientsOf(email.sent());
    expect(recipients.length).toBeGreaterThan(0);
    expect(new Set(recipients).size).toBe(recipients.length);
  });

  it('the emulator keeps the service window: a repeat within 5 minutes is one message, past it a second', async () => {
    const mailer = deps().mailer;
    const message = {
      to: 'owner@contoso.com',
      subject: 'same',
      html: '<p>same</p>',
      text: 'same',
      operationId: '7d3f0c4e-5a8b-4c1d-9e2f-0a1b2c3d4e5f',
    };
    await mailer.send(message);
    await mailer.send(message);
    expect(email.sent()).toHaveLength(1);
    expect(await mailer.outcome(message.operationId)).toBe('delivered');
    expect(await mailer.outcome('00000000-0000-4000-8000-000000000000')).toBe('unknown');
    clockOffset = 5 * 60_000 + 1_000;
    await mailer.send(message);
    expect(email.sent()).toHaveLength(2);
  });

  it('stops at the hourly limit and sends the rest next run', async () => {
    const first = await sendDigests(deps({ limits: { perMinute: 100, perHour: 2 } }));
    expect(first).toMatchObject({ sent: 2, stoppedBy: 'hourly-limit' });
    const later = () => new Date(Date.now() + 2 * 3_600_000);
    const second = await sendDigests(
      deps({ clock: later, limits: { perMinute: 100, perHour: 1000 } }),
    );
    expect(second.stoppedBy).toBeUndefined();
    const recipients = recipientsOf(email.sent());
    expect(new Set(recipients).size).toBe(recipients.length);
  });
});

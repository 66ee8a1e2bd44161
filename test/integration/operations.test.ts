// The scanner says so when it is not scanning: staleness, repeated failures, lost coverage, and one operator e-mail per incident.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startEmailEmulator, type RunningEmailEmulator } from '../../dev/emulators/email/index.js';
import { syntheticTenant } from '../../dev/tenants/synthetic.js';
import { demoTenant } from '../../dev/tenants/demo.js';
import { AcsMailer } from '../../src/adapters/email/acs-mailer.js';
import { silentLogger } from '../../src/adapters/logger.js';
import { checkOperations, type OperationsDeps } from '../../src/app/operations.js';
import { healthView, statusView } from '../../src/app/read-status.js';
import { startStack, type Stack } from '../support/stack.js';

const SCHEDULE = '0 0 */6 * * *';
let stack: Stack | undefined;
let email: RunningEmailEmulator | undefined;
let outbox: string | undefined;
afterEach(async () => {
  await email?.close();
  await stack?.stop();
  if (outbox) rmSync(outbox, { recursive: true, force: true });
  stack = undefined;
  email = undefined;
});

describe('operability', () => {
  it('status turns stale past two schedule intervals; health says degraded, still 200-worthy', async () => {
    stack = await startStack({ tenant: demoTenant() });
    const record = await stack.scan();
    const summary = await stack.store.readStatus();
    const soon = new Date(Date.parse(record.endedAt ?? '') + 3_600_000);
    const late = new Date(Date.parse(record.endedAt ?? '') + 13 * 3_600_000);
    expect(statusView(summary, soon, undefined, SCHEDULE).freshness.stale).toBe(false);
    expect(healthView(summary, soon, SCHEDULE)).toMatchObject({ status: 'ok', reasons: [] });
    expect(statusView(summary, late, undefined, SCHEDULE).freshness).toMatchObject({
      stale: true,
      staleAfterSeconds: 43_200,
    });
    const health = healthView(summary, late, SCHEDULE);
    expect(health.status).toBe('degraded');
    expect(health.reasons[0]).toMatch(/stale/);
  });

  it('health is degraded after two failed scans (Resource Graph down), and recovers', async () => {
    stack = await startStack({ tenant: demoTenant() });
    await stack.scan();
    stack.graph.setFaults({ errorRate: 1 });
    const failed = [
      await stack.scan({ kind: 'tenant' }, { source: stack.source({ maxAttempts: 1 }) }),
      await stack.scan({ kind: 'tenant' }, { source: stack.source({ maxAttempts: 1 }) }),
    ];
    expect(failed.map((r) => r.status)).toEqual(['failed', 'failed']);
    const health = healthView(await stack.store.readStatus(), new Date(), SCHEDULE);
    expect(health.status).toBe('degraded');
    expect(health.reasons.join(' ')).toMatch(/last two scans failed/);
    // Nothing was resolved by the failures.
    expect(failed.every((r) => r.counts.resolved === 0)).toBe(true);
    stack.graph.setFaults({});
    await stack.scan();
    expect(healthView(await stack.store.readStatus(), new Date(), SCHEDULE).status).toBe('ok');
  });

  it('a coverage drop marks the scan partial and resolves nothing it no longer sees', async () => {
    const tenant = syntheticTenant({ subscriptions: 10, resources: 800, seed: 21 });
    stack = await startStack({ tenant });
    const first = await stack.scan();
    expect(first.status).toBe('succeeded');
    // The scanner loses access to 4 of 10 subscriptions (a role assignment removed).
    const lost = tenant.subscriptions.slice(0, 4).map((s) => s.subscriptionId);
    const before = (await Promise.all(lost.map((id) => stack!.store.loadFindings(id)))).flat();
    expect(before.length).toBeGreaterThan(0);
    stack.graph.setFaults({ forbiddenSubscriptions: lost });
    const second = await stack.scan();
    expect(second.status).toBe('partial');
    expect(second.coverage).toMatchObject({ previousSubscriptions: 10, vanished: 4 });
    expect(second.coverage?.reason).toMatch(/coverage dropped: 4 of 10/);
    expect(second.counts.resolved).toBe(0);
    const after = (await Promise.all(lost.map((id) => stack!.store.loadFindings(id)))).flat();
    expect(after.filter((f) => f.status === 'resolved')).toHaveLength(0);
    expect(after).toHaveLength(before.length);
    // The status still counts their findings.
    const status = statusView(await stack.store.readStatus(), new Date());
    expect(status.findings.open).toBe(first.counts.open);
  });

  it('mails the operators once per incident and once when it recovers', async () => {
    stack = await startStack({ tenant: demoTenant() });
    outbox = mkdtempSync(join(tmpdir(), 'readiness-ops-'));
    email = await startEmailEmulator({ outbox, port: 0 });
    const deps: OperationsDeps = {
      store: stack.store,
      mailer: new AcsMailer({
        connection: { kind: 'connectionString', value: email.connectionString },
        sender: 'readiness@contoso.example',
        ca: email.ca,
        pollIntervalMs: 10,
        maxRetries: 0,
      }),
      recipients: ['ops@contoso.example'],
      log: silentLogger,
      clock: () => new Date(),
      schedule: SCHEDULE,
    };
    await stack.scan();
    expect((await checkOperations(deps)).opened).toEqual([]);
    stack.graph.setFaults({ errorRate: 1 });
    await stack.scan({ kind: 'tenant' }, { source: stack.source({ maxAttempts: 1 }) });
    await stack.scan({ kind: 'tenant' }, { source: stack.source({ maxAttempts: 1 }) });
    expect((await checkOperations(deps)).opened).toEqual(['scan-failures']);
    expect((await checkOperations(deps)).opened).toEqual([]);
    await stack.scan({ kind: 'tenant' }, { source: stack.source({ maxAttempts: 1 }) });
    expect((await checkOperations(deps)).opened).toEqual([]);
    expect(email.sent()).toHaveLength(1);
    expect(email.sent()[0]?.subject).toMatch(/Action needed: scans are failing/);

    stack.graph.setFaults({});
    await stack.scan();
    expect((await checkOperations(deps)).recovered).toEqual(['scan-failures']);
    expect((await checkOperations(deps)).recovered).toEqual([]);
    expect(email.sent().map((m) => m.subject)).toEqual([
      expect.stringMatching(/Action needed/),
      expect.stringMatching(/Recovered: scans are failing/),
    ]);
  });
});

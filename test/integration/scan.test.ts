// The scan path end to end on real parts: @azure/arm-resourcegraph → the emulator, @azure/data-tables → Azurite.
import { afterEach, describe, expect, it } from 'vitest';
import { DEMO_SUBSCRIPTIONS, demoTenant } from '../../dev/tenants/demo.js';
import { syntheticTenant } from '../../dev/tenants/synthetic.js';
import { AlreadyRunningError } from '../../src/app/ports.js';
import { readStatus } from '../../src/app/read-status.js';
import { startStack, type Stack } from '../support/stack.js';

let stack: Stack | undefined;
afterEach(async () => {
  await stack?.stop();
  stack = undefined;
});

describe('scan through Resource Graph into Table Storage', () => {
  it('logs once when Resource Graph returns rows without properties, and decides nothing from them', async () => {
    const tenant = demoTenant();
    const classicVm = (r: Record<string, unknown>) =>
      String(r.type).toLowerCase() === 'microsoft.classiccompute/virtualmachines';
    const stripped = tenant.resources.filter(classicVm).map((r) => String(r.id));
    const logged: { message: string; fields?: Record<string, unknown> }[] = [];
    const capture = (message: string, fields?: Record<string, unknown>) =>
      logged.push({ message, ...(fields ? { fields } : {}) });
    stack = await startStack({
      tenant: {
        ...tenant,
        resources: tenant.resources.map((r) => {
          if (!classicVm(r)) return r;
          const { properties: _dropped, ...rest } = r;
          return rest;
        }),
      },
      log: { info: capture, warn: capture, error: capture },
    });
    const record = await stack.scan();
    expect(record.status).toBe('succeeded');
    const notices = logged.filter((l) => l.message === 'rows without properties');
    expect(notices).toHaveLength(1);
    expect(notices[0]?.fields).toMatchObject({
      code: 'rows-without-properties',
      rows: stripped.length,
      types: { 'microsoft.classiccompute/virtualmachines': stripped.length },
    });
    const stored = (
      await Promise.all(DEMO_SUBSCRIPTIONS.map((s) => stack!.store.loadFindings(s)))
    ).flat();
    const onStripped = stored.filter((f) => stripped.includes(f.resourceId));
    expect(onStripped.length).toBeGreaterThan(0);
    expect(onStripped.every((f) => f.ruleId === 'retirement/classic-vm')).toBe(true);
  });

  it('scans the demo tenant: succeeded, findings stored, status served from one entity', async () => {
    stack = await startStack({ tenant: demoTenant() });
    const record = await stack.scan();
    expect(record.status).toBe('succeeded');
    expect(record.subscriptions).toBe(DEMO_SUBSCRIPTIONS.length);
    expect(record.subscriptionsComplete).toBe(DEMO_SUBSCRIPTIONS.length);
    expect(record.resources).toBeGreaterThan(10);
    expect(record.counts.open).toBeGreaterThan(0);
    expect(record.counts.new).toBe(record.counts.open);
    expect(record.source?.throttled429).toBe(0);

    const status = await readStatus(stack.store, new Date());
    expect(status.lastScan).toMatchObject({ id: record.id, status: 'succeeded' });
    expect(status.findings.open).toBe(record.counts.open);
    expect(status.findings.bySeverity.blocker).toBeGreaterThan(0);
    expect(status.deadlines.byUrgency.overdue).toBeGreaterThan(0);
    const stored = (
      await Promise.all(DEMO_SUBSCRIPTIONS.map((s) => stack!.store.loadFindings(s)))
    ).flat();
    expect(stored).toHaveLength(record.counts.open);

    // A second scan of the unchanged tenant: nothing new, nothing resolved, only bookkeeping written.
    const before = stack.store.writes();
    const again = await stack.scan();
    expect(again.counts).toMatchObject({ new: 0, resolved: 0, open: record.counts.open });
    expect(stack.store.writes() - before).toBeLessThanOrEqual(DEMO_SUBSCRIPTIONS.length + 5);
    const status2 = await readStatus(stack.store, new Date());
    expect(status2.changes.previousScanId).toBe(record.id);
  });

  it('pages on the skip token and batches a subscription list larger than one batch', async () => {
    stack = await startStack({
      tenant: syntheticTenant({ subscriptions: 7, resources: 120, seed: 3 }),
    });
    const subs = syntheticTenant({ subscriptions: 7, resources: 120, seed: 3 }).subscriptions.map(
      (s) => s.subscriptionId,
    );
    const record = await stack.scan(
      { kind: 'subscriptions', ids: subs },
      { source: stack.source({ pageSize: 10, batchSize: 3 }) },
    );
    expect(record.status).toBe('succeeded');
    expect(record.subscriptionsComplete).toBe(7);
    const requests = stack.graph.requests;
    expect(requests.some((r) => r.skipToken)).toBe(true);
    // Every request lists subscriptions but Advisor's catalog: its rows belong to no subscription, so it is read
    // at tenant scope.
    expect(
      new Set(requests.filter((r) => !r.subscriptions?.length).map((r) => r.query.split(' | ')[1])),
    ).toEqual(new Set(["where type =~ 'microsoft.advisor/metadata'"]));
    // The streamed target queries go in batches of the batch size (several chains at once); the reads taken
    // whole (listing, references, retirement sources) in batches of up to 1,000.
    const targets = requests.filter((r) =>
      r.query.includes("'microsoft.classiccompute/virtualmachines'"),
    );
    const batches = new Set(targets.map((r) => (r.subscriptions ?? []).join(',')));
    expect([...batches].every((b) => b.split(',').length <= 3)).toBe(true);
    expect(batches.size).toBe(3);
    expect(requests.every((r) => (r.subscriptions ?? []).length <= 1000)).toBe(true);
    // Every target row arrived exactly once across the pages.
    const targetRows = requests
      .filter(
        (r) => r.status === 200 && r.query.includes("'microsoft.classiccompute/virtualmachines'"),
      )
      .reduce((n, r) => n + r.rows, 0);
    expect(record.resources).toBe(targetRows);
    expect(record.resources).toBeGreaterThan(10);
  });

  it('honours a 429 and its Retry-After, and still succeeds', async () => {
    stack = await startStack({ tenant: demoTenant(), faults: { throttleStorm: 1 } });
    const record = await stack.scan();
    expect(record.status).toBe('succeeded');
    expect(record.source?.throttled429).toBe(1);
    expect(stack.graph.stats().throttled).toBe(1);
  });

  it('surfaces a failing page: the scan is partial, the failing batch keeps its findings', async () => {
    stack = await startStack({ tenant: demoTenant() });
    const first = await stack.scan();
    expect(first.status).toBe('succeeded');
    const victim = DEMO_SUBSCRIPTIONS[0] as string;
    const before = await stack.store.loadFindings(victim);
    expect(before.length).toBeGreaterThan(0);
    stack.graph.setFaults({
      rules: [
        {
          when: { subscription: victim, queryContains: 'classiccompute' },
          respond: { status: 500 },
        },
      ],
    });
    const record = await stack.scan(
      { kind: 'subscriptions', ids: [...DEMO_SUBSCRIPTIONS] },
      { source: stack.source({ batchSize: 1, maxAttempts: 2 }) },
    );
    expect(record.status).toBe('partial');
    expect(record.incomplete.map((i) => i.subscriptionId)).toEqual([victim]);
    expect(record.incomplete[0]?.reason).toMatch(/500/);
    const after = await stack.store.loadFindings(victim);
    expect(after.filter((f) => f.status === 'resolved')).toHaveLength(0);
    expect(after).toHaveLength(before.length);
    expect(record.counts.resolved).toBe(0);
  });

  it('refuses a second scan while one holds the lease', async () => {
    stack = await startStack({ tenant: demoTenant(), faults: { latencyMs: 100 } });
    const results = await Promise.allSettled([stack.scan(), stack.scan()]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const refused = results.find((r) => r.status === 'rejected');
    expect(refused?.status === 'rejected' && refused.reason).toBeInstanceOf(AlreadyRunningError);
  });

  it('scans a tenant larger than one quota window without a single 429', async () => {
    const tenant = syntheticTenant({ subscriptions: 40, resources: 3_000, seed: 11 });
    stack = await startStack({ tenant, quota: { requests: 5, windowMs: 400 } });
    const record = await stack.scan(
      { kind: 'tenant' },
      { source: stack.source({ pageSize: 100 }) },
    );
    const served = stack.graph.stats().served;
    expect(served).toBeGreaterThan(5 * 3); // more pages than three windows allow
    expect(record.status).toBe('succeeded');
    expect(stack.graph.stats().throttled).toBe(0);
    expect(record.source?.throttled429).toBe(0);
  });
});

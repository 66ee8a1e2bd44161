// The retirement sources in a live scan (Resource Graph emulator, Azurite): Advisor's impacted resources, Service
// Health notices and the Manual entries' queries become findings; a source that fails or is truncated resolves
// nothing of its own and makes the scan partial.
import { afterEach, describe, expect, it } from 'vitest';
import { demoRetirements, demoTenant, DEMO_SUBSCRIPTIONS } from '../../dev/tenants/demo.js';
import type { StoredFinding } from '../../src/app/ports.js';
import { startStack, type Stack } from '../support/stack.js';

let stack: Stack | undefined;
afterEach(async () => {
  await stack?.stop();
  stack = undefined;
});

async function stored(s: Stack): Promise<StoredFinding[]> {
  return (await Promise.all(DEMO_SUBSCRIPTIONS.map((id) => s.store.loadFindings(id)))).flat();
}
const key = (f: { ruleId: string; resourceId: string }) =>
  `${f.ruleId} ${f.resourceId.toLowerCase()}`;

describe('the retirement sources in a scan', () => {
  it('find every demo retirement, run accepted Manual queries and list the others as not evaluated', async () => {
    stack = await startStack({ tenant: demoTenant() });
    const record = await stack.scan({ kind: 'tenant' });
    expect(record.status).toBe('succeeded');
    expect(record.retirementSources?.map((s) => [s.source, s.outcome])).toEqual(
      expect.arrayContaining([
        ['advisor', 'complete'],
        ['service-health', 'complete'],
        ['manual:retirement/sql-api-version-2014-04-01', 'complete'],
      ]),
    );
    const demo = demoRetirements();
    expect(record.notEvaluated?.map((n) => n.ruleId)).toEqual(demo.notEvaluated);
    // The status summary counts every retirement by urgency, with its service (also those no rule names).
    const status = await stack.store.readStatus();
    expect(status?.deadlines).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ ruleId: 'retirement/health-zk3n-8rt', service: 'Functions' }),
        expect.objectContaining({
          ruleId: 'retirement/network-basic-load-balancer',
          service: 'Network',
          deadline: '2025-09-30',
        }),
      ]),
    );
    const open = new Set((await stored(stack)).filter((f) => f.status === 'open').map(key));
    for (const [ruleId, ids] of Object.entries(demo.witnesses))
      for (const id of ids)
        expect(open.has(`${ruleId} ${id.toLowerCase()}`), `${ruleId} on ${id}`).toBe(true);
  });

  it.each([
    ['a failed Advisor page', { status: 503 }],
    ['a truncated Advisor answer', { status: 200, truncated: true }],
  ])('%s resolves nothing and makes the scan partial for that source', async (_, respond) => {
    stack = await startStack({ tenant: demoTenant() });
    await stack.scan({ kind: 'tenant' });
    const before = (await stored(stack))
      .filter((f) => f.status === 'open')
      .map(key)
      .sort();
    stack.graph.setFaults({ rules: [{ when: { queryContains: 'advisorresources' }, respond }] });
    const record = await stack.scan({ kind: 'tenant' });
    stack.graph.setFaults({});
    expect(record.status).toBe('partial');
    expect(record.retirementSources?.find((s) => s.source === 'advisor')).toMatchObject({
      outcome: 'failed',
    });
    expect(record.counts.resolved).toBe(0);
    const after = (await stored(stack))
      .filter((f) => f.status === 'open')
      .map(key)
      .sort();
    expect(after).toEqual(before);
  });

  it('resolves an Advisor finding after a complete read that no longer reports it', async () => {
    const tenant = demoTenant();
    stack = await startStack({ tenant });
    await stack.scan({ kind: 'tenant' });
    const pip =
      demoRetirements().witnesses['retirement/network-basic-sku-public-ip-addresses']![0]!;
    tenant.advisorResources = (tenant.advisorResources ?? []).filter(
      (r) => !String(r.id).toLowerCase().startsWith(pip.toLowerCase()),
    );
    stack.graph.setTenant(tenant);
    const record = await stack.scan({ kind: 'tenant' });
    expect(record.status).toBe('succeeded');
    const finding = (await stored(stack)).find(
      (f) => key(f) === `retirement/network-basic-sku-public-ip-addresses ${pip.toLowerCase()}`,
    );
    expect(finding?.status).toBe('resolved');
  });

  it('keeps a Service Health retirement open once the notice leaves the active view', async () => {
    const tenant = demoTenant();
    stack = await startStack({ tenant });
    await stack.scan({ kind: 'tenant' });
    // About 90 days later the notices are gone from servicehealthresources.
    tenant.serviceHealthResources = [];
    stack.graph.setTenant(tenant);
    const record = await stack.scan({ kind: 'tenant' });
    expect(record.status).toBe('succeeded');
    const open = new Set((await stored(stack)).filter((f) => f.status === 'open').map(key));
    const demo = demoRetirements();
    for (const ruleId of ['retirement/health-fd7c-9q2', 'retirement/health-zk3n-8rt'])
      for (const id of demo.witnesses[ruleId] ?? [])
        expect(open.has(`${ruleId} ${id.toLowerCase()}`), `${ruleId} on ${id}`).toBe(true);
    expect(record.counts.resolved).toBe(0);
  });
});

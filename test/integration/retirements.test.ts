// The retirement sources in a live scan (Resource Graph emulator, Azurite): Advisor's impacted resources, Service
// Health notices and the Manual entries' queries become findings; a source that fails or is truncated resolves
// nothing of its own and makes the scan partial.
import { afterEach, describe, expect, it } from 'vitest';
import {
  demoRetirements,
  demoTenant,
  DEMO_SUBSCRIPTION,
  DEMO_SUBSCRIPTIONS,
} from '../../dev/tenants/demo.js';
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
        ['advisor-catalog', 'complete'],
        ['advisor-recommendations', 'complete'],
        ['resource-tags', 'complete'],
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
    expect(
      record.retirementSources?.find((s) => s.source === 'advisor-recommendations'),
    ).toMatchObject({
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

  it('resolves a Service Health retirement kept once seen when its resource is gone, not while that is unknown', async () => {
    const tenant = demoTenant();
    stack = await startStack({ tenant });
    await stack.scan({ kind: 'tenant' });
    tenant.serviceHealthResources = [];
    stack.graph.setTenant(tenant);
    await stack.scan({ kind: 'tenant' });
    const demo = demoRetirements();
    const afd = demo.witnesses['retirement/health-fd7c-9q2']![0]!;
    const subscriptionWide = demo.witnesses['retirement/health-zk3n-8rt']![0]!;
    const statusOf = async (ruleId: string, id: string) =>
      (await stored(stack!)).find((f) => key(f) === `${ruleId} ${id.toLowerCase()}`)?.status;
    expect(await statusOf('retirement/health-fd7c-9q2', afd)).toBe('open');
    // The Front Door is deleted (or moved) after the notice left the active view.
    tenant.resources = tenant.resources.filter(
      (r) => String(r.id).toLowerCase() !== afd.toLowerCase(),
    );
    stack.graph.setTenant(tenant);
    // The read of the resources' own rows fails: whether it exists is unknown, so it stays open.
    stack.graph.setFaults({
      rules: [{ when: { queryContains: 'where id in~ (' }, respond: { status: 503 } }],
    });
    const unknown = await stack.scan({ kind: 'tenant' });
    stack.graph.setFaults({});
    expect(unknown.retirementSources?.find((s) => s.source === 'resource-tags')?.outcome).toBe(
      'failed',
    );
    expect(await statusOf('retirement/health-fd7c-9q2', afd)).toBe('open');
    // A complete read no longer finds it: resolved. The subscription-wide notice stays open.
    const record = await stack.scan({ kind: 'tenant' });
    expect(record.retirementSources?.find((s) => s.source === 'resource-tags')?.outcome).toBe(
      'complete',
    );
    expect(await statusOf('retirement/health-fd7c-9q2', afd)).toBe('resolved');
    expect(await statusOf('retirement/health-zk3n-8rt', subscriptionWide)).toBe('open');
    expect(record.counts.resolved).toBeGreaterThanOrEqual(1);
  });
});

describe('each retirement source is safe on its own', () => {
  const demo = demoRetirements();
  const pip = demo.witnesses['retirement/network-basic-sku-public-ip-addresses']![0]!;
  const sql = demo.witnesses['retirement/sql-api-version-2014-04-01']![0]!;
  const afd = demo.witnesses['retirement/health-fd7c-9q2']![0]!;
  const redis = demo.witnesses['retirement/cache-azure-cache-for-redis-version-4']![0]!;
  const lb = demo.witnesses['retirement/network-basic-load-balancer']![0]!;
  const statusOf = async (s: Stack, ruleId: string, id: string) =>
    (await stored(s)).find((f) => key(f) === `${ruleId} ${id.toLowerCase()}`)?.status;
  /** The tenant once the recommendations on the pip, the cache and the load balancer, the SQL server and the Front Door notice are gone. */
  const withoutWitnesses = (tenant: ReturnType<typeof demoTenant>) => {
    tenant.advisorResources = (tenant.advisorResources ?? []).filter(
      (r) =>
        ![pip, redis, lb].some((id) =>
          String(r.id).toLowerCase().startsWith(`${id.toLowerCase()}/`),
        ),
    );
    tenant.resources = tenant.resources.filter((r) => String(r.id) !== sql);
    tenant.serviceHealthResources = (tenant.serviceHealthResources ?? []).filter(
      (r) => !String(r.id).toLowerCase().includes('fd7c-9q2'),
    );
    return tenant;
  };

  it.each([
    {
      source: 'advisor-recommendations',
      fault: 'microsoft.advisor/recommendations',
      kept: ['retirement/network-basic-sku-public-ip-addresses', pip],
      resolved: ['retirement/sql-api-version-2014-04-01', sql],
    },
    {
      source: 'service-health',
      fault: 'servicehealthresources',
      // Its tracking id is in the catalog entry: Service Health could report it.
      kept: ['retirement/cache-azure-cache-for-redis-version-4', redis],
      resolved: ['retirement/network-basic-load-balancer', lb],
    },
    {
      source: 'manual:retirement/sql-api-version-2014-04-01',
      fault: "properties.version == '12.0'",
      kept: ['retirement/sql-api-version-2014-04-01', sql],
      resolved: ['retirement/network-basic-sku-public-ip-addresses', pip],
    },
  ])(
    'a failed $source read keeps only its retirements; the others reconcile',
    async ({ source, fault, kept, resolved }) => {
      const tenant = demoTenant();
      stack = await startStack({ tenant });
      await stack.scan({ kind: 'tenant' });
      stack.graph.setTenant(withoutWitnesses(tenant));
      stack.graph.setFaults({
        rules: [{ when: { queryContains: fault }, respond: { status: 503 } }],
      });
      const record = await stack.scan({ kind: 'tenant' });
      stack.graph.setFaults({});
      expect(record.status).toBe('partial');
      const outcomes = Object.fromEntries(
        (record.retirementSources ?? []).map((s) => [s.source, s.outcome]),
      );
      expect(outcomes[source]).toBe('failed');
      expect(Object.entries(outcomes).filter(([, o]) => o === 'failed')).toHaveLength(1);
      expect(await statusOf(stack, kept[0]!, kept[1]!)).toBe('open');
      expect(await statusOf(stack, resolved[0]!, resolved[1]!)).toBe('resolved');
    },
  );

  it('a failed catalog read lets the bundled snapshot stand in: its retirements reconcile, the rest stay as they were', async () => {
    const tenant = demoTenant();
    stack = await startStack({ tenant });
    await stack.scan({ kind: 'tenant' });
    stack.graph.setTenant(withoutWitnesses(tenant));
    stack.graph.setFaults({
      rules: [{ when: { queryContains: 'microsoft.advisor/metadata' }, respond: { status: 503 } }],
    });
    const record = await stack.scan({ kind: 'tenant' });
    stack.graph.setFaults({});
    expect(record.status).toBe('partial');
    const catalog = record.retirementSources?.find((s) => s.source === 'advisor-catalog');
    expect(catalog?.outcome).toBe('failed');
    expect(catalog?.note).toMatch(/snapshot of \d{4}-\d{2}-\d{2}/);
    // Known to the snapshot: reconciled from it.
    expect(await statusOf(stack, 'retirement/network-basic-sku-public-ip-addresses', pip)).toBe(
      'resolved',
    );
    expect(await statusOf(stack, 'retirement/sql-api-version-2014-04-01', sql)).toBe('resolved');
    // A notice no snapshot entry names may belong to a live entry: unknown, kept.
    expect(await statusOf(stack, 'retirement/health-fd7c-9q2', afd)).toBe('open');
  });
});

describe('the catalog is tenant-level', () => {
  it.each([
    ['a subscription scope', { kind: 'subscriptions' as const, ids: [DEMO_SUBSCRIPTION.sandbox] }],
    ['a management-group scope', { kind: 'managementGroups' as const, ids: ['contoso-root'] }],
  ])(
    '%s reads the live catalog at tenant scope (a Manual entry only it knows runs)',
    async (_, scope) => {
      const tenant = demoTenant();
      const sandbox = DEMO_SUBSCRIPTION.sandbox;
      const mysql = demoRetirements().witnesses['retirement/dbformysql-single-server']![0]!;
      expect(mysql).toContain(sandbox);
      const live = structuredClone(
        (tenant.advisorResources ?? []).find(
          (r) => (r.properties as { language?: string }).language === 'en',
        )!,
      );
      const p = live.properties as Record<string, unknown> & {
        sourceProperties: { serviceRetirement: Record<string, unknown> };
      };
      live.id = '/providers/Microsoft.Advisor/metadata/0d6b6c36-3a53-4c6c-9a4e-live-only-en';
      live.name = '0d6b6c36-3a53-4c6c-9a4e-live-only-en';
      p.recommendationTypeId = '0d6b6c36-3a53-4c6c-9a4e-00000000live';
      p.supportedResourceType = 'Microsoft.DBforMySQL/servers';
      p.recommendationIngestionType = 'Manual';
      p.recommendationDataSourceQuery =
        "resources | where type =~ 'microsoft.dbformysql/servers' | project id";
      p.sourceProperties.serviceRetirement = {
        retirementFeatureName: 'Live-only feature',
        retirementDate: '2027-01-31T00:00:00Z',
        serviceHealth: { trackingIds: [], ashUrls: [] },
      };
      tenant.advisorResources = [...(tenant.advisorResources ?? []), live];
      stack = await startStack({ tenant });
      const record = await stack.scan(scope);
      expect(record.status).toBe('succeeded');
      const catalog = record.retirementSources?.find((s) => s.source === 'advisor-catalog');
      expect(catalog).toMatchObject({ outcome: 'complete' });
      expect(catalog?.rows).toBeGreaterThan(0);
      const open = (await stored(stack)).filter((f) => f.status === 'open').map(key);
      expect(open).toContain(`retirement/dbformysql-live-only-feature ${mysql.toLowerCase()}`);
    },
  );
});

describe('Advisor findings and the resource they are on', () => {
  const demo = demoRetirements();
  const vm = demo.witnesses['retirement/compute-unmanaged-disks']![0]!;
  const owners = { tagNames: ['owner', 'OwnerEmail', 'contact'], defaultRecipients: [] };

  it("take their owner from the resource's own tags", async () => {
    stack = await startStack({ tenant: demoTenant() });
    await stack.scan({ kind: 'tenant' }, { owners });
    const finding = (await stored(stack)).find(
      (f) => key(f) === `retirement/compute-unmanaged-disks ${vm.toLowerCase()}`,
    );
    expect(finding?.owners).toBe('build-team@contoso.com');
  });

  it("honour the scope's tag exclusions: not reported, and what was stored stays as it was", async () => {
    stack = await startStack({ tenant: demoTenant() });
    const filter = { excludeTags: [{ key: 'owner', value: 'BUILD-TEAM@contoso.com' }] };
    await stack.scan({ kind: 'tenant' }, { owners, filter });
    const excluded = (await stored(stack)).filter(
      (f) => f.resourceId.toLowerCase() === vm.toLowerCase(),
    );
    expect(excluded).toEqual([]);
    // Seen without the exclusion, then excluded: kept as it was (out of scope), not resolved.
    await stack.scan({ kind: 'tenant' }, { owners });
    const record = await stack.scan({ kind: 'tenant' }, { owners, filter });
    expect(record.counts.resolved).toBe(0);
    const kept = (await stored(stack)).find(
      (f) => key(f) === `retirement/compute-unmanaged-disks ${vm.toLowerCase()}`,
    );
    expect(kept?.status).toBe('open');
  });
});

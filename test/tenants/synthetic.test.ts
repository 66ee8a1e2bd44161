// The synthetic tenant generator: deterministic, exact counts, consistent references, fast; and its mutations.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { startResourceGraphEmulator } from '../../dev/emulators/resource-graph/server.js';
import { mutateTenant, syntheticTenant } from '../../dev/tenants/synthetic.js';
import { clientFor, pageAll } from '../emulators/resource-graph/harness.js';

type Row = Record<string, unknown>;
const VM = 'microsoft.classiccompute/virtualmachines';
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

const digest = (value: unknown): string =>
  createHash('sha256').update(JSON.stringify(value)).digest('hex');
const prop = (r: Row, path: string): unknown =>
  path
    .split('.')
    .reduce<unknown>(
      (v, k) => (typeof v === 'object' && v !== null ? (v as Row)[k] : undefined),
      r.properties,
    );

describe('syntheticTenant', () => {
  it('is deterministic for a seed and differs across seeds', () => {
    const a = syntheticTenant({ subscriptions: 8, resources: 5000, seed: 3 });
    const b = syntheticTenant({ subscriptions: 8, resources: 5000, seed: 3 });
    const c = syntheticTenant({ subscriptions: 8, resources: 5000, seed: 4 });
    expect(digest(a)).toBe(digest(b));
    expect(digest(a)).not.toBe(digest(c));
  });

  it.each([
    [1, 0],
    [1, 1],
    [3, 11],
    [5, 137],
    [40, 20_000],
  ])('generates exactly %i subscriptions and %i resources', (subscriptions, resources) => {
    const t = syntheticTenant({ subscriptions, resources, seed: 9 });
    expect(t.subscriptions).toHaveLength(subscriptions);
    expect(t.resources).toHaveLength(resources);
    for (const s of t.subscriptions) expect(s.subscriptionId).toMatch(GUID);
    expect(new Set(t.resources.map((r) => String(r.id).toLowerCase())).size).toBe(resources);
  });

  it('spreads resources unevenly, with some subscriptions empty, and builds MG ancestry', () => {
    const t = syntheticTenant({
      subscriptions: 40,
      resources: 20_000,
      seed: 5,
      managementGroups: 4,
    });
    const perSub = new Map(t.subscriptions.map((s) => [s.subscriptionId, 0]));
    for (const r of t.resources)
      perSub.set(String(r.subscriptionId), (perSub.get(String(r.subscriptionId)) ?? 0) + 1);
    const counts = [...perSub.values()].sort((x, y) => y - x);
    expect(counts.filter((n) => n === 0).length).toBeGreaterThan(0);
    const nonEmpty = counts.filter((n) => n > 0);
    expect((nonEmpty[0] ?? 0) / (nonEmpty[nonEmpty.length - 1] ?? 1)).toBeGreaterThan(5);
    for (const s of t.subscriptions) expect(s.managementGroups?.[0]).toBe('synthetic-root');
    expect(new Set(t.subscriptions.flatMap((s) => s.managementGroups ?? [])).size).toBeGreaterThan(
      2,
    );
  });

  it('keeps a VM with its cloud service, VNet and disk accounts in its own subscription', () => {
    const t = syntheticTenant({ subscriptions: 6, resources: 20_000, seed: 2 });
    const byId = new Map(t.resources.map((r) => [String(r.id).toLowerCase(), r]));
    const storage = new Set(
      t.resources
        .filter((r) => r.type === 'microsoft.classicstorage/storageaccounts')
        .map((r) => `${String(r.subscriptionId)}/${String(r.name)}`),
    );
    const vms = t.resources.filter((r) => r.type === VM);
    expect(vms.length / t.resources.length).toBeGreaterThan(0.5);
    for (const vm of vms) {
      const cs = byId.get(String(prop(vm, 'domainName.id')).toLowerCase());
      expect(cs?.type).toBe('microsoft.classiccompute/domainnames');
      expect(cs?.subscriptionId).toBe(vm.subscriptionId);
      const vnetId = prop(vm, 'networkProfile.virtualNetwork.id');
      if (vnetId !== undefined) {
        const vnet = byId.get(String(vnetId).toLowerCase());
        expect(vnet?.type).toBe('microsoft.classicnetwork/virtualnetworks');
        expect(vnet?.subscriptionId).toBe(vm.subscriptionId);
      }
      expect(
        storage.has(
          `${String(vm.subscriptionId)}/${String(prop(vm, 'storageProfile.operatingSystemDisk.storageAccount.name'))}`,
        ),
      ).toBe(true);
    }
  });

  it('makes a share of the VMs trigger each migration rule, and has the other resource kinds', () => {
    const t = syntheticTenant({ subscriptions: 10, resources: 50_000, seed: 1 });
    const vms = t.resources.filter((r) => r.type === VM);
    const share = (test: (r: Row) => boolean) => vms.filter(test).length / vms.length;
    const extensions = (r: Row) => (prop(r, 'extensions') as Row[]) ?? [];
    expect(
      share((r) =>
        JSON.stringify(prop(r, 'networkProfile.inputEndpoints')).includes('endpointAcl'),
      ),
    ).toBeGreaterThan(0.01);
    expect(
      share(
        (r) =>
          ((prop(r, 'networkProfile.virtualNetwork.subnetNames') as unknown[]) ?? []).length > 1,
      ),
    ).toBeGreaterThan(0.005);
    expect(share((r) => extensions(r).some((e) => e.extension === 'VMSnapshot'))).toBeGreaterThan(
      0.01,
    );
    expect(share((r) => prop(r, 'instanceView.status') === 'RoleStateUnknown')).toBeGreaterThan(
      0.002,
    );
    expect(share((r) => prop(r, 'networkProfile.virtualNetwork') === undefined)).toBeGreaterThan(
      0.02,
    );
    expect(share((r) => prop(r, 'debugProfile.bootDiagnosticsEnabled') === true)).toBeGreaterThan(
      0.01,
    );
    // Some VNet holds more than 400 VMs (classic/vnet-many-vms).
    const perVnet = new Map<string, number>();
    for (const vm of vms) {
      const id = prop(vm, 'networkProfile.virtualNetwork.id');
      if (typeof id === 'string') perVnet.set(id, (perVnet.get(id) ?? 0) + 1);
    }
    expect(Math.max(...perVnet.values())).toBeGreaterThan(400);
    const types = new Set(t.resources.map((r) => r.type));
    for (const type of [
      'microsoft.classicnetwork/reservedips',
      'microsoft.classicnetwork/networksecuritygroups',
      'microsoft.network/virtualnetworks',
      'microsoft.compute/cloudservices',
      'microsoft.web/serverfarms',
      'microsoft.insights/alertrules',
    ]) {
      expect(types, type).toContain(type);
    }
    // ARM VNets peered to classic VNets, some across subscriptions.
    const classicVnets = new Map(
      t.resources
        .filter((r) => r.type === 'microsoft.classicnetwork/virtualnetworks')
        .map((r) => [r.id, r.subscriptionId]),
    );
    const peerings = t.resources
      .filter((r) => r.type === 'microsoft.network/virtualnetworks')
      .flatMap((r) =>
        ((prop(r, 'virtualNetworkPeerings') as Row[]) ?? []).map((pe) => ({
          from: r.subscriptionId,
          to: classicVnets.get(
            (pe.properties as { remoteVirtualNetwork: { id: string } }).remoteVirtualNetwork.id,
          ),
        })),
      );
    expect(peerings.some((pe) => pe.to === pe.from)).toBe(true);
    expect(peerings.some((pe) => pe.to !== undefined && pe.to !== pe.from)).toBe(true);
    expect(t.authorizationResources?.length).toBeGreaterThan(t.subscriptions.length);
    expect(t.resourceGroups?.length).toBeGreaterThan(0);
  });

  it('builds a benchmark-sized tenant of exactly the requested size', () => {
    // Speed is the benchmark's business (npm run bench); this checks the size and shape only.
    const t = syntheticTenant({ subscriptions: 50, resources: 200_000, seed: 7 });
    expect(t.resources).toHaveLength(200_000);
    expect(new Set(t.resources.map((r) => r.id)).size).toBe(200_000);
  });
});

describe('mutateTenant', () => {
  const base = syntheticTenant({ subscriptions: 5, resources: 6000, seed: 12 });

  it('returns a changed copy: some rows removed, some added, some changed; the input untouched', () => {
    const before = digest(base);
    const next = mutateTenant(base, { seed: 1, fraction: 0.03 });
    expect(digest(base)).toBe(before);
    const oldIds = new Map(base.resources.map((r) => [r.id, digest(r)]));
    const newIds = new Map(next.resources.map((r) => [r.id, digest(r)]));
    const removed = [...oldIds.keys()].filter((id) => !newIds.has(id));
    const added = [...newIds.keys()].filter((id) => !oldIds.has(id));
    const changed = [...newIds.keys()].filter(
      (id) => oldIds.has(id) && oldIds.get(id) !== newIds.get(id),
    );
    expect(removed.length).toBe(60);
    expect(added.length).toBe(60);
    expect(changed.length).toBeGreaterThan(20);
    expect(changed.length).toBeLessThanOrEqual(60);
    expect(new Set(next.resources.map((r) => String(r.id).toLowerCase())).size).toBe(
      next.resources.length,
    );
  });

  it('is deterministic for a seed', () => {
    expect(digest(mutateTenant(base, { seed: 8, fraction: 0.02 }))).toBe(
      digest(mutateTenant(base, { seed: 8, fraction: 0.02 })),
    );
    expect(digest(mutateTenant(base, { seed: 8, fraction: 0.02 }))).not.toBe(
      digest(mutateTenant(base, { seed: 9, fraction: 0.02 })),
    );
    expect(digest(mutateTenant(base, { seed: 8, fraction: 0 }).resources)).toBe(
      digest(base.resources),
    );
  });
});

describe('a synthetic tenant served by the emulator', () => {
  it('pages every classic VM exactly once', async () => {
    const tenant = syntheticTenant({ subscriptions: 12, resources: 20_000, seed: 21 });
    const emulator = await startResourceGraphEmulator({
      tenant,
      quota: { requests: 10_000, windowMs: 1000 },
    });
    try {
      const expected = tenant.resources.filter((r) => r.type === VM).length;
      const { rows, pages } = await pageAll(clientFor(emulator), {
        subscriptions: tenant.subscriptions.map((s) => s.subscriptionId),
        query:
          "resources | where type =~ 'microsoft.classiccompute/virtualmachines' | project id, name, properties | order by id asc",
        options: { top: 1000 },
      });
      expect(rows).toHaveLength(expected);
      expect(new Set(rows.map((r) => r.id)).size).toBe(expected);
      expect(pages).toBe(Math.ceil(expected / 1000));
    } finally {
      await emulator.close();
    }
  });
});

describe('the synthetic tenant’s retirement sources', () => {
  it('has Advisor retirement rows on modern resources and Service Health notices, deterministically', () => {
    const a = syntheticTenant({ subscriptions: 20, resources: 4000, seed: 5 });
    const b = syntheticTenant({ subscriptions: 20, resources: 4000, seed: 5 });
    expect(a.advisorResources).toEqual(b.advisorResources);
    const recs = (a.advisorResources ?? []).filter(
      (r) => r.type === 'microsoft.advisor/recommendations',
    );
    expect(recs.length).toBeGreaterThan(0);
    const ids = new Set(a.resources.map((r) => String(r.id).toLowerCase()));
    for (const r of recs) {
      const target = (r.properties as { resourceMetadata: { resourceId: string } }).resourceMetadata
        .resourceId;
      expect(ids.has(target.toLowerCase()), target).toBe(true);
    }
    expect((a.serviceHealthResources ?? []).length).toBeGreaterThan(0);
  });
});

// The migration plan over named fixtures, one per scope of Microsoft's overview, and over the demo tenant.
import { describe, expect, it } from 'vitest';
import {
  classicNsgRow,
  classicStorageRow,
  classicVmRow,
  classicVnetRow,
  cloudServiceRow,
  reservedIpRow,
  resourceId,
  CLASSIC_VNET,
} from '../../dev/tenants/build.js';
import { demoTenant } from '../../dev/tenants/demo.js';
import { scanExport } from '../../src/app/scan-export.js';
import { planMigration, type MigrationPlan } from '../../src/core/migration-plan.js';
import { buildScanIndex } from '../../src/core/scan-index.js';
import { DEFAULT_CATALOG } from '../../src/rules/index.js';

const SUB = '11111111-2222-4333-8444-555555555555';
const NOW = new Date('2026-12-01T00:00:00Z');

function plan(rows: readonly unknown[]): MigrationPlan {
  const result = scanExport(rows, { rules: DEFAULT_CATALOG, now: NOW });
  return planMigration(buildScanIndex(result.rows), result.report.findings);
}

const vnetId = (name: string) => resourceId(SUB, 'Default-Networking', CLASSIC_VNET, name);
const vm = (
  name: string,
  service: string,
  extra: Partial<Parameters<typeof classicVmRow>[0]> = {},
) =>
  classicVmRow({
    subscriptionId: SUB,
    name,
    cloudService: service,
    osDisk: { account: 'disksacct', blob: `${name}-os.vhd` },
    ...extra,
  });
const service = (name: string) =>
  cloudServiceRow({
    subscriptionId: SUB,
    name,
    roles: [{ name, roleType: 'PersistentVMRole' }],
  });
const byName = (p: MigrationPlan, name: string) => p.units.find((u) => u.name === name);

describe('migration plan', () => {
  it('VMs not in a virtual network: one unit per cloud service, with the downtime said', () => {
    const p = plan([service('cs-solo'), vm('solo1', 'cs-solo'), vm('solo2', 'cs-solo')]);
    const u = byName(p, 'cs-solo');
    expect(u).toMatchObject({ scope: 'vms-outside-vnet', ready: true, blockers: [] });
    expect(u?.resources.map((r) => r.name).sort()).toEqual(['cs-solo', 'solo1', 'solo2']);
    expect(u?.changes[0]).toMatch(/stops, deallocates and restarts/);
    expect(u?.steps.map((s) => s.step)).toEqual(['validate', 'prepare', 'commit', 'abort']);
    expect(u?.steps[0]?.powershell).toMatch(/^Move-AzureService -Validate -ServiceName 'cs-solo'/);
  });

  it('VMs in a virtual network: the network moves with every cloud service and VM in it; a blocker stops it', () => {
    const p = plan([
      classicVnetRow({
        subscriptionId: SUB,
        resourceGroup: 'Default-Networking',
        name: 'vnet-a',
        subnets: ['s1'],
      }),
      service('cs-in'),
      vm('in1', 'cs-in', {
        virtualNetwork: { id: vnetId('vnet-a'), name: 'vnet-a', subnetNames: ['s1'] },
        endpoints: [
          {
            endpointName: 'rdp',
            protocol: 'tcp',
            publicPort: 3389,
            privatePort: 3389,
            endpointAcl: { rules: [{ order: 1, action: 'permit', remoteSubnet: '10.0.0.0/8' }] },
          },
        ],
      }),
    ]);
    const u = byName(p, 'vnet-a');
    expect(u?.scope).toBe('vnet');
    expect(u?.resources.map((r) => r.name).sort()).toEqual(['cs-in', 'in1', 'vnet-a']);
    expect(u?.blockers.map((b) => b.ruleId)).toEqual(['classic/vm-endpoint-acl']);
    expect(u?.ready).toBe(false);
    expect(byName(p, 'cs-in')).toBeUndefined();
  });

  it('storage accounts come after the units of the VMs whose disks they hold, and wait for a blocked one', () => {
    const rows = [
      classicStorageRow({
        subscriptionId: SUB,
        resourceGroup: 'Default-Storage',
        name: 'disksacct',
        accountType: 'Standard-LRS',
      }),
      classicStorageRow({
        subscriptionId: SUB,
        resourceGroup: 'Default-Storage',
        name: 'blobsonly',
        accountType: 'Standard-LRS',
      }),
      service('cs-solo'),
      vm('solo1', 'cs-solo'),
    ];
    const p = plan(rows);
    const disks = byName(p, 'disksacct');
    const compute = byName(p, 'cs-solo');
    expect(disks?.after).toEqual([compute?.id]);
    expect((disks?.order ?? 0) > (compute?.order ?? 0)).toBe(true);
    expect(byName(p, 'blobsonly')).toMatchObject({ scope: 'storage', after: [], ready: true });

    const blocked = plan([
      ...rows.slice(0, 3),
      vm('solo1', 'cs-solo', {
        extensions: [
          {
            extension: 'VMSnapshot',
            publisher: 'Microsoft.Azure.RecoveryServices',
            version: '1.0',
          },
        ],
      }),
    ]);
    expect(byName(blocked, 'cs-solo')?.ready).toBe(false);
    expect(byName(blocked, 'disksacct')).toMatchObject({ ready: false, blockers: [] });
    expect(blocked.units.at(-1)?.name).toBe('disksacct');
  });

  it('unattached resources: a reserved IP not in use, NSGs with what Resource Graph cannot say', () => {
    const p = plan([
      reservedIpRow({
        subscriptionId: SUB,
        resourceGroup: 'Default-Networking',
        name: 'rip-free',
        inUse: false,
        ipAddress: '203.0.113.1',
      }),
      reservedIpRow({
        subscriptionId: SUB,
        resourceGroup: 'Default-Networking',
        name: 'rip-used',
        inUse: true,
        ipAddress: '203.0.113.2',
      }),
      classicNsgRow({ subscriptionId: SUB, resourceGroup: 'Default-Networking', name: 'nsg-1' }),
    ]);
    expect(byName(p, 'rip-free')).toMatchObject({ scope: 'unattached', ready: true });
    expect(byName(p, 'rip-free')?.steps[0]?.powershell).toBe(
      "Move-AzureReservedIP -Validate -ReservedIPName 'rip-free'",
    );
    expect(byName(p, 'rip-used')).toBeUndefined();
    expect(byName(p, 'nsg-1')?.changes.join(' ')).toMatch(
      /does not say what a classic NSG is attached to/,
    );
  });

  it('a VM without properties is not placed: unknown is not "outside a network"', () => {
    const row = vm('bare', 'cs-bare') as Record<string, unknown>;
    delete row.properties;
    const p = plan([row]);
    expect(p.units).toEqual([]);
    expect(p.undecided[0]?.reason).toMatch(/no properties/);
  });

  it('quotes hostile names in the commands it prints', () => {
    const p = plan([service("cs-o'hara; rm -rf /"), vm('x1', "cs-o'hara; rm -rf /")]);
    const steps = p.units[0]?.steps[0];
    expect(steps?.powershell).toContain("-ServiceName 'cs-o''hara; rm -rf /'");
    expect(steps?.cli).toContain(`'cs-o'\\''hara; rm -rf /'`);
  });

  it('the demo tenant: units nothing blocks first, each VNet blocker on its network, storage last', () => {
    const t = demoTenant();
    const p = plan([...t.resources, ...(t.authorizationResources ?? [])]);
    const firstBlocked = p.units.findIndex((u) => !u.ready);
    expect(firstBlocked).toBeGreaterThan(0);
    expect(p.units.slice(firstBlocked).every((u) => !u.ready)).toBe(true);
    expect(p.units.map((u) => u.order)).toEqual(p.units.map((_, i) => i + 1));
    const blockersOf = (name: string) => byName(p, name)?.blockers.map((b) => b.ruleId) ?? [];
    expect(blockersOf('vnet-apim-classic')).toContain('classic/vnet-api-management');
    expect(blockersOf('vnet-ase-classic')).toContain('classic/vnet-app-service-environment');
    expect(blockersOf('vnet-hdi-classic')).toContain('classic/vnet-hdinsight');
    expect(blockersOf('vnet-peered-classic')).toContain('classic/vnet-peered');
    const core = byName(p, 'vnet-core-classic');
    expect(core?.blockers.length).toBeGreaterThan(5);
    const disks = byName(p, 'contosoappsdisks');
    expect(disks?.after).toContain(core?.id);
    expect(disks?.ready).toBe(false);
    // Every classic blocker of the tenant lands in exactly one unit.
    const all = scanExport([...t.resources, ...(t.authorizationResources ?? [])], {
      rules: DEFAULT_CATALOG,
      now: NOW,
    });
    const blockers = all.report.findings.filter(
      (f) => f.severity === 'blocker' && f.ruleId.startsWith('classic/'),
    );
    expect(p.units.flatMap((u) => u.blockers)).toHaveLength(blockers.length);
  });
});

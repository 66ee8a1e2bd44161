// The demo tenant: Resource Graph row shape, internal consistency, and a witness for every rule of rules.md.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { evaluate } from '../../src/core/engine.js';
import { toResourceRow, type ResourceRow } from '../../src/core/resource.js';
import { DEFAULT_CATALOG } from '../../src/rules/index.js';
import { scanExport } from '../../src/app/scan-export.js';
import {
  DEMO_SUBSCRIPTIONS,
  demoHealthyClassicIds,
  demoRetirements,
  demoRuleWitnesses,
  demoTenant,
  expectedDemoRuleIds,
  HOSTILE_MARKUP,
  HOSTILE_SCRIPT,
  TEST_FIXTURE_SUBSCRIPTION,
} from '../../dev/tenants/demo.js';
import { specFile, specTitle } from '../support/spec.js';

type Row = Record<string, unknown>;
const tenant = demoTenant();
const lower = (v: unknown): string => String(v).toLowerCase();

function at(value: unknown, path: string): unknown {
  let current = value;
  for (const part of path.split('.')) {
    if (typeof current !== 'object' || current === null) return undefined;
    current = (current as Record<string, unknown>)[part];
  }
  return current;
}
const list = (value: unknown): Row[] => (Array.isArray(value) ? (value as Row[]) : []);
const ofType = (type: string): Row[] => tenant.resources.filter((r) => lower(r.type) === type);
const sameId = (a: unknown, b: unknown): boolean =>
  typeof a === 'string' && typeof b === 'string' && lower(a) === lower(b);

const VM = 'microsoft.classiccompute/virtualmachines';
const CS = 'microsoft.classiccompute/domainnames';
const STORAGE = 'microsoft.classicstorage/storageaccounts';
const VNET = 'microsoft.classicnetwork/virtualnetworks';
const RIP = 'microsoft.classicnetwork/reservedips';
const NSG = 'microsoft.classicnetwork/networksecuritygroups';

// Independent readings of rules.md, written from the catalog's field paths (not from src/rules),
// so the demo is checked against the spec rather than against one implementation of it.
const p = (r: Row, path: string): unknown => at(r.properties, path);
const extensions = (r: Row) => list(p(r, 'extensions'));
const disks = (r: Row) =>
  [p(r, 'storageProfile.operatingSystemDisk'), ...list(p(r, 'storageProfile.dataDisks'))].filter(
    Boolean,
  ) as Row[];
const vmsOfService = (cs: Row) => ofType(VM).filter((vm) => sameId(p(vm, 'domainName.id'), cs.id));
const avset = (vm: Row): string => String(p(vm, 'hardwareProfile.availabilitySet') ?? '');
const vmsInVnet = (vnet: Row) =>
  ofType(VM).filter((vm) => sameId(p(vm, 'networkProfile.virtualNetwork.id'), vnet.id));
const diskAccounts = (sub: unknown) =>
  new Set(
    ofType(VM)
      .filter((vm) => vm.subscriptionId === sub)
      .flatMap((vm) => disks(vm).map((d) => lower(at(d, 'storageAccount.name')))),
  );
const isMigration = (id: string) => id.startsWith('classic/');

const SPEC: Record<string, { types: string[]; test: (r: Row) => boolean }> = {
  'classic/vm-endpoint-acl': {
    types: [VM],
    test: (r) =>
      list(p(r, 'networkProfile.inputEndpoints')).some(
        (e) => list(at(e, 'endpointAcl.rules')).length > 0,
      ),
  },
  'classic/vm-multiple-subnets': {
    types: [VM],
    test: (r) => list(p(r, 'networkProfile.virtualNetwork.subnetNames')).length > 1,
  },
  'classic/vm-vnet-without-subnet': {
    types: [VM],
    test: (r) =>
      p(r, 'networkProfile.virtualNetwork') !== undefined &&
      list(p(r, 'networkProfile.virtualNetwork.subnetNames')).length === 0,
  },
  'classic/vm-boot-diagnostics-premium': {
    types: [VM],
    test: (r) => {
      if (p(r, 'debugProfile.bootDiagnosticsEnabled') !== true) return false;
      const account = new URL(String(p(r, 'debugProfile.serialOutputBlobUri'))).hostname.split(
        '.',
      )[0];
      return ofType(STORAGE).some(
        (s) => s.name === account && String(p(s, 'accountType')).startsWith('Premium'),
      );
    },
  },
  'classic/vm-defender-extension': {
    types: [VM],
    test: (r) =>
      extensions(r).some((e) => String(e.publisher).startsWith('Microsoft.Azure.Security')),
  },
  'classic/vm-backup-extension': {
    types: [VM],
    test: (r) =>
      extensions(r).some((e) => ['VMSnapshot', 'VMSnapshotLinux'].includes(String(e.extension))),
  },
  'classic/vm-guest-agent-not-ready': {
    types: [VM],
    test: (r) =>
      extensions(r).length > 0 &&
      p(r, 'instanceView.guestAgentStatus.status') !== undefined &&
      p(r, 'instanceView.guestAgentStatus.status') !== 'Ready',
  },
  'classic/cloud-service-multiple-availability-sets': {
    types: [CS],
    test: (r) => new Set(vmsOfService(r).map(avset).filter(Boolean)).size > 1,
  },
  'classic/cloud-service-mixed-availability-sets': {
    types: [CS],
    test: (r) =>
      vmsOfService(r).some((vm) => avset(vm) !== '') &&
      vmsOfService(r).some((vm) => avset(vm) === ''),
  },
  'classic/vnet-mixed-vms-and-roles': {
    types: [VNET],
    test: (r) =>
      vmsInVnet(r).length > 0 &&
      ofType(CS).some(
        (cs) =>
          sameId(p(cs, 'virtualNetwork.id'), r.id) &&
          list(p(cs, 'roles')).some((role) =>
            ['WebRole', 'WorkerRole'].includes(String(role.roleType)),
          ),
      ),
  },
  'classic/vnet-app-service-environment': {
    types: [VNET],
    test: (r) =>
      ofType('microsoft.web/hostingenvironments').some((ase) =>
        sameId(p(ase, 'virtualNetwork.id'), r.id),
      ),
  },
  'classic/vnet-hdinsight': {
    types: [VNET],
    test: (r) =>
      ofType('microsoft.hdinsight/clusters').some((h) =>
        list(p(h, 'computeProfile.roles')).some((role) =>
          sameId(at(role, 'virtualNetworkProfile.id'), r.id),
        ),
      ),
  },
  'classic/vnet-api-management': {
    types: [VNET],
    test: (r) =>
      ofType('microsoft.apimanagement/service').some((a) =>
        [
          p(a, 'virtualNetworkConfiguration.vnetid'),
          p(a, 'virtualNetworkConfiguration.subnetResourceId'),
        ].some(
          (ref) =>
            typeof ref === 'string' &&
            (sameId(ref, r.id) || lower(ref).startsWith(`${lower(r.id)}/`)),
        ),
      ),
  },
  'classic/vnet-peered': {
    types: [VNET],
    test: (r) =>
      ofType('microsoft.network/virtualnetworks').some((v) =>
        list(p(v, 'virtualNetworkPeerings')).some((peering) =>
          sameId(at(peering, 'properties.remoteVirtualNetwork.id'), r.id),
        ),
      ),
  },
  'classic/vnet-application-gateway': { types: [VNET], test: () => true },
  'classic/vnet-dynamics-lcs': { types: [VNET], test: () => true },
  'classic/vnet-expressroute': { types: [VNET], test: () => true },
  'classic/vm-vhd-name-has-slash': {
    types: [VM],
    test: (r) =>
      disks(r).some((d) =>
        new URL(String(d.vhdUri)).pathname.split('/').slice(2).join('/').includes('/'),
      ),
  },
  'classic/vm-role-state-unknown': {
    types: [VM],
    test: (r) => p(r, 'instanceView.status') === 'RoleStateUnknown',
  },
  'classic/vnet-many-vms': { types: [VNET], test: (r) => vmsInVnet(r).length > 400 },
  'classic/vm-xml-extensions': {
    types: [VM],
    test: (r) =>
      extensions(r).some(
        (e) =>
          (e.extension === 'BGInfo' && String(e.version).startsWith('1.')) ||
          String(e.publisher).startsWith('Microsoft.VisualStudio') ||
          e.extension === 'WebDeployForVSDevTest',
      ),
  },
  'classic/vm-site-recovery-extension': {
    types: [VM],
    test: (r) =>
      extensions(r).some(
        (e) =>
          String(e.publisher).includes('SiteRecovery') ||
          String(e.extension).includes('SiteRecovery'),
      ),
  },
  'classic/vm-alerts-or-autoscale': {
    types: [VM, CS],
    test: (r) =>
      ofType('microsoft.insights/alertrules').some((a) =>
        sameId(p(a, 'condition.dataSource.resourceUri'), r.id),
      ) ||
      ofType('microsoft.insights/autoscalesettings').some((a) =>
        sameId(p(a, 'targetResourceUri'), r.id),
      ),
  },
  'classic/rbac-on-classic-resource': {
    types: [VM, CS, STORAGE, VNET, RIP, NSG],
    test: (r) =>
      (tenant.authorizationResources ?? []).some(
        (a) =>
          lower(a.type) === 'microsoft.authorization/roleassignments' &&
          sameId(p(a, 'scope'), r.id),
      ),
  },
  'classic/vm-outside-vnet': {
    types: [VM],
    test: (r) => p(r, 'networkProfile.virtualNetwork') === undefined,
  },
  'classic/storage-account-has-vm-disks': {
    types: [STORAGE],
    test: (r) => diskAccounts(r.subscriptionId).has(lower(r.name)),
  },
  'classic/storage-account-standalone': {
    types: [STORAGE],
    test: (r) => !diskAccounts(r.subscriptionId).has(lower(r.name)),
  },
  'classic/unattached-reserved-ip': { types: [RIP], test: (r) => p(r, 'inUse') === false },
  'retirement/classic-vm': { types: [VM], test: () => true },
  'retirement/cloud-services-classic': { types: [CS], test: () => true },
  'retirement/classic-storage': { types: [STORAGE], test: () => true },
  'retirement/classic-networking': { types: [VNET, RIP, NSG], test: () => true },
  'retirement/cloud-services-extended-support': {
    types: ['microsoft.compute/cloudservices'],
    test: () => true,
  },
  'retirement/linux-consumption-plan': {
    types: ['microsoft.web/serverfarms'],
    test: (r) => at(r.sku, 'tier') === 'Dynamic' && lower(r.kind).includes('linux'),
  },
};

function rowById(id: string): Row | undefined {
  return [...tenant.resources, ...(tenant.authorizationResources ?? [])].find((r) =>
    sameId(r.id, id),
  );
}

describe('demo tenant: shape', () => {
  it('has Resource Graph rows with id, name, type, subscriptionId, resourceGroup, location', () => {
    for (const r of [
      ...tenant.resources,
      ...(tenant.resourceGroups ?? []),
      ...(tenant.authorizationResources ?? []),
    ]) {
      for (const column of ['id', 'name', 'type', 'subscriptionId', 'resourceGroup']) {
        expect(typeof r[column], `${String(r.id)} ${column}`).toBe('string');
      }
      expect(r.id).toMatch(new RegExp(`^/subscriptions/${String(r.subscriptionId)}(/|$)`, 'i'));
    }
    for (const r of tenant.resources) {
      expect(typeof r.location).toBe('string');
      expect(typeof r.properties).toBe('object');
      expect(toResourceRow(r).ok).toBe(true);
    }
  });

  it('has unique ids (case-insensitively) and only subscriptions it declares', () => {
    const ids = tenant.resources.map((r) => lower(r.id));
    expect(new Set(ids).size).toBe(ids.length);
    const declared = new Set(tenant.subscriptions.map((s) => lower(s.subscriptionId)));
    expect(declared).toEqual(new Set(DEMO_SUBSCRIPTIONS.map(lower)));
    for (const r of [
      ...tenant.resources,
      ...(tenant.resourceGroups ?? []),
      ...(tenant.authorizationResources ?? []),
    ]) {
      expect(declared.has(lower(r.subscriptionId))).toBe(true);
    }
    for (const s of tenant.subscriptions) expect(s.managementGroups?.[0]).toBe('contoso-root');
    expect(tenant.subscriptions.length).toBeGreaterThanOrEqual(3);
  });

  it('keeps classic references inside one subscription: cloud service, VNet, disk accounts', () => {
    for (const vm of ofType(VM)) {
      const cs = rowById(String(p(vm, 'domainName.id')));
      expect(cs?.type, String(vm.id)).toBe(CS);
      const vnetId = p(vm, 'networkProfile.virtualNetwork.id');
      if (vnetId !== undefined) {
        const vnet = rowById(String(vnetId));
        expect(vnet && lower(vnet.type)).toBe(VNET);
        expect(vnet?.subscriptionId).toBe(vm.subscriptionId);
      }
      for (const d of disks(vm)) {
        const account = ofType(STORAGE).find(
          (s) => s.name === at(d, 'storageAccount.name') && s.subscriptionId === vm.subscriptionId,
        );
        expect(account, `${String(vm.id)} disk`).toBeDefined();
        expect(String(d.vhdUri)).toMatch(
          new RegExp(`^https://${String(account?.name)}\\.blob\\.core\\.windows\\.net/[^/]+/.+`),
        );
      }
    }
    for (const cs of ofType(CS)) {
      for (const role of list(p(cs, 'roles')))
        expect(['WebRole', 'WorkerRole', 'PersistentVMRole']).toContain(role.roleType);
    }
  });

  it('carries owner tags of every flavour and mixed case', () => {
    const tagged = [...tenant.resources, ...(tenant.resourceGroups ?? []), ...tenant.subscriptions];
    const tagKeys = new Set(
      tagged.flatMap((r) => Object.keys((r.tags as Record<string, string> | undefined) ?? {})),
    );
    for (const key of ['owner', 'Owner', 'OwnerEmail', 'contact', 'CONTACT'])
      expect(tagKeys).toContain(key);
    const values = tagged.flatMap((r) =>
      Object.values((r.tags as Record<string, string> | undefined) ?? {}),
    );
    expect(values.some((v) => /@.*;.*@/.test(v))).toBe(true);
    expect(values.some((v) => /@.*,.*@/.test(v))).toBe(true);
    expect(values).toContain('Platform Team');
    expect(tenant.resources.some((r) => r.type !== lower(r.type))).toBe(true);
    expect(tenant.resources.some((r) => String(r.id) === lower(r.id))).toBe(true);
  });

  it('looks like a real tenant: hostile names only in the test fixture subscription, which says so (issue 21)', () => {
    const hostile = (t: unknown) => {
      const text = JSON.stringify(t);
      return (
        text.includes(JSON.stringify(HOSTILE_SCRIPT).slice(1, -1)) ||
        text.includes(JSON.stringify(HOSTILE_MARKUP).slice(1, -1)) ||
        /<script|<b>/i.test(text)
      );
    };
    expect(hostile(tenant)).toBe(false);
    const withFixtures = demoTenant({ testFixtures: true });
    const fixture = withFixtures.subscriptions.find(
      (s) => s.subscriptionId === TEST_FIXTURE_SUBSCRIPTION,
    );
    expect(fixture?.displayName).toMatch(/^TEST FIXTURE /);
    expect(withFixtures.subscriptions.filter((s) => hostile(s))).toEqual([fixture]);
    const hostileRows = withFixtures.resources.filter((r) => hostile(r));
    expect(hostileRows.length).toBeGreaterThan(0);
    for (const r of hostileRows) expect(r.subscriptionId).toBe(TEST_FIXTURE_SUBSCRIPTION);
  });

  it('returns a fresh copy on every call', () => {
    const a = demoTenant();
    a.resources.pop();
    expect(demoTenant().resources.length).toBe(tenant.resources.length);
  });
});

describe('demo tenant: every rule fires', () => {
  it('lists the 28 migration and 6 retirement rule ids', () => {
    const ids = expectedDemoRuleIds();
    expect(new Set(ids).size).toBe(34);
    expect(ids.filter(isMigration)).toHaveLength(28);
    expect(Object.keys(SPEC).sort()).toEqual([...ids].sort());
    expect(Object.keys(demoRuleWitnesses()).sort()).toEqual([...ids].sort());
  });

  const rulesMd = specFile('rules.md');
  it.skipIf(rulesMd === undefined)(
    specTitle('matches the ids of the catalog in rules.md', rulesMd),
    () => {
      const catalog = new Set(
        readFileSync(rulesMd as string, 'utf8')
          .split('\n')
          .filter((line) => line.startsWith('| `'))
          .map((line) => /^\| `([a-z]+\/[a-z0-9-]+)`/.exec(line)?.[1])
          .filter((id): id is string => id !== undefined),
      );
      expect([...catalog].sort()).toEqual(expectedDemoRuleIds().sort());
    },
  );

  it.each(Object.entries(demoRuleWitnesses()))(
    '%s fires on its witnesses (read from rules.md)',
    (ruleId, ids) => {
      const spec = SPEC[ruleId];
      expect(spec).toBeDefined();
      expect(ids.length).toBeGreaterThan(0);
      for (const id of ids) {
        const row = rowById(id);
        expect(row, id).toBeDefined();
        expect(spec?.types).toContain(lower(row?.type));
        expect(spec?.test(row as Row), `${ruleId} on ${id}`).toBe(true);
      }
    },
  );

  it('has healthy classic resources that fire only their retirement rule', () => {
    const healthy = demoHealthyClassicIds();
    expect(healthy.length).toBeGreaterThanOrEqual(4);
    for (const id of healthy) {
      const row = rowById(id) as Row;
      const firing = Object.entries(SPEC)
        .filter(([, spec]) => spec.types.includes(lower(row.type)) && spec.test(row))
        .map(([ruleId]) => ruleId);
      expect(firing, id).toHaveLength(1);
      expect(firing[0], id).toMatch(/^retirement\//);
    }
  });

  it('makes every rule registered in src/rules fire on its demo witnesses', () => {
    const rows: ResourceRow[] = [];
    for (const raw of [...tenant.resources, ...(tenant.authorizationResources ?? [])]) {
      const parsed = toResourceRow(raw);
      if (parsed.ok) rows.push(parsed.row);
    }
    const { findings, ruleErrors } = evaluate(rows, {
      rules: DEFAULT_CATALOG,
      now: new Date('2026-11-26T00:00:00Z'),
    });
    expect(ruleErrors).toEqual([]);
    const fired = new Set(findings.map((f) => `${f.ruleId} ${lower(f.resourceId)}`));
    const witnesses = demoRuleWitnesses();
    expect(DEFAULT_CATALOG.length).toBeGreaterThan(0);
    // Data-defined retirements are decided by the retirement sources: see the next test.
    for (const rule of DEFAULT_CATALOG.filter((r) => r.appliesTo.length > 0)) {
      expect(witnesses[rule.id], `demo witnesses for ${rule.id}`).toBeDefined();
      for (const id of witnesses[rule.id] ?? [])
        expect(fired.has(`${rule.id} ${lower(id)}`), `${rule.id} on ${id}`).toBe(true);
    }
  });

  it('hits modern resources with at least 10 retirements across 5 services: Automated, Manual and Service Health', () => {
    const demo = demoRetirements();
    const ids = Object.keys(demo.witnesses);
    expect(ids.length).toBeGreaterThanOrEqual(10);
    const services = new Set(
      ids.map((id) => DEFAULT_CATALOG.find((r) => r.id === id)?.retirement?.service ?? id),
    );
    expect(services.size).toBeGreaterThanOrEqual(5);
    // Automated (Advisor rows), Manual (the published query runs live), Service Health (notices).
    expect(ids.some((id) => id.startsWith('retirement/health-'))).toBe(true);
    expect(
      ids.some((id) => DEFAULT_CATALOG.find((r) => r.id === id)?.retirement?.origin === 'Manual'),
    ).toBe(true);
  });

  it('its Advisor and Service Health rows make one finding per resource and retirement', () => {
    const rows = [
      ...tenant.resources,
      ...(tenant.advisorResources ?? []),
      ...(tenant.serviceHealthResources ?? []),
    ];
    const { report } = scanExport(rows, {
      rules: DEFAULT_CATALOG,
      now: new Date('2026-11-26T00:00:00Z'),
    });
    const fired = report.findings.map((f) => `${f.ruleId} ${lower(f.resourceId)}`);
    expect(new Set(fired).size, 'one finding per resource and retirement').toBe(fired.length);
    const demo = demoRetirements();
    for (const [ruleId, resources] of Object.entries(demo.witnesses)) {
      // Manual entries' queries need Resource Graph: they run in a live scan only.
      if (DEFAULT_CATALOG.find((r) => r.id === ruleId)?.retirement?.origin === 'Manual') continue;
      for (const id of resources)
        expect(fired.includes(`${ruleId} ${lower(id)}`), `${ruleId} on ${id}`).toBe(true);
    }
    // The classic VM Advisor also reports keeps its hand-written finding only.
    const vm = demoHealthyClassicIds()[0] as string;
    expect(fired.filter((f) => f.endsWith(lower(vm)))).toEqual([
      `retirement/classic-vm ${lower(vm)}`,
    ]);
    // Upgrades, postponed and remediated rows and other events make nothing more.
    const dataFindings = report.findings.filter((f) => demo.witnesses[f.ruleId]);
    expect(dataFindings.length).toBe(
      Object.entries(demo.witnesses)
        .filter(([id]) => DEFAULT_CATALOG.find((r) => r.id === id)?.retirement?.origin !== 'Manual')
        .reduce((n, [, ids]) => n + ids.length, 0),
    );
  });
});

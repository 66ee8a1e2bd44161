// Synthetic tenants for scale tests and benchmarks: deterministic per seed, lean rows, a realistic classic mix.
import type { Tenant } from '../emulators/resource-graph/server.js';
import {
  CLASSIC_NSG,
  CLASSIC_RESERVED_IP,
  CLASSIC_STORAGE,
  CLASSIC_VM,
  CLASSIC_VNET,
  CLOUD_SERVICE,
  RESOURCE_GROUP,
  resourceId,
  ROLE_ASSIGNMENT,
  type Row,
} from './build.js';
import { createRandom, type Random } from './random.js';
import { advisorMetadataRows, noticeRow, recommendationRow, typeIdOf } from './retirements.js';

export interface SyntheticOptions {
  subscriptions: number;
  /** Exact number of rows in `resources`. */
  resources: number;
  seed?: number;
  /** Child management groups under `synthetic-root` (default 3). */
  managementGroups?: number;
}

const ROOT_MG = 'synthetic-root';
const LOCATIONS = ['westeurope', 'northeurope', 'eastus', 'westus2', 'southeastasia'] as const;
const OWNER_KEYS = ['owner', 'Owner', 'OwnerEmail', 'contact', 'CONTACT'] as const;
const TEAMS = ['apps', 'data', 'web', 'ops', 'finance', 'hr', 'render', 'legacy'] as const;

// Shared, frozen sub-objects: most rows have identical nested values, and sharing them keeps
// 200,000 rows cheap to build and to hold. Rows are never mutated in place (mutateTenant clones).
const freeze = <T>(value: T): T => deepFreeze(value);
function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

const EXT = {
  bginfo2: freeze({
    extension: 'BGInfo',
    publisher: 'Microsoft.Compute',
    version: '2.1',
    state: 'Enable',
    referenceName: 'BGInfo',
  }),
  bginfo1: freeze({
    extension: 'BGInfo',
    publisher: 'Microsoft.Compute',
    version: '1.1',
    state: 'Enable',
    referenceName: 'BGInfo',
  }),
  diagnostics: freeze({
    extension: 'IaaSDiagnostics',
    publisher: 'Microsoft.Azure.Diagnostics',
    version: '1.5',
    state: 'Enable',
    referenceName: 'IaaSDiagnostics',
  }),
  backup: freeze({
    extension: 'VMSnapshot',
    publisher: 'Microsoft.Azure.RecoveryServices',
    version: '1.0.9',
    state: 'Enable',
    referenceName: 'VMSnapshot',
  }),
  defender: freeze({
    extension: 'AzureSecurityWindowsAgent',
    publisher: 'Microsoft.Azure.Security.Monitoring',
    version: '1.0',
    state: 'Enable',
    referenceName: 'AzureSecurityWindowsAgent',
  }),
  siteRecovery: freeze({
    extension: 'WindowsAgent',
    publisher: 'Microsoft.Azure.RecoveryServices.SiteRecovery',
    version: '1.0',
    state: 'Enable',
    referenceName: 'SiteRecovery',
  }),
};
const HEALTHY_EXTENSIONS = freeze([EXT.bginfo2]);
const NO_EXTENSIONS = freeze([]);
const INSTANCE_READY = freeze({ status: 'ReadyRole', guestAgentStatus: { status: 'Ready' } });
const INSTANCE_UNKNOWN = freeze({
  status: 'RoleStateUnknown',
  guestAgentStatus: { status: 'Ready' },
});
const INSTANCE_AGENT_DOWN = freeze({
  status: 'ReadyRole',
  guestAgentStatus: { status: 'NotReady' },
});
const RDP = freeze([
  { endpointName: 'RemoteDesktop', publicPort: 3389, privatePort: 3389, protocol: 'tcp' },
]);
const RDP_WITH_ACL = freeze([
  {
    endpointName: 'RemoteDesktop',
    publicPort: 3389,
    privatePort: 3389,
    protocol: 'tcp',
    endpointAcl: { rules: [{ order: 100, action: 'permit', remoteSubnet: '203.0.113.0/24' }] },
  },
]);
const BOOT_DIAGNOSTICS_OFF = freeze({ bootDiagnosticsEnabled: false });
const NOT_IN_VNET = freeze({ inputEndpoints: RDP });
const NO_TAGS: Record<string, string> = freeze({});
const HARDWARE_PROFILES = new Map<string, Readonly<Row>>();
function hardwareProfile(availabilitySet: string | undefined): Readonly<Row> {
  const key = availabilitySet ?? '\u0000none';
  let profile = HARDWARE_PROFILES.get(key);
  if (!profile) {
    profile = freeze(
      availabilitySet === undefined
        ? { size: 'Standard_D2' }
        : { size: 'Standard_D2', availabilitySet },
    );
    HARDWARE_PROFILES.set(key, profile);
  }
  return profile;
}

/** Per-VM trigger rates: each migration rule fires on a small share of the VMs. */
const RATE = {
  endpointAcl: 0.03,
  multipleSubnets: 0.02,
  vnetWithoutSubnet: 0.01,
  bootDiagnostics: 0.04,
  defender: 0.02,
  backup: 0.04,
  agentNotReady: 0.02,
  vhdSlash: 0.01,
  roleStateUnknown: 0.01,
  bginfo1: 0.03,
  siteRecovery: 0.02,
  rbac: 0.01,
};

interface SubscriptionPlan {
  index: number;
  id: string;
  budget: number;
}

interface ClassicContext {
  sub: string;
  index: number;
  vnets: { id: string; name: string; networkProfile: Readonly<Row> }[];
  storage: { name: string; id: string; premium: boolean; ref: Readonly<Row> }[];
}

function weightsFor(random: Random, count: number): number[] {
  // Heavy-tailed, with roughly one subscription in eight left empty.
  const w: number[] = Array.from({ length: count }, () =>
    random.chance(0.125) ? 0 : random.next() ** 3 + 0.01,
  );
  if (!w.some((x) => x > 0)) w[0] = 1;
  return w;
}

/** Splits `total` into integer parts proportional to `weights` (largest remainder), summing to `total`. */
function apportion(total: number, weights: number[]): number[] {
  const sum = weights.reduce((a, b) => a + b, 0);
  const exact = weights.map((w) => (total * w) / sum);
  const parts = exact.map(Math.floor);
  let left = total - parts.reduce((a, b) => a + b, 0);
  const order = exact
    .map((x, i) => ({ i, r: x - Math.floor(x) }))
    .sort((a, b) => b.r - a.r || a.i - b.i);
  for (const { i } of order) {
    if (left <= 0) break;
    parts[i] = (parts[i] as number) + 1;
    left--;
  }
  return parts;
}

function ownerTags(random: Random, team: string): Record<string, string> | undefined {
  const roll = random.next();
  if (roll < 0.4) return undefined;
  const key = random.pick(OWNER_KEYS);
  if (roll < 0.85) return { [key]: `${team}@contoso.example` };
  if (roll < 0.95) return { [key]: `${team}@contoso.example; ${team}-lead@contoso.example` };
  return { [key]: `${team} team` }; // not an e-mail address
}

function row(
  sub: string,
  rg: string,
  type: string,
  name: string,
  location: string,
  properties: unknown,
  tags?: Record<string, string>,
  extra?: Row,
): Row {
  return {
    id: resourceId(sub, rg, type, name),
    name,
    type,
    location,
    subscriptionId: sub,
    resourceGroup: rg,
    tags: tags ?? NO_TAGS,
    properties,
    ...extra,
  };
}

/** Generates a deterministic synthetic tenant with exactly `resources` rows in `resources`. */
export function syntheticTenant(o: SyntheticOptions): Tenant {
  if (!Number.isInteger(o.subscriptions) || o.subscriptions < 1)
    throw new Error('subscriptions must be a positive integer');
  if (!Number.isInteger(o.resources) || o.resources < 0)
    throw new Error('resources must be a non-negative integer');
  const random = createRandom(o.seed ?? 1);
  const mgCount = Math.max(0, o.managementGroups ?? 3);
  const plans: SubscriptionPlan[] = apportion(o.resources, weightsFor(random, o.subscriptions)).map(
    (budget, index) => ({
      index,
      id: random.guid(),
      budget,
    }),
  );
  const subscriptions: Tenant['subscriptions'] = plans.map((p) => {
    const child =
      mgCount > 0 && random.chance(0.9)
        ? `synthetic-mg-${String(1 + (p.index % mgCount)).padStart(2, '0')}`
        : undefined;
    const team = random.pick(TEAMS);
    return {
      subscriptionId: p.id,
      displayName: `Synthetic ${team} ${String(p.index + 1).padStart(3, '0')}`,
      tags: (random.chance(0.7) ? { owner: `${team}-subscription@contoso.example` } : {}) as Record<
        string,
        string
      >,
      managementGroups: child ? [ROOT_MG, child] : [ROOT_MG],
    };
  });

  const resources: Row[] = [];
  const roleAssignments: Row[] = [];
  const classicVnetsSoFar: string[] = [];
  for (const plan of plans) {
    generateSubscription(random, plan, resources, roleAssignments, classicVnetsSoFar);
  }
  const retirements = retirementRowsOf(
    resources,
    subscriptions,
    createRandom((o.seed ?? 1) + 7919),
  );
  return {
    subscriptions,
    resources,
    resourceGroups: resourceGroupsOf(resources, random),
    authorizationResources: roleAssignments,
    advisorResources: retirements.advisor,
    serviceHealthResources: retirements.health,
  };
}

/** Advisor retirement recommendations on a share of the modern resources, and Service Health notices. */
function retirementRowsOf(
  resources: readonly Row[],
  subscriptions: Tenant['subscriptions'],
  random: Random,
): { advisor: Row[]; health: Row[] } {
  const advisor: Row[] = advisorMetadataRows();
  const health: Row[] = [];
  const hits: Record<string, { share: number; feature: string; date: string }> = {
    'microsoft.network/publicipaddresses': {
      share: 0.3,
      feature: 'Basic SKU public IP addresses',
      date: '2025-09-30',
    },
    'microsoft.compute/virtualmachines': {
      share: 0.2,
      feature: 'Unmanaged disks',
      date: '2026-03-31',
    },
    'microsoft.storage/storageaccounts': {
      share: 0.25,
      feature: 'TLS 1.0 and 1.1',
      date: '2026-02-03',
    },
    'microsoft.web/hostingenvironments': {
      share: 1,
      feature: 'App Service Environment v1 and v2',
      date: '2024-08-31',
    },
  };
  for (const r of resources) {
    const hit = hits[String(r.type)];
    if (!hit || random.next() >= hit.share) continue;
    advisor.push(recommendationRow(String(r.id), typeIdOf(hit.feature), hit.feature, hit.date));
    // Now and then an upgrade that retires nothing on the same resource.
    if (random.next() < 0.05)
      advisor.push(recommendationRow(String(r.id), typeIdOf(hit.feature), 'N/A', ''));
  }
  for (const s of subscriptions) {
    if (random.next() >= 0.1) continue;
    health.push(
      noticeRow(s.subscriptionId, {
        trackingId: 'ZK3N-8RT',
        title: 'Support for the in-process model for .NET apps in Azure Functions ends',
        service: 'Functions',
        date: '2026-11-10',
      }),
    );
  }
  return { advisor, health };
}

function generateSubscription(
  random: Random,
  plan: SubscriptionPlan,
  out: Row[],
  roles: Row[],
  classicVnetsSoFar: string[],
): void {
  const n = plan.budget;
  const sub = plan.id;
  const tag = plan.index.toString(36);
  const location = random.pick(LOCATIONS);
  const start = out.length;
  roles.push(roleAssignment(random, `/subscriptions/${sub}`, sub, ''));
  if (n === 0) return;

  // Small subscriptions: a few ARM resources and a standalone classic storage account.
  if (n < 12) {
    out.push(storageRow(sub, `st${tag}x0`, false, location));
    while (out.length - start < n)
      out.push(otherArm(random, sub, tag, out.length - start, location, classicVnetsSoFar));
    return;
  }

  const count = {
    vnets: Math.max(1, Math.floor(n * 0.01)),
    storage: Math.max(1, Math.floor(n * 0.015)),
    reservedIps: Math.floor(n * 0.01),
    nsgs: Math.floor(n * 0.005),
    armVnets: Math.floor(n * 0.005),
    extendedSupport: Math.floor(n * 0.002),
    serverFarms: Math.floor(n * 0.005),
    otherArm: Math.floor(n * 0.1),
  };
  const fixed = Object.values(count).reduce((a, b) => a + b, 0);
  const rest = n - fixed; // cloud services and their VMs
  const cloudServices = Math.max(1, Math.ceil(rest / 7));
  const vms = rest - cloudServices;

  const ctx: ClassicContext = { sub, index: plan.index, vnets: [], storage: [] };
  for (let k = 0; k < count.vnets; k++) {
    const name = `vnet-${tag}-${k}`;
    const id = resourceId(sub, 'Default-Networking', CLASSIC_VNET, name);
    ctx.vnets.push({
      id,
      name,
      networkProfile: freeze({
        inputEndpoints: RDP,
        virtualNetwork: { id, name, subnetNames: ['default'], type: CLASSIC_VNET },
      }),
    });
    out.push(
      row(
        sub,
        'Default-Networking',
        CLASSIC_VNET,
        name,
        location,
        { status: 'Created', subnets: [{ name: 'default' }, { name: 'app' }] },
        ownerTags(random, 'network'),
      ),
    );
    classicVnetsSoFar.push(id);
  }
  for (let k = 0; k < count.storage; k++) {
    const premium = random.chance(0.1);
    const name = `st${tag}c${k}`;
    ctx.storage.push({
      name,
      id: resourceId(sub, 'Default-Storage', CLASSIC_STORAGE, name),
      premium,
      ref: freeze({ name }),
    });
    out.push(storageRow(sub, name, premium, location));
  }
  for (let k = 0; k < count.reservedIps; k++) {
    out.push(
      row(sub, 'Default-Networking', CLASSIC_RESERVED_IP, `rip-${tag}-${k}`, location, {
        inUse: random.chance(0.7),
        ipAddress: `198.51.${k % 256}.${plan.index % 256}`,
      }),
    );
  }
  for (let k = 0; k < count.nsgs; k++) {
    out.push(
      row(sub, 'Default-Networking', CLASSIC_NSG, `nsg-${tag}-${k}`, location, { rules: [] }),
    );
  }
  for (let k = 0; k < count.armVnets; k++) {
    const peerings: Row[] = [];
    if (random.chance(0.3)) peerings.push(peering(random.pick(ctx.vnets).id));
    // Occasionally peered to a classic VNet of another subscription.
    if (classicVnetsSoFar.length > ctx.vnets.length && random.chance(0.1))
      peerings.push(peering(random.pick(classicVnetsSoFar)));
    out.push(
      row(
        sub,
        'rg-network',
        'microsoft.network/virtualnetworks',
        `vnet-arm-${tag}-${k}`,
        location,
        { virtualNetworkPeerings: peerings },
      ),
    );
  }
  for (let k = 0; k < count.extendedSupport; k++) {
    out.push(
      row(
        sub,
        'rg-cses',
        'microsoft.compute/cloudservices',
        `cses-${tag}-${k}`,
        location,
        { provisioningState: 'Succeeded' },
        ownerTags(random, 'web'),
      ),
    );
  }
  for (let k = 0; k < count.serverFarms; k++) {
    const linuxDynamic = random.chance(0.3);
    out.push(
      row(
        sub,
        'rg-functions',
        'microsoft.web/serverfarms',
        `plan-${tag}-${k}`,
        location,
        { reserved: linuxDynamic },
        ownerTags(random, 'apps'),
        {
          kind: linuxDynamic ? 'functionapp,linux' : random.pick(['functionapp', 'app', 'linux']),
          sku: linuxDynamic ? { name: 'Y1', tier: 'Dynamic' } : { name: 'P1v3', tier: 'PremiumV3' },
        },
      ),
    );
  }

  // Cloud services and their VMs. VNet choice is skewed so the first VNet of a big subscription
  // passes 400 VMs (classic/vnet-many-vms) while the rest stay small.
  const vmsPer = apportion(
    vms,
    Array.from({ length: cloudServices }, () => 0.2 + random.next()),
  );
  const classicIds: string[] = [];
  for (let c = 0; c < cloudServices; c++) {
    const csName = `cs-${tag}-${c}`;
    const paas = random.chance(0.05);
    const inVnet = random.chance(0.9);
    const vnet = inVnet ? (random.chance(0.3) ? ctx.vnets[0] : random.pick(ctx.vnets)) : undefined;
    const avsetMode = random.next(); // < .7 none, < .9 one set, < .95 two sets, else mixed
    const team = random.pick(TEAMS);
    const csId = resourceId(sub, csName, CLOUD_SERVICE, csName);
    const csTags = ownerTags(random, team);
    const domainName = freeze({ id: csId, name: csName });
    const roleNames: { name: string; roleType: string }[] = [];
    const vmCount = vmsPer[c] as number;
    if (paas) {
      roleNames.push(
        { name: 'WebRole1', roleType: 'WebRole' },
        { name: 'WorkerRole1', roleType: 'WorkerRole' },
      );
    }
    for (let v = 0; v < vmCount; v++) {
      const name = `vm-${tag}-${c}-${v}`;
      roleNames.push({ name, roleType: 'PersistentVMRole' });
      const avset =
        avsetMode < 0.7
          ? undefined
          : avsetMode < 0.9
            ? 'avset-1'
            : avsetMode < 0.95
              ? `avset-${v % 2}`
              : v % 2 === 0
                ? 'avset-1'
                : '';
      const vm = classicVm(random, ctx, {
        name,
        csName,
        domainName,
        vnet,
        avset,
        location,
        tags: csTags,
      });
      classicIds.push(vm.id as string);
      out.push(vm);
    }
    out.push(
      row(
        sub,
        csName,
        CLOUD_SERVICE,
        csName,
        location,
        {
          status: 'Created',
          roles: roleNames,
          ...(vnet ? { virtualNetwork: { id: vnet.id } } : {}),
        },
        csTags,
      ),
    );
    classicIds.push(csId);
  }
  // Unrelated ARM resources, a few of them pointing at classic VNets or watching classic resources.
  const vnetIds = ctx.vnets.map((v) => v.id);
  for (let k = 0; k < count.otherArm; k++)
    out.push(otherArm(random, sub, tag, k, location, vnetIds, classicIds));
  // Role assignments on a few classic resources.
  for (const id of classicIds) {
    if (random.chance(RATE.rbac))
      roles.push(roleAssignment(random, id, sub, id.split('/')[4] ?? ''));
  }
  if (out.length - start !== n)
    throw new Error(`synthetic generator bug: ${out.length - start} rows for a budget of ${n}`);
}

function peering(remote: string): Row {
  return {
    name: `to-${remote.split('/').pop() ?? 'remote'}`,
    properties: { peeringState: 'Connected', remoteVirtualNetwork: { id: remote } },
  };
}

function storageRow(sub: string, name: string, premium: boolean, location: string): Row {
  return row(sub, 'Default-Storage', CLASSIC_STORAGE, name, location, {
    accountType: premium ? 'Premium-LRS' : 'Standard-GRS',
    status: 'Created',
  });
}

function otherArm(
  random: Random,
  sub: string,
  tag: string,
  k: number,
  location: string,
  classicVnets: readonly string[],
  classicIds: readonly string[] = [],
): Row {
  const roll = random.next();
  const rg = `rg-${random.pick(TEAMS)}`;
  const tags = ownerTags(random, rg.slice(3));
  if (roll < 0.05 && classicIds.length > 0) {
    // Classic alert rules and autoscale settings that the migration drops.
    const target = random.pick(classicIds);
    return target.includes('/domainNames/')
      ? row(
          sub,
          rg,
          'microsoft.insights/autoscalesettings',
          `autoscale-${tag}-${k}`,
          location,
          { targetResourceUri: target },
          tags,
        )
      : row(
          sub,
          rg,
          'microsoft.insights/alertrules',
          `alert-${tag}-${k}`,
          location,
          { condition: { dataSource: { resourceUri: target } } },
          tags,
        );
  }
  if (roll < 0.01 && classicVnets.length > 0) {
    const vnet = random.pick(classicVnets);
    return row(
      sub,
      rg,
      'microsoft.apimanagement/service',
      `apim-${tag}-${k}`,
      location,
      { virtualNetworkConfiguration: { subnetResourceId: `${vnet}/subnets/default` } },
      tags,
    );
  }
  if (roll < 0.015 && classicVnets.length > 0) {
    return row(
      sub,
      rg,
      'microsoft.web/hostingenvironments',
      `ase-${tag}-${k}`,
      location,
      { virtualNetwork: { id: random.pick(classicVnets) } },
      tags,
      { kind: 'ASEV1' },
    );
  }
  if (roll < 0.02 && classicVnets.length > 0) {
    const vnet = random.pick(classicVnets);
    return row(
      sub,
      rg,
      'microsoft.hdinsight/clusters',
      `hdi-${tag}-${k}`,
      location,
      { computeProfile: { roles: [{ name: 'headnode', virtualNetworkProfile: { id: vnet } }] } },
      tags,
    );
  }
  const kinds = [
    ['microsoft.compute/virtualmachines', 'vm'],
    ['microsoft.storage/storageaccounts', 'st'],
    ['microsoft.network/networkinterfaces', 'nic'],
    ['microsoft.network/publicipaddresses', 'pip'],
    ['microsoft.keyvault/vaults', 'kv'],
    ['microsoft.web/sites', 'app'],
    ['microsoft.compute/disks', 'disk'],
  ] as const;
  const [type, prefix] = random.pick(kinds);
  return row(sub, rg, type, `${prefix}${tag}x${k}`, location, {}, tags);
}

function classicVm(
  random: Random,
  ctx: ClassicContext,
  v: {
    name: string;
    csName: string;
    domainName: Readonly<Row>;
    vnet: ClassicContext['vnets'][number] | undefined;
    avset: string | undefined;
    location: string;
    tags: Record<string, string> | undefined;
  },
): Row {
  const account = random.pick(ctx.storage);
  const extensions: unknown[] = [];
  if (random.chance(0.6)) extensions.push(random.chance(RATE.bginfo1) ? EXT.bginfo1 : EXT.bginfo2);
  if (random.chance(RATE.backup)) extensions.push(EXT.backup);
  if (random.chance(RATE.defender)) extensions.push(EXT.defender);
  if (random.chance(RATE.siteRecovery)) extensions.push(EXT.siteRecovery);
  let instanceView: unknown = INSTANCE_READY;
  if (random.chance(RATE.roleStateUnknown)) instanceView = INSTANCE_UNKNOWN;
  else if (extensions.length > 0 && random.chance(RATE.agentNotReady))
    instanceView = INSTANCE_AGENT_DOWN;

  const acl = random.chance(RATE.endpointAcl);
  let networkProfile: Readonly<Row> = v.vnet ? v.vnet.networkProfile : NOT_IN_VNET;
  if (v.vnet) {
    const { id, name } = v.vnet;
    if (random.chance(RATE.multipleSubnets))
      networkProfile = {
        ...networkProfile,
        virtualNetwork: { id, name, subnetNames: ['default', 'app'], type: CLASSIC_VNET },
      };
    else if (random.chance(RATE.vnetWithoutSubnet))
      networkProfile = {
        ...networkProfile,
        virtualNetwork: { id, name, subnetNames: [], type: CLASSIC_VNET },
      };
  }
  if (acl) networkProfile = { ...networkProfile, inputEndpoints: RDP_WITH_ACL };
  const blob = random.chance(RATE.vhdSlash) ? `legacy/${v.name}-os.vhd` : `${v.name}-os.vhd`;
  const diag = random.chance(RATE.bootDiagnostics) ? random.pick(ctx.storage).name : undefined;
  const properties = {
    domainName: v.domainName,
    hardwareProfile: hardwareProfile(v.avset),
    networkProfile,
    extensions:
      extensions.length === 0
        ? NO_EXTENSIONS
        : extensions.length === 1 && extensions[0] === EXT.bginfo2
          ? HEALTHY_EXTENSIONS
          : extensions,
    debugProfile: diag
      ? {
          bootDiagnosticsEnabled: true,
          serialOutputBlobUri: `https://${diag}.blob.core.windows.net/bootdiagnostics/${v.name}.serialconsole.log`,
        }
      : BOOT_DIAGNOSTICS_OFF,
    instanceView,
    storageProfile: {
      operatingSystemDisk: {
        vhdUri: `https://${account.name}.blob.core.windows.net/vhds/${blob}`,
        storageAccount: account.ref,
      },
    },
  };
  return row(ctx.sub, v.csName, CLASSIC_VM, v.name, v.location, properties, v.tags);
}

function roleAssignment(random: Random, scope: string, sub: string, rg: string): Row {
  const name = random.guid();
  return {
    id: `${scope}/providers/Microsoft.Authorization/roleAssignments/${name}`,
    name,
    type: ROLE_ASSIGNMENT,
    subscriptionId: sub,
    resourceGroup: rg,
    properties: {
      scope,
      principalId: random.guid(),
      principalType: 'User',
      roleDefinitionId: `/subscriptions/${sub}/providers/Microsoft.Authorization/roleDefinitions/b24988ac-6180-42a0-ab88-20f7382dd24c`,
    },
  };
}

function resourceGroupsOf(resources: readonly Row[], random: Random): Row[] {
  // Nested maps: a concatenated key per row would cost more than the rows themselves.
  const seen = new Map<string, Set<string>>();
  const out: Row[] = [];
  for (const r of resources) {
    const sub = r.subscriptionId as string;
    const rg = r.resourceGroup as string;
    let groups = seen.get(sub);
    if (!groups) seen.set(sub, (groups = new Set()));
    if (groups.has(rg)) continue;
    groups.add(rg);
    out.push({
      id: `/subscriptions/${sub}/resourceGroups/${rg}`,
      name: rg,
      type: RESOURCE_GROUP,
      location: r.location,
      subscriptionId: sub,
      resourceGroup: rg,
      tags: ownerTags(random, rg) ?? {},
      properties: { provisioningState: 'Succeeded' },
    });
  }
  return out;
}

/**
 * A changed copy of a tenant for soak tests: about `fraction` of the resources are touched, a
 * third each removed, added (copies of existing classic VMs under new names) and changed so a
 * rule starts or stops firing. The input is not modified.
 */
export function mutateTenant(t: Tenant, o: { seed: number; fraction: number }): Tenant {
  if (!(o.fraction >= 0 && o.fraction <= 1)) throw new Error('fraction must be in [0, 1]');
  const random = createRandom(o.seed);
  const touched = Math.round(t.resources.length * o.fraction);
  const removeCount = Math.floor(touched / 3);
  const addCount = Math.floor(touched / 3);
  const changeCount = touched - removeCount - addCount;

  // Storage accounts and VNets stay, so the copy keeps its references mostly consistent.
  const removable = (r: Row): boolean => r.type !== CLASSIC_STORAGE && r.type !== CLASSIC_VNET;
  const resources = [...t.resources];
  const removed = new Set<string>();
  for (let i = 0; i < removeCount * 4 && removed.size < removeCount && resources.length > 0; i++) {
    const at = random.int(0, resources.length - 1);
    const r = resources[at] as Row;
    if (!removable(r)) continue;
    removed.add(String(r.id).toLowerCase());
    resources[at] = resources[resources.length - 1] as Row;
    resources.pop();
  }

  const vmIndexes = (): number[] =>
    resources.flatMap((r, i) => (String(r.type).toLowerCase() === CLASSIC_VM ? [i] : []));
  let vms = vmIndexes();
  for (let i = 0; i < changeCount && vms.length > 0; i++) {
    const at = random.pick(vms);
    const r = structuredClone(resources[at] as Row);
    toggleTrigger(random, r);
    resources[at] = r;
  }
  vms = vmIndexes();
  for (let i = 0; i < addCount && vms.length > 0; i++) {
    const source = resources[random.pick(vms)] as Row;
    const copy = structuredClone(source);
    const name = `${String(source.name)}-m${o.seed}-${i}`;
    copy.name = name;
    copy.id = `${String(source.id).slice(0, String(source.id).lastIndexOf('/') + 1)}${name}`;
    toggleTrigger(random, copy);
    resources.push(copy);
  }

  return {
    subscriptions: t.subscriptions.map((s) => ({ ...s })),
    resources,
    resourceGroups: [...(t.resourceGroups ?? [])],
    authorizationResources: (t.authorizationResources ?? []).filter((a) => {
      const scope = (a.properties as { scope?: unknown } | undefined)?.scope;
      return typeof scope !== 'string' || !removed.has(scope.toLowerCase());
    }),
    // Advisor stops recommending for a removed resource; Service Health notices stay as they were.
    advisorResources: (t.advisorResources ?? []).filter((a) => {
      const target = (a.properties as { resourceMetadata?: { resourceId?: unknown } } | undefined)
        ?.resourceMetadata?.resourceId;
      return typeof target !== 'string' || !removed.has(target.toLowerCase());
    }),
    serviceHealthResources: [...(t.serviceHealthResources ?? [])],
  };
}

/** Flips one rule trigger on a (cloned) classic VM row. */
function toggleTrigger(random: Random, vm: Row): void {
  const p = vm.properties as Record<string, Record<string, unknown>>;
  const network = (p.networkProfile ??= {});
  switch (random.int(0, 3)) {
    case 0: {
      const acl = JSON.stringify(network.inputEndpoints ?? []).includes('endpointAcl');
      network.inputEndpoints = structuredClone(acl ? RDP : RDP_WITH_ACL) as unknown as Record<
        string,
        unknown
      >;
      break;
    }
    case 1: {
      const view = (p.instanceView ??= {});
      view.status = view.status === 'RoleStateUnknown' ? 'ReadyRole' : 'RoleStateUnknown';
      break;
    }
    case 2: {
      const list = Array.isArray(p.extensions) ? (p.extensions as Row[]) : [];
      const has = list.some((e) => e.extension === 'VMSnapshot');
      (p as Record<string, unknown>).extensions = has
        ? list.filter((e) => e.extension !== 'VMSnapshot')
        : [...list, { ...EXT.backup }];
      break;
    }
    default: {
      const vnet = network.virtualNetwork as Row | undefined;
      if (vnet) {
        const names = Array.isArray(vnet.subnetNames) ? vnet.subnetNames : [];
        network.virtualNetwork = {
          ...vnet,
          subnetNames: names.length > 1 ? ['default'] : ['default', 'app'],
        };
      } else {
        p.hardwareProfile = {
          ...p.hardwareProfile,
          availabilitySet: p.hardwareProfile?.availabilitySet ? '' : 'avset-1',
        };
      }
    }
  }
}

// The tenant's classic-to-ARM migration as units the platform migrates together, in an order that works, with
// the blockers that stop each one. The four scopes are those of Microsoft's "Platform-supported migration of IaaS
// resources from classic to Azure Resource Manager" (VMs not in a virtual network, VMs in a virtual network,
// storage accounts, unattached resources).
import type { Finding } from './finding.js';
import type { ResourceRow } from './resource.js';
import type { ScanIndex } from './scan-index.js';
import { CLASSIC_VM, vmCloudServiceId, vmVirtualNetwork } from '../rules/views/classic-vm.js';
import { classicVmsIn, CLASSIC_NSG, CLASSIC_VNET } from '../rules/views/classic-vnet.js';
import { cloudService, CLOUD_SERVICE } from '../rules/views/cloud-service.js';
import { CLASSIC_STORAGE } from '../rules/views/classic-storage.js';
import { classicVmIndex } from '../rules/views/classic-vm-index.js';
import { classicVnetKey, resourceKey } from '../rules/views/ids.js';
import { itemsOf } from '../rules/views/lookup.js';
import { RESERVED_IP, reservedIp } from '../rules/views/reserved-ip.js';

export type MigrationScope = 'vms-outside-vnet' | 'vnet' | 'storage' | 'unattached';

export const SCOPE_TITLES: Record<MigrationScope, string> = {
  'vms-outside-vnet': 'VMs not in a virtual network (their cloud service)',
  vnet: 'a virtual network with every cloud service and VM in it',
  storage: 'a storage account',
  unattached: 'an unattached resource',
};

export interface PlanResource {
  readonly id: string;
  readonly name: string;
  readonly type: string;
}

export interface MigrationStep {
  readonly step: 'validate' | 'prepare' | 'commit' | 'abort';
  /** Microsoft's classic Azure CLI (ASM mode), where it has the command. */
  readonly cli?: string | undefined;
  /** Azure PowerShell (the Service Management module). */
  readonly powershell: string;
}

export interface MigrationUnit {
  /** The unit's own id: the cloud service, VNet, storage account or unattached resource it is named after. */
  readonly id: string;
  readonly name: string;
  readonly scope: MigrationScope;
  readonly subscriptionId: string;
  readonly resourceGroup: string;
  /** What moves with it. */
  readonly resources: readonly PlanResource[];
  /** Migration blockers of any of its resources: the platform refuses the unit until they are gone. */
  readonly blockers: readonly Finding[];
  /** What else changes for it: downtime, settings that are dropped, things to redo afterwards. */
  readonly changes: readonly string[];
  /** Units that must be migrated first (the VMs whose disks a storage account holds). */
  readonly after: readonly string[];
  /** 1-based position in the plan. */
  readonly order: number;
  /** True when nothing blocks it, nor any unit it must wait for. */
  readonly ready: boolean;
  readonly steps: readonly MigrationStep[];
}

export interface MigrationPlan {
  readonly units: readonly MigrationUnit[];
  /** Classic resources the plan could not place, and why (a row without properties says nothing of its network). */
  readonly undecided: readonly { readonly resource: PlanResource; readonly reason: string }[];
}

/** The public pages the steps come from. */
export const PLAN_SOURCES = [
  'https://learn.microsoft.com/azure/virtual-machines/migration-classic-resource-manager-overview',
  'https://learn.microsoft.com/azure/virtual-machines/migration-classic-resource-manager-ps',
  'https://learn.microsoft.com/azure/virtual-machines/migration-classic-resource-manager-cli',
] as const;

const SCOPE_RANK: Record<MigrationScope, number> = {
  vnet: 0,
  'vms-outside-vnet': 1,
  unattached: 2,
  storage: 3,
};

/** A single-quoted POSIX shell word. */
function sh(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/** A single-quoted PowerShell string. */
function ps(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

function stepsOf(scope: MigrationScope, type: string, name: string): MigrationStep[] {
  const verbs = ['validate', 'prepare', 'commit', 'abort'] as const;
  const title = (v: string) => `${v[0]?.toUpperCase()}${v.slice(1)}`;
  switch (scope) {
    case 'vms-outside-vnet':
      // Resource Graph does not carry the deployment name: PowerShell reads it, the CLI takes it as written.
      return verbs.map((v) => ({
        step: v,
        cli: `azure service deployment ${v}-migration ${sh(name)} <deployment>${v === 'validate' || v === 'prepare' ? ` new "" "" ""` : ''}`,
        powershell: `Move-AzureService -${title(v)} -ServiceName ${ps(name)} -DeploymentName (Get-AzureDeployment -ServiceName ${ps(name)}).DeploymentName${v === 'validate' || v === 'prepare' ? ' -CreateNewVirtualNetwork' : ''}`,
      }));
    case 'vnet':
      return verbs.map((v) => ({
        step: v,
        cli: `azure network vnet ${v}-migration ${sh(name)}`,
        powershell: `Move-AzureVirtualNetwork -${title(v)} -VirtualNetworkName ${ps(name)}`,
      }));
    case 'storage':
      return verbs.map((v) => ({
        step: v,
        cli: `azure storage account ${v}-migration ${sh(name)}`,
        powershell: `Move-AzureStorageAccount -${title(v)} -StorageAccountName ${ps(name)}`,
      }));
    case 'unattached': {
      const cmdlet =
        type === RESERVED_IP
          ? `Move-AzureReservedIP -{v} -ReservedIPName ${ps(name)}`
          : `Move-AzureNetworkSecurityGroup -{v} -NetworkSecurityGroupName ${ps(name)}`;
      return verbs.map((v) => ({ step: v, powershell: cmdlet.replace('{v}', title(v)) }));
    }
  }
}

const CHANGES: Record<MigrationScope, string> = {
  'vms-outside-vnet':
    'downtime: the platform stops, deallocates and restarts the VMs, and puts them in a new (or an existing) virtual network',
  vnet: 'no data-plane downtime for most configurations (only metadata moves); management operations are not allowed while the migration runs',
  storage:
    'classic images and disks are no longer listed afterwards; their VHD blobs stay in the account',
  unattached: 'moves on its own',
};

const NSG_NOTE =
  'if Validate finds it attached to a virtual network or VM, it moves with that unit instead (Resource Graph does not say what a classic NSG is attached to)';

function resourceOf(row: ResourceRow): PlanResource {
  return { id: row.id, name: row.name, type: row.type };
}

/**
 * Builds the plan from the classic rows of an evaluation (with every row the rules read in `index`) and the
 * findings of that evaluation. Pure: the same rows and findings give the same plan.
 */
export function planMigration(index: ScanIndex, findings: readonly Finding[]): MigrationPlan {
  const byResource = new Map<string, Finding[]>();
  for (const f of findings) {
    if (!f.ruleId.startsWith('classic/')) continue;
    const key = resourceKey(f.resourceId);
    const list = byResource.get(key);
    if (list) list.push(f);
    else byResource.set(key, [f]);
  }
  const units: Omit<MigrationUnit, 'order' | 'ready'>[] = [];
  const unitOfVm = new Map<string, string>();
  const undecided: { resource: PlanResource; reason: string }[] = [];
  const placedServices = new Set<string>();

  const unit = (
    anchor: ResourceRow,
    scope: MigrationScope,
    members: readonly ResourceRow[],
    after: readonly string[] = [],
    note?: string,
  ) => {
    const seen = new Set<string>();
    const resources: PlanResource[] = [];
    for (const r of [anchor, ...members]) {
      const key = resourceKey(r.id);
      if (seen.has(key)) continue;
      seen.add(key);
      resources.push(resourceOf(r));
    }
    const own = resources.flatMap((r) => byResource.get(resourceKey(r.id)) ?? []);
    units.push({
      id: anchor.id,
      name: anchor.name,
      scope,
      subscriptionId: anchor.subscriptionId,
      resourceGroup: anchor.resourceGroup,
      resources,
      blockers: own.filter((f) => f.severity === 'blocker'),
      changes: [
        CHANGES[scope],
        ...(note ? [note] : []),
        ...own.filter((f) => f.severity !== 'blocker').map((f) => f.message),
      ],
      after,
      steps: stepsOf(scope, anchor.type, anchor.name),
    });
  };

  // VMs in a virtual network: the network with every cloud service and VM in it.
  const services = new Map(index.ofType(CLOUD_SERVICE).map((s) => [resourceKey(s.id), s]));
  for (const vnet of index.ofType(CLASSIC_VNET)) {
    const vms = classicVmsIn(index, vnet);
    const key = classicVnetKey(vnet.id) ?? resourceKey(vnet.id);
    const members: ResourceRow[] = [];
    for (const vm of vms) {
      const service = services.get(resourceKey(vmCloudServiceId(vm) ?? ''));
      if (service) {
        members.push(service);
        placedServices.add(resourceKey(service.id));
      }
      members.push(vm);
      unitOfVm.set(resourceKey(vm.id), vnet.id);
    }
    // Cloud services (web and worker roles) deployed into the network move with it too.
    for (const service of services.values()) {
      const ref = cloudService(service).virtualNetworkId;
      if (ref !== undefined && classicVnetKey(ref) === key) {
        members.push(service);
        placedServices.add(resourceKey(service.id));
      }
    }
    unit(vnet, 'vnet', members);
  }

  // VMs not in a virtual network: their cloud service moves on its own.
  const outside = new Map<string, ResourceRow[]>();
  for (const vm of index.ofType(CLASSIC_VM)) {
    if (unitOfVm.has(resourceKey(vm.id))) continue;
    const virtualNetwork = vmVirtualNetwork(vm);
    // undefined: unknown (no properties); null: the properties say it is in none.
    if (virtualNetwork === undefined) {
      undecided.push({
        resource: resourceOf(vm),
        reason: 'the row has no properties: whether it is in a virtual network is unknown',
      });
      continue;
    }
    if (virtualNetwork !== null) {
      undecided.push({
        resource: resourceOf(vm),
        reason: 'its virtual network is not among the scanned resources',
      });
      continue;
    }
    const serviceKey = resourceKey(vmCloudServiceId(vm) ?? vm.id);
    const list = outside.get(serviceKey);
    if (list) list.push(vm);
    else outside.set(serviceKey, [vm]);
  }
  for (const [serviceKey, vms] of outside) {
    const service = services.get(serviceKey);
    const anchor = service ?? (vms[0] as ResourceRow);
    if (service) placedServices.add(serviceKey);
    unit(anchor, 'vms-outside-vnet', vms);
    for (const vm of vms) unitOfVm.set(resourceKey(vm.id), anchor.id);
  }

  // Storage accounts, after the units of the VMs whose disks they hold.
  const disks = classicVmIndex(index).byDiskAccount;
  for (const account of index.ofType(CLASSIC_STORAGE)) {
    const holders = itemsOf(disks, account.name.toLowerCase());
    const after = [
      ...new Set(holders.map((vm) => unitOfVm.get(resourceKey(vm.id))).filter((u) => u)),
    ] as string[];
    unit(account, 'storage', [], after);
  }

  // Unattached reserved IPs and network security groups.
  for (const ip of index.ofType(RESERVED_IP)) {
    const inUse = reservedIp(ip).inUse;
    if (inUse === false) unit(ip, 'unattached', []);
    else if (inUse === undefined)
      undecided.push({
        resource: resourceOf(ip),
        reason: 'whether it is in use is unknown (no properties.inUse)',
      });
    // In use: it moves with the cloud service that holds it.
  }
  // Resource Graph does not say what a classic NSG is attached to: each is planned on its own, and says so.
  for (const nsg of index.ofType(CLASSIC_NSG)) unit(nsg, 'unattached', [], [], NSG_NOTE);

  return { units: order(units), undecided };
}

/** Units nothing blocks come first; a storage account waits for the units of its VMs. */
function order(units: Omit<MigrationUnit, 'order' | 'ready'>[]): MigrationUnit[] {
  const byId = new Map(units.map((u) => [u.id, u]));
  const blocked = (u: Omit<MigrationUnit, 'order' | 'ready'>): boolean =>
    u.blockers.length > 0 ||
    u.after.some((id) => {
      const dep = byId.get(id);
      return dep !== undefined && dep !== u && dep.blockers.length > 0;
    });
  const sorted = [...units].sort(
    (a, b) =>
      Number(blocked(a)) - Number(blocked(b)) ||
      SCOPE_RANK[a.scope] - SCOPE_RANK[b.scope] ||
      a.blockers.length - b.blockers.length ||
      cmp(a.subscriptionId, b.subscriptionId) ||
      cmp(a.name.toLowerCase(), b.name.toLowerCase()) ||
      cmp(a.id.toLowerCase(), b.id.toLowerCase()),
  );
  return sorted.map((u, i) => ({ ...u, order: i + 1, ready: !blocked(u) }));
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

// Where classic VMs are (cloud service, VNet, storage accounts), indexed in one pass per scan index.
import type { ResourceRow } from '../../core/resource.js';
import type { ScanIndex } from '../../core/scan-index.js';
import { CLASSIC_VM, vmCloudServiceId, vmDiskAccountKeys, vmVirtualNetwork } from './classic-vm.js';
import { classicVnetKey, resourceKey } from './ids.js';
import type { Lookup } from './lookup.js';

export interface ClassicVmIndex {
  /** By `resourceKey` of `domainName.id`. */
  readonly byCloudService: Lookup<ResourceRow>;
  /** By classic VNet key of `networkProfile.virtualNetwork.id`. */
  readonly byVnetId: Lookup<ResourceRow>;
  /** VMs whose VNet reference has a name but no id, by `vnetNameKey(subscription, name)`. */
  readonly byVnetName: Lookup<ResourceRow>;
  /** By lower-cased storage account of any of its disks; a VM appears once per account. */
  readonly byDiskAccount: Lookup<ResourceRow>;
  /** VMs whose disks are unknown (rows without `properties`): they may hold disks in any account. */
  readonly withUnknownDisks: readonly ResourceRow[];
  /** The number of disks (OS and data, of every VM) by lower-cased storage account. */
  readonly diskCount: ReadonlyMap<string, number>;
}

export function vnetNameKey(subscriptionId: string, name: string): string {
  return `${subscriptionId.toLowerCase()}|${name.toLowerCase()}`;
}

function add(map: Map<string, ResourceRow[]>, key: string, vm: ResourceRow): void {
  const items = map.get(key);
  if (items) items.push(vm);
  else map.set(key, [vm]);
}

/**
 * A key function that remembers its last input: the VMs of one cloud service or VNet tend to come one after the
 * other, and comparing an id with the last one costs less than lower-casing it and hashing the new key.
 */
function lastKeyed(keyOf: (id: string) => string): (id: string) => string {
  let lastId: string | undefined;
  let lastKey = '';
  return (id) => {
    if (id !== lastId) {
      lastKey = keyOf(id);
      lastId = id;
    }
    return lastKey;
  };
}

const vnetKeyOf = (id: string): string => classicVnetKey(id) ?? resourceKey(id);

// One walk over the classic VMs instead of one per lookup, reading only the fields it indexes.
function build(index: ScanIndex): ClassicVmIndex {
  const byCloudService = new Map<string, ResourceRow[]>();
  const byVnetId = new Map<string, ResourceRow[]>();
  const byVnetName = new Map<string, ResourceRow[]>();
  const byDiskAccount = new Map<string, ResourceRow[]>();
  const withUnknownDisks: ResourceRow[] = [];
  const diskCount = new Map<string, number>();
  const serviceKey = lastKeyed(resourceKey);
  const vnetKey = lastKeyed(vnetKeyOf);
  for (const vm of index.ofType(CLASSIC_VM)) {
    const cloudServiceId = vmCloudServiceId(vm);
    if (cloudServiceId !== undefined) add(byCloudService, serviceKey(cloudServiceId), vm);
    const vnet = vmVirtualNetwork(vm);
    if (vnet?.id !== undefined) add(byVnetId, vnetKey(vnet.id), vm);
    else if (vnet?.name !== undefined)
      add(byVnetName, vnetNameKey(vm.subscriptionId, vnet.name), vm);
    const accounts = vmDiskAccountKeys(vm);
    if (accounts === undefined) {
      withUnknownDisks.push(vm);
      continue;
    }
    for (let i = 0; i < accounts.length; i++) {
      const key = accounts[i] as string;
      diskCount.set(key, (diskCount.get(key) ?? 0) + 1);
      if (accounts.indexOf(key) === i) add(byDiskAccount, key, vm);
    }
  }
  return { byCloudService, byVnetId, byVnetName, byDiskAccount, withUnknownDisks, diskCount };
}

export function classicVmIndex(index: ScanIndex): ClassicVmIndex {
  return index.memo('view/classic-vm-index', build);
}

// Typed view of a classic virtual network (microsoft.classicnetwork/virtualnetworks): its key, and what is in it.
import type { ResourceRow } from '../../core/resource.js';
import type { ScanIndex } from '../../core/scan-index.js';
import { classicVmIndex, vnetNameKey } from './classic-vm-index.js';
import { classicVnetKey, resourceKey } from './ids.js';
import { itemsOf, lookup, type Lookup } from './lookup.js';

export const CLASSIC_VNET = 'microsoft.classicnetwork/virtualnetworks';
export const CLASSIC_NSG = 'microsoft.classicnetwork/networksecuritygroups';

export interface ClassicVnetView {
  /** Normalised key (see `classicVnetKey`); `resourceKey` of the row id when it is not a classic VNet id. */
  readonly key: string;
  readonly name: string;
}

// A classic VNet is identified by its id and name only: no property path of it is read.
let lastRow: ResourceRow | undefined;
let lastView: ClassicVnetView | undefined;
export function classicVnet(row: ResourceRow): ClassicVnetView {
  if (row !== lastRow || !lastView) {
    lastView = { key: classicVnetKey(row.id) ?? resourceKey(row.id), name: row.name };
    lastRow = row;
  }
  return lastView;
}

/**
 * The classic VMs in a classic VNet: `networkProfile.virtualNetwork.id` is the VNet (any case), or,
 * when that id is absent, `networkProfile.virtualNetwork.name` is the VNet's name in the same subscription.
 */
export function classicVmsIn(index: ScanIndex, vnet: ResourceRow): readonly ResourceRow[] {
  const vms = classicVmIndex(index);
  const byId = itemsOf(vms.byVnetId, classicVnet(vnet).key);
  const named = itemsOf(vms.byVnetName, vnetNameKey(vnet.subscriptionId, vnet.name));
  if (named.length === 0) return byId;
  if (byId.length === 0) return named;
  return [...byId, ...named];
}

/**
 * Rows of other types that point into classic VNets, by VNet key, built once per index.
 * `idsOf` returns the ids a row points to (VNet or subnet ids); ids that are not classic VNet ids are ignored.
 */
export function referencesToClassicVnets(
  index: ScanIndex,
  memoKey: string,
  type: string,
  idsOf: (row: ResourceRow) => readonly (string | undefined)[],
): Lookup<ResourceRow> {
  return lookup<ResourceRow>(index, memoKey, [type], (row, add) => {
    let seen: Set<string> | undefined;
    for (const id of idsOf(row)) {
      const key = classicVnetKey(id);
      if (key === undefined) continue;
      seen ??= new Set();
      if (seen.has(key)) continue;
      seen.add(key);
      add(key, row);
    }
  });
}

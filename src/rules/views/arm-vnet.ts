// Typed view of an ARM virtual network (microsoft.network/virtualnetworks): its peerings.
import type { ResourceRow } from '../../core/resource.js';
import { at, compilePaths, isRecord, list, text } from './values.js';

export const ARM_VNET = 'microsoft.network/virtualnetworks';

export interface VnetPeering {
  readonly name: string | undefined;
  readonly remoteVirtualNetworkId: string | undefined;
}

// Field paths (rules.md, `classic/vnet-peered`).
export const PATH = {
  peerings: 'virtualNetworkPeerings',
  peeringName: 'name',
  remoteVirtualNetworkId: 'properties.remoteVirtualNetwork.id',
} as const;

const P = compilePaths(PATH);

export function vnetPeerings(row: ResourceRow): readonly VnetPeering[] {
  const peerings: VnetPeering[] = [];
  for (const p of list(at(row.properties, P.peerings)) ?? []) {
    if (!isRecord(p)) continue;
    peerings.push({
      name: text(at(p, P.peeringName)),
      remoteVirtualNetworkId: text(at(p, P.remoteVirtualNetworkId)),
    });
  }
  return peerings;
}

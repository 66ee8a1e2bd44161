// classic/vnet-peered: a classic VNet peered with an ARM VNet cannot be migrated until the peering is removed.
import type { ResourceRow } from '../../core/resource.js';
import { defineRule, fail, pass } from '../define-rule.js';
import { ARM_VNET, vnetPeerings } from '../views/arm-vnet.js';
import { CLASSIC_VNET, classicVnet } from '../views/classic-vnet.js';
import { classicVnetKey } from '../views/ids.js';
import { labelOf, listNames } from '../views/listing.js';
import { itemsOf, lookup } from '../views/lookup.js';

interface Peering {
  readonly from: ResourceRow;
  readonly name: string | undefined;
}

export default defineRule({
  id: 'classic/vnet-peered',
  title: 'Classic VNet is peered with an Azure Resource Manager VNet',
  severity: 'blocker',
  appliesTo: [CLASSIC_VNET],
  uses: [ARM_VNET],
  recommendation:
    'Remove the peering, migrate the classic VNet, then peer the two Azure Resource Manager VNets again.',
  links: [
    'https://learn.microsoft.com/azure/virtual-machines/migration-classic-resource-manager-overview',
    'https://learn.microsoft.com/azure/virtual-network/virtual-network-peering-overview',
  ],
  evaluate(row, { index }) {
    const byRemote = lookup<Peering>(index, 'classic/vnet-peered', [ARM_VNET], (armVnet, add) => {
      for (const peering of vnetPeerings(armVnet)) {
        const key = classicVnetKey(peering.remoteVirtualNetworkId);
        if (key !== undefined) add(key, { from: armVnet, name: peering.name });
      }
    });
    const found = itemsOf(byRemote, classicVnet(row).key);
    if (found.length === 0) return pass;
    const described = found.map(
      (p) => `${labelOf(p.from, row)} (peering ${p.name ?? '(unnamed)'})`,
    );
    return fail(
      `The VNet is peered from Azure Resource Manager VNet(s) ${listNames(described)}; remove the peering before migrating.`,
    );
  },
});

// classic/vnet-expressroute (manual): classic ExpressRoute circuits are not in Resource Graph, so every classic VNet gets a "check by hand" finding.
import { defineRule, fail } from '../define-rule.js';
import { CLASSIC_VNET } from '../views/classic-vnet.js';

export default defineRule({
  id: 'classic/vnet-expressroute',
  title: 'Classic VNet may use a classic ExpressRoute circuit',
  severity: 'info',
  appliesTo: [CLASSIC_VNET],
  manual: true,
  recommendation:
    "Classic ExpressRoute circuits are not in Resource Graph: check by hand. Move any circuit the VNet uses to Azure Resource Manager before the migration; an ExpressRoute gateway migrates only with a VNet in the circuit's subscription.",
  links: [
    'https://learn.microsoft.com/azure/virtual-machines/migration-classic-resource-manager-overview',
    'https://learn.microsoft.com/azure/expressroute/expressroute-move',
  ],
  evaluate(row) {
    return fail(
      `Check by hand whether VNet ${row.name} uses a classic ExpressRoute circuit: classic circuits are not in Resource Graph, and any circuit the VNet uses must be moved to Azure Resource Manager first.`,
    );
  },
});

// classic/vnet-dynamics-lcs (manual): Dynamics Lifecycle Services VMs cannot be recognised from Resource Graph data, so every classic VNet gets a "check by hand" finding.
import { defineRule, fail } from '../define-rule.js';
import { CLASSIC_VNET } from '../views/classic-vnet.js';

export default defineRule({
  id: 'classic/vnet-dynamics-lcs',
  title: 'Classic VNet may have Dynamics Lifecycle Services VMs',
  severity: 'info',
  appliesTo: [CLASSIC_VNET],
  manual: true,
  recommendation:
    'Check by hand whether Microsoft Dynamics Lifecycle Services manages VMs in this VNet: such VNets are not supported by the migration.',
  links: [
    'https://learn.microsoft.com/azure/virtual-machines/migration-classic-resource-manager-overview',
  ],
  evaluate(row) {
    return fail(
      `Check by hand whether Dynamics Lifecycle Services manages VMs in VNet ${row.name}: Resource Graph data cannot tell, and VNets with such VMs cannot be migrated.`,
    );
  },
});

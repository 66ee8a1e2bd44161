// classic/vm-multiple-subnets: a classic VM that references more than one subnet fails platform validation.
import { defineRule, fail, notApplicable, pass } from '../define-rule.js';
import { CLASSIC_VM, classicVm } from '../views/classic-vm.js';
import { listNames } from '../views/listing.js';

export default defineRule({
  id: 'classic/vm-multiple-subnets',
  title: 'Classic VM references more than one subnet',
  severity: 'blocker',
  appliesTo: [CLASSIC_VM],
  recommendation:
    'Update the subnet configuration so the VM references only one subnet: detach the secondary NIC that refers to another subnet, migrate, and re-attach it afterwards.',
  links: [
    'https://learn.microsoft.com/azure/virtual-machines/migration-classic-resource-manager-overview',
    'https://learn.microsoft.com/azure/virtual-machines/migration-classic-resource-manager-errors',
  ],
  evaluate(row) {
    const vnet = classicVm(row).virtualNetwork;
    if (!vnet) return notApplicable('the VM is in no virtual network');
    const subnets = vnet.subnetNames;
    if (subnets.length <= 1) return pass;
    const where = vnet.name ? ` of VNet ${vnet.name}` : '';
    return fail(
      `The VM references ${subnets.length} subnets${where} (${listNames(subnets)}); the migration supports only one subnet per VM.`,
    );
  },
});

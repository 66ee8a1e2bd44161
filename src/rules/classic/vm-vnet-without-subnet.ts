// classic/vm-vnet-without-subnet: a classic VM in a VNet without an explicit subnet cannot be migrated.
import { defineRule, fail, notApplicable, pass } from '../define-rule.js';
import { CLASSIC_VM, classicVm } from '../views/classic-vm.js';

export default defineRule({
  id: 'classic/vm-vnet-without-subnet',
  title: 'Classic VM is in a virtual network but has no subnet',
  severity: 'blocker',
  appliesTo: [CLASSIC_VM],
  recommendation:
    'Assign the VM an explicit subnet of its virtual network, or delete the VM, then validate again.',
  links: [
    'https://learn.microsoft.com/azure/virtual-machines/migration-classic-resource-manager-overview',
    'https://learn.microsoft.com/azure/virtual-machines/migration-classic-resource-manager-errors',
  ],
  evaluate(row) {
    const vnet = classicVm(row).virtualNetwork;
    if (!vnet) return notApplicable('the VM is in no virtual network');
    if (vnet.subnetNames.length > 0) return pass;
    const which = vnet.name ?? vnet.id ?? '(unnamed)';
    return fail(
      `The VM is in virtual network ${which} but has no subnet assigned (networkProfile.virtualNetwork.subnetNames is empty).`,
    );
  },
});

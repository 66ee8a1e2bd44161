// classic/vm-outside-vnet: a classic VM in no VNet is stopped, deallocated and restarted by the migration.
import { defineRule, fail, notApplicable, pass } from '../define-rule.js';
import { CLASSIC_VM, classicVm } from '../views/classic-vm.js';

export default defineRule({
  id: 'classic/vm-outside-vnet',
  title: 'Classic VM is in no virtual network',
  severity: 'warning',
  appliesTo: [CLASSIC_VM],
  recommendation:
    'Plan for downtime: the platform stops, deallocates and restarts the VM during the migration. Choose whether the platform creates a new virtual network or the VM moves into an existing Azure Resource Manager virtual network.',
  links: [
    'https://learn.microsoft.com/azure/virtual-machines/migration-classic-resource-manager-overview',
    'https://learn.microsoft.com/azure/virtual-machines/migration-classic-resource-manager-plan',
  ],
  evaluate(row) {
    const vnet = classicVm(row).virtualNetwork;
    if (vnet === undefined) return notApplicable('the row has no properties');
    if (vnet !== null) return pass;
    return fail(
      'The VM is in no virtual network; the platform stops, deallocates and restarts it during the migration, and it needs a target virtual network.',
    );
  },
});

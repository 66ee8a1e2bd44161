// classic/storage-account-has-vm-disks: a classic storage account with VM disks migrates after those VMs.
import { defineRule, fail, pass } from '../define-rule.js';
import { CLASSIC_VM } from '../views/classic-vm.js';
import { CLASSIC_STORAGE, diskCountIn, vmsWithDisksIn } from '../views/classic-storage.js';
import { count, listNames } from '../views/listing.js';

export default defineRule({
  id: 'classic/storage-account-has-vm-disks',
  title: 'Classic storage account holds classic VM disks',
  severity: 'info',
  appliesTo: [CLASSIC_STORAGE],
  uses: [CLASSIC_VM],
  recommendation:
    'Migrate this storage account after the VMs and virtual networks whose disks it holds: migrated VMs can keep running on a classic storage account until then.',
  links: [
    'https://learn.microsoft.com/azure/virtual-machines/migration-classic-resource-manager-overview',
    'https://learn.microsoft.com/azure/virtual-machines/migration-classic-resource-manager-plan',
  ],
  evaluate(row, { index }) {
    const vms = vmsWithDisksIn(index, row);
    if (vms.length === 0) return pass;
    const disks = diskCountIn(index, row);
    return fail(
      `${count(disks, 'disk')} of ${count(vms.length, 'classic VM')} (${listNames(vms.map((vm) => vm.name))}) live in this account; migrate it after those VMs.`,
    );
  },
});

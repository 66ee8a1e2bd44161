// classic/storage-account-standalone: a classic storage account without VM disks can be migrated on its own.
import { defineRule, fail, notApplicable, pass } from '../define-rule.js';
import { CLASSIC_VM } from '../views/classic-vm.js';
import { CLASSIC_STORAGE, vmsWithDisksIn, vmsWithUnknownDisks } from '../views/classic-storage.js';
import { count, listNames } from '../views/listing.js';

export default defineRule({
  id: 'classic/storage-account-standalone',
  title: 'Classic storage account can be migrated on its own',
  severity: 'info',
  appliesTo: [CLASSIC_STORAGE],
  uses: [CLASSIC_VM],
  recommendation:
    'No classic VM disk lives in this account: it can be migrated on its own, now (validate, prepare, commit).',
  links: [
    'https://learn.microsoft.com/azure/virtual-machines/migration-classic-resource-manager-overview',
  ],
  evaluate(row, { index }) {
    if (vmsWithDisksIn(index, row).length > 0) return pass;
    // "No disk here" is a conclusion from absence: only when every VM's disks are known.
    const unknown = vmsWithUnknownDisks(index);
    if (unknown.length > 0) {
      return notApplicable(
        `the disks of ${count(unknown.length, 'classic VM')} of this scan are unknown (${listNames(unknown.map((vm) => vm.name))}: rows without properties)`,
      );
    }
    return fail(
      `No classic VM disk in this scan lives in storage account ${row.name}; it can be migrated on its own now.`,
    );
  },
});

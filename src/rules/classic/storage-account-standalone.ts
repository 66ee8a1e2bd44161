// classic/storage-account-standalone: a classic storage account without VM disks can be migrated on its own.
import { defineRule, fail, pass } from '../define-rule.js';
import { CLASSIC_VM } from '../views/classic-vm.js';
import { CLASSIC_STORAGE, vmsWithDisksIn } from '../views/classic-storage.js';

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
    return fail(
      `No classic VM disk in this scan lives in storage account ${row.name}; it can be migrated on its own now.`,
    );
  },
});

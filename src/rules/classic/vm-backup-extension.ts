// classic/vm-backup-extension: the Azure Backup snapshot extension blocks the migration of a classic VM.
import { defineRule, fail, pass } from '../define-rule.js';
import { CLASSIC_VM, classicVm, extensionLabel, type VmExtension } from '../views/classic-vm.js';
import { listNames } from '../views/listing.js';
import { matching } from '../views/values.js';

const SNAPSHOT_EXTENSION = /^\s*vmsnapshot(?:linux)?\s*$/i;
const isSnapshot = (e: VmExtension): boolean =>
  e.extension !== undefined && SNAPSHOT_EXTENSION.test(e.extension);

export default defineRule({
  id: 'classic/vm-backup-extension',
  title: 'Classic VM has the Azure Backup snapshot extension',
  severity: 'blocker',
  appliesTo: [CLASSIC_VM],
  recommendation:
    'Stop protection of the VM while keeping its backup data, remove the VMSnapshot extension, migrate, then re-enable backup on the migrated VM under Azure Resource Manager.',
  links: [
    'https://learn.microsoft.com/azure/virtual-machines/migration-classic-resource-manager-faq',
    'https://learn.microsoft.com/azure/virtual-machines/migration-classic-resource-manager-overview',
  ],
  evaluate(row) {
    const found = matching(classicVm(row).extensions, isSnapshot);
    if (found.length === 0) return pass;
    return fail(
      `Backup extension ${listNames(found.map(extensionLabel))} is installed; VMs with the backup snapshot extension cannot be migrated.`,
    );
  },
});

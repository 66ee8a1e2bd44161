// classic/vm-boot-diagnostics-premium: boot diagnostics on a Premium classic storage account block the migration.
import { defineRule, fail, notApplicable, pass } from '../define-rule.js';
import { CLASSIC_VM, classicVm } from '../views/classic-vm.js';
import {
  CLASSIC_STORAGE,
  classicStorage,
  classicStorageNamed,
  isPremium,
} from '../views/classic-storage.js';

export default defineRule({
  id: 'classic/vm-boot-diagnostics-premium',
  title: 'Classic VM writes boot diagnostics to Premium storage',
  severity: 'blocker',
  appliesTo: [CLASSIC_VM],
  uses: [CLASSIC_STORAGE],
  recommendation:
    'Disable boot diagnostics on the VM, migrate, and re-enable boot diagnostics under Azure Resource Manager. Delete the screenshot and serial-log blobs so they are no longer billed.',
  links: [
    'https://learn.microsoft.com/azure/virtual-machines/migration-classic-resource-manager-overview',
    'https://learn.microsoft.com/azure/virtual-machines/migration-classic-resource-manager-errors',
  ],
  evaluate(row, { index }) {
    const vm = classicVm(row);
    if (!vm.bootDiagnosticsEnabled) return pass;
    const account = vm.bootDiagnosticsAccount;
    if (account === undefined) {
      return notApplicable(
        'boot diagnostics are enabled but debugProfile.serialOutputBlobUri names no storage account',
      );
    }
    const accounts = classicStorageNamed(index, account);
    if (accounts.length === 0) {
      return notApplicable(
        `the diagnostics account ${account} is not a classic storage account of this scan`,
      );
    }
    for (const candidate of accounts) {
      const view = classicStorage(candidate);
      if (isPremium(view)) {
        return fail(
          `Boot diagnostics are enabled and write to classic storage account ${candidate.name} (${view.accountType}); Premium storage for boot diagnostics is not supported by the migration.`,
        );
      }
    }
    return pass;
  },
});

// classic/vm-site-recovery-extension: Azure Site Recovery replication is impacted by the storage migration.
import { defineRule, fail, pass } from '../define-rule.js';
import { CLASSIC_VM, classicVm, extensionLabel, type VmExtension } from '../views/classic-vm.js';
import { listNames } from '../views/listing.js';
import { matching } from '../views/values.js';

const SITE_RECOVERY = /siterecovery/i;
const isSiteRecovery = (e: VmExtension): boolean =>
  (e.publisher !== undefined && SITE_RECOVERY.test(e.publisher)) ||
  (e.extension !== undefined && SITE_RECOVERY.test(e.extension));

export default defineRule({
  id: 'classic/vm-site-recovery-extension',
  title: 'Classic VM is replicated by Azure Site Recovery',
  severity: 'warning',
  appliesTo: [CLASSIC_VM],
  recommendation:
    'Expect replication to be impacted: after the storage account is migrated, disable and re-enable replication of the VM.',
  links: [
    'https://learn.microsoft.com/azure/virtual-machines/migration-classic-resource-manager-overview',
  ],
  evaluate(row) {
    const found = matching(classicVm(row).extensions, isSiteRecovery);
    if (found.length === 0) return pass;
    return fail(
      `Site Recovery extension(s) ${listNames(found.map(extensionLabel))} are installed; replication is impacted by the migration.`,
    );
  },
});

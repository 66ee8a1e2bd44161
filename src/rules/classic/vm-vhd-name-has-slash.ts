// classic/vm-vhd-name-has-slash: the Compute resource provider rejects disks whose blob name contains a slash.
import { defineRule, fail, notApplicable, pass } from '../define-rule.js';
import { CLASSIC_VM, classicVm, type VmDisk } from '../views/classic-vm.js';
import { listNames } from '../views/listing.js';
import { matching } from '../views/values.js';

const isNested = (d: VmDisk): boolean => d.blobName !== undefined && d.blobName.includes('/');

export default defineRule({
  id: 'classic/vm-vhd-name-has-slash',
  title: 'Classic VM disk blob name contains a slash',
  severity: 'blocker',
  appliesTo: [CLASSIC_VM],
  recommendation:
    'Copy each such VHD to a blob with a flat name (no "/" after the container), re-attach the copy as the disk, then validate again.',
  links: [
    'https://learn.microsoft.com/azure/virtual-machines/migration-classic-resource-manager-errors',
    'https://learn.microsoft.com/azure/virtual-machines/migration-classic-resource-manager-deep-dive',
  ],
  evaluate(row) {
    const disks = classicVm(row).disks;
    if (disks === undefined) return notApplicable('the row has no properties');
    const nested = matching(disks, isNested);
    if (nested.length === 0) return pass;
    const described = nested.map(
      (d) => `${d.role === 'os' ? 'OS' : 'data'} disk blob "${d.blobName}"`,
    );
    return fail(`${listNames(described)}: a blob name with "/" cannot be migrated.`);
  },
});

// classic/vm-defender-extension: the Defender for Cloud monitoring extension blocks the migration of a classic VM.
import { defineRule, fail, pass } from '../define-rule.js';
import { CLASSIC_VM, classicVm, extensionLabel, type VmExtension } from '../views/classic-vm.js';
import { listNames } from '../views/listing.js';
import { matching } from '../views/values.js';

const DEFENDER_PUBLISHER = /^microsoft\.azure\.security/i;
const isDefender = (e: VmExtension): boolean =>
  e.publisher !== undefined && DEFENDER_PUBLISHER.test(e.publisher);

export default defineRule({
  id: 'classic/vm-defender-extension',
  title: 'Classic VM has the Microsoft Defender for Cloud extension',
  severity: 'blocker',
  appliesTo: [CLASSIC_VM],
  recommendation:
    'Turn off the Microsoft Defender for Cloud policy on the subscription so the monitoring extension is removed from the VMs and not re-installed, then migrate.',
  links: [
    'https://learn.microsoft.com/azure/virtual-machines/migration-classic-resource-manager-overview',
    'https://learn.microsoft.com/azure/virtual-machines/migration-classic-resource-manager-errors',
  ],
  evaluate(row) {
    const found = matching(classicVm(row).extensions, isDefender);
    if (found.length === 0) return pass;
    return fail(
      `Defender for Cloud extension(s) ${listNames(found.map(extensionLabel))} are installed; they block the migration and are re-installed while the subscription policy is on.`,
    );
  },
});

// classic/vnet-many-vms: a VNet with many VMs makes one prepare slow because of ARM write throttling.
import { defineRule, fail, pass } from '../define-rule.js';
import { CLASSIC_VM } from '../views/classic-vm.js';
import { CLASSIC_VNET, classicVmsIn } from '../views/classic-vnet.js';

/** Above this many classic VMs in one VNet, the prepare step runs into ARM write throttling (rules.md). */
export const MANY_VMS_THRESHOLD = 400;

export default defineRule({
  id: 'classic/vnet-many-vms',
  title: 'Classic VNet holds more than 400 VMs',
  severity: 'warning',
  appliesTo: [CLASSIC_VNET],
  uses: [CLASSIC_VM],
  recommendation:
    'Azure Resource Manager throttles writes (about 1,200 an hour), so preparing this VNet takes long: plan a longer migration window, or ask Azure support to raise the limit.',
  links: [
    'https://learn.microsoft.com/azure/virtual-machines/migration-classic-resource-manager-plan',
    'https://learn.microsoft.com/azure/virtual-machines/migration-classic-resource-manager-faq',
  ],
  evaluate(row, { index }) {
    const vms = classicVmsIn(index, row).length;
    if (vms <= MANY_VMS_THRESHOLD) return pass;
    return fail(
      `${vms} classic VMs are in this VNet (more than ${MANY_VMS_THRESHOLD}); ARM write throttling makes one prepare slow.`,
    );
  },
});

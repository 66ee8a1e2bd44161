// classic/cloud-service-multiple-availability-sets: a cloud service whose VMs use several availability sets cannot be migrated.
import type { ResourceRow } from '../../core/resource.js';
import { defineRule, fail, notApplicable, pass } from '../define-rule.js';
import { CLASSIC_VM, vmAvailabilitySet } from '../views/classic-vm.js';
import { CLOUD_SERVICE, vmsOfCloudService } from '../views/cloud-service.js';
import { listNames } from '../views/listing.js';

/** The availability sets of the VMs (case-insensitive), each with its VMs; only called on a failure. */
function setsOf(vms: readonly ResourceRow[]): { name: string; vms: string[] }[] {
  const sets = new Map<string, { name: string; vms: string[] }>();
  for (const vm of vms) {
    const set = vmAvailabilitySet(vm);
    if (set === undefined) continue;
    const entry = sets.get(set.toLowerCase());
    if (entry) entry.vms.push(vm.name);
    else sets.set(set.toLowerCase(), { name: set, vms: [vm.name] });
  }
  return [...sets.values()];
}

export default defineRule({
  id: 'classic/cloud-service-multiple-availability-sets',
  title: 'Cloud service VMs use more than one availability set',
  severity: 'blocker',
  appliesTo: [CLOUD_SERVICE],
  uses: [CLASSIC_VM],
  recommendation:
    'Move all the VMs of the cloud service into one availability set, then validate again. The finding is on the cloud service, not on each VM.',
  links: [
    'https://learn.microsoft.com/azure/virtual-machines/migration-classic-resource-manager-overview',
    'https://learn.microsoft.com/azure/virtual-machines/migration-classic-resource-manager-plan',
  ],
  evaluate(row, { index }) {
    const vms = vmsOfCloudService(index, row);
    if (vms.length === 0)
      return notApplicable('no classic VM of this scan belongs to the cloud service');
    // Fast path: stop at the second distinct set, allocating nothing when there is none.
    let first: string | undefined;
    let several = false;
    for (const vm of vms) {
      const set = vmAvailabilitySet(vm);
      if (set === undefined) continue;
      if (first === undefined) first = set;
      else if (set !== first && set.toLowerCase() !== first.toLowerCase()) {
        several = true;
        break;
      }
    }
    if (!several) return pass;
    const sets = setsOf(vms);
    const described = sets.map((s) => `${s.name} (${listNames(s.vms)})`);
    return fail(
      `The VMs of this cloud service use ${sets.length} availability sets: ${listNames(described)}; only one availability set per cloud service can be migrated.`,
    );
  },
});

// classic/cloud-service-multiple-availability-sets: a cloud service whose VMs use several availability sets cannot be migrated.
import type { ResourceRow } from '../../core/resource.js';
import { defineRule, fail, notApplicable, pass } from '../define-rule.js';
import { CLASSIC_VM, classicVm } from '../views/classic-vm.js';
import { CLOUD_SERVICE, vmsOfCloudService } from '../views/cloud-service.js';
import { listNames } from '../views/listing.js';

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
    const sets = new Map<string, { name: string; vms: ResourceRow[] }>();
    for (const vm of vms) {
      const set = classicVm(vm).availabilitySet;
      if (set === undefined) continue;
      const key = set.toLowerCase();
      const entry = sets.get(key);
      if (entry) entry.vms.push(vm);
      else sets.set(key, { name: set, vms: [vm] });
    }
    if (sets.size <= 1) return pass;
    const described = [...sets.values()].map(
      (s) => `${s.name} (${listNames(s.vms.map((vm) => vm.name))})`,
    );
    return fail(
      `The VMs of this cloud service use ${sets.size} availability sets: ${listNames(described)}; only one availability set per cloud service can be migrated.`,
    );
  },
});

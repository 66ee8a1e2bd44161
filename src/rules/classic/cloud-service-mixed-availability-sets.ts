// classic/cloud-service-mixed-availability-sets: a cloud service with VMs both in and out of an availability set cannot be migrated.
import { defineRule, fail, notApplicable, pass } from '../define-rule.js';
import { CLASSIC_VM, vmAvailabilitySet } from '../views/classic-vm.js';
import { CLOUD_SERVICE, vmsOfCloudService } from '../views/cloud-service.js';
import { listNames } from '../views/listing.js';

export default defineRule({
  id: 'classic/cloud-service-mixed-availability-sets',
  title: 'Cloud service mixes VMs in and out of availability sets',
  severity: 'blocker',
  appliesTo: [CLOUD_SERVICE],
  uses: [CLASSIC_VM],
  recommendation:
    'Put all the VMs of the cloud service in one availability set, or take all of them out of availability sets, then validate again.',
  links: [
    'https://learn.microsoft.com/azure/virtual-machines/migration-classic-resource-manager-overview',
    'https://learn.microsoft.com/azure/virtual-machines/migration-classic-resource-manager-plan',
  ],
  evaluate(row, { index }) {
    const vms = vmsOfCloudService(index, row);
    if (vms.length === 0)
      return notApplicable('no classic VM of this scan belongs to the cloud service');
    let inSet = 0;
    for (const vm of vms) if (vmAvailabilitySet(vm) !== undefined) inSet++;
    if (inSet === 0 || inSet === vms.length) return pass;
    const members = vms.filter((vm) => vmAvailabilitySet(vm) !== undefined).map((vm) => vm.name);
    const outside = vms.filter((vm) => vmAvailabilitySet(vm) === undefined).map((vm) => vm.name);
    return fail(
      `VM(s) ${listNames(members)} are in an availability set while ${listNames(outside)} are in none.`,
    );
  },
});

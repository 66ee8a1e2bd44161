// classic/vnet-mixed-vms-and-roles: a classic VNet holding both VMs and web/worker roles cannot be migrated.
import type { ResourceRow } from '../../core/resource.js';
import { defineRule, fail, pass } from '../define-rule.js';
import { CLASSIC_VM } from '../views/classic-vm.js';
import { CLASSIC_VNET, classicVmsIn, classicVnet } from '../views/classic-vnet.js';
import { classicVnetKey } from '../views/ids.js';
import { CLOUD_SERVICE, cloudService, isWebOrWorkerRole } from '../views/cloud-service.js';
import { count, listNames } from '../views/listing.js';
import { itemsOf, lookup } from '../views/lookup.js';

const SERVICE_TYPES = [CLOUD_SERVICE];

/** Cloud services with web or worker roles, by the classic VNet they are deployed in. */
function addByWebWorkerVnet(
  service: ResourceRow,
  add: (key: string, service: ResourceRow) => void,
): void {
  const view = cloudService(service);
  if (!view.roles?.some(isWebOrWorkerRole)) return;
  const key = classicVnetKey(view.virtualNetworkId);
  if (key !== undefined) add(key, service);
}

export default defineRule({
  id: 'classic/vnet-mixed-vms-and-roles',
  title: 'Classic VNet holds both VMs and web/worker roles',
  severity: 'blocker',
  appliesTo: [CLASSIC_VNET],
  uses: [CLASSIC_VM, CLOUD_SERVICE],
  recommendation:
    'Move the web and worker roles to their own virtual network, migrate the VNet with the VMs, then peer the migrated Azure Resource Manager VNet with the classic one to restore connectivity.',
  links: [
    'https://learn.microsoft.com/azure/virtual-machines/migration-classic-resource-manager-overview',
  ],
  evaluate(row, { index }) {
    const vms = classicVmsIn(index, row);
    if (vms.length === 0) return pass;
    const withRoles = lookup(
      index,
      'classic/vnet-mixed-vms-and-roles',
      SERVICE_TYPES,
      addByWebWorkerVnet,
    );
    const services = itemsOf(withRoles, classicVnet(row).key);
    if (services.length === 0) return pass;
    const described = services.map((service) => {
      const roles = (cloudService(service).roles ?? []).filter(isWebOrWorkerRole);
      return `${service.name} (${listNames(roles.map((r) => `${r.roleType} ${r.name ?? '(unnamed)'}`))})`;
    });
    return fail(
      `The VNet holds ${count(vms.length, 'classic VM')} (${listNames(vms.map((vm) => vm.name))}) and web/worker roles of cloud service(s) ${listNames(described)}.`,
    );
  },
});

// Typed view of a classic cloud service row (microsoft.classiccompute/domainnames), and its VMs in the scan index.
import type { ResourceRow } from '../../core/resource.js';
import type { ScanIndex } from '../../core/scan-index.js';
import { classicVmIndex } from './classic-vm-index.js';
import { keyOfRow } from './ids.js';
import { itemsOf } from './lookup.js';
import { record, text } from './values.js';

export const CLOUD_SERVICE = 'microsoft.classiccompute/domainnames';

export interface CloudServiceRole {
  readonly name: string | undefined;
  /** `WebRole`, `WorkerRole` or `PersistentVMRole` (as written in the row). */
  readonly roleType: string | undefined;
}

export interface CloudServiceView {
  /**
   * The roles, from the product's enrichment (Resource Graph does not index them);
   * undefined when absent or of the wrong shape, which means unknown, not "no roles".
   */
  readonly roles: readonly CloudServiceRole[] | undefined;
  readonly virtualNetworkId: string | undefined;
}

// Field paths (rules.md, "Cloud service"): the enrichment convention, not a Resource Graph column.
export const PATH = {
  roles: 'roles',
  roleName: 'name',
  roleType: 'roleType',
  virtualNetworkId: 'virtualNetwork.id',
} as const;

const WEB_OR_WORKER = /^(?:webrole|workerrole)$/i;

// Read with a named property read per step (as the classic VM view is), equal to reading PATH with `at`
// (test/rules/views-equivalence.test.ts).
export function cloudService(row: ResourceRow): CloudServiceView {
  const p = record(row.properties);
  const rawRoles: unknown = p?.roles;
  let roles: CloudServiceRole[] | undefined;
  if (Array.isArray(rawRoles)) {
    roles = [];
    for (const item of rawRoles) {
      const r = record(item);
      if (r !== undefined) roles.push({ name: text(r.name), roleType: text(r.roleType) });
    }
  }
  return { roles, virtualNetworkId: text(record(p?.virtualNetwork)?.id) };
}

/** Web and worker roles (PaaS), as opposed to the `PersistentVMRole` of IaaS VMs. */
export function isWebOrWorkerRole(role: CloudServiceRole): boolean {
  return role.roleType !== undefined && WEB_OR_WORKER.test(role.roleType);
}

/** The classic VMs of a cloud service: those whose `domainName.id` is the cloud service id. */
export function vmsOfCloudService(index: ScanIndex, service: ResourceRow): readonly ResourceRow[] {
  return itemsOf(classicVmIndex(index).byCloudService, keyOfRow(service));
}

// Typed view of a classic cloud service row (microsoft.classiccompute/domainnames), and its VMs in the scan index.
import type { ResourceRow } from '../../core/resource.js';
import type { ScanIndex } from '../../core/scan-index.js';
import { classicVmIndex } from './classic-vm-index.js';
import { keyOfRow } from './ids.js';
import { itemsOf } from './lookup.js';
import { at, compilePaths, isRecord, list, text } from './values.js';

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

const P = compilePaths(PATH);

const WEB_OR_WORKER = /^(?:webrole|workerrole)$/i;

export function cloudService(row: ResourceRow): CloudServiceView {
  const p = row.properties;
  const rawRoles = list(at(p, P.roles));
  return {
    roles: rawRoles
      ?.filter(isRecord)
      .map((r) => ({ name: text(at(r, P.roleName)), roleType: text(at(r, P.roleType)) })),
    virtualNetworkId: text(at(p, P.virtualNetworkId)),
  };
}

/** Web and worker roles (PaaS), as opposed to the `PersistentVMRole` of IaaS VMs. */
export function isWebOrWorkerRole(role: CloudServiceRole): boolean {
  return role.roleType !== undefined && WEB_OR_WORKER.test(role.roleType);
}

/** The classic VMs of a cloud service: those whose `domainName.id` is the cloud service id. */
export function vmsOfCloudService(index: ScanIndex, service: ResourceRow): readonly ResourceRow[] {
  return itemsOf(classicVmIndex(index).byCloudService, keyOfRow(service));
}

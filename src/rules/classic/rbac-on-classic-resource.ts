// classic/rbac-on-classic-resource: role assignments scoped to a classic resource need updating after its id changes.
import type { ResourceRow } from '../../core/resource.js';
import { defineRule, fail, pass } from '../define-rule.js';
import { CLASSIC_VM } from '../views/classic-vm.js';
import { CLASSIC_STORAGE } from '../views/classic-storage.js';
import { CLASSIC_NSG, CLASSIC_VNET } from '../views/classic-vnet.js';
import { CLOUD_SERVICE } from '../views/cloud-service.js';
import { count, listNames } from '../views/listing.js';
import { idLookup, itemsOfRow } from '../views/lookup.js';
import { RESERVED_IP } from '../views/reserved-ip.js';
import { ROLE_ASSIGNMENT, roleAssignment } from '../views/role-assignment.js';
import { roleDefinitionGuid, roleNameOf } from '../views/role-definition.js';
import type { ScanIndex } from '../../core/scan-index.js';

const ASSIGNMENT_TYPES = [ROLE_ASSIGNMENT];
function addAssignmentByScope(
  assignment: ResourceRow,
  add: (scope: string, assignment: ResourceRow) => void,
): void {
  const scope = roleAssignment(assignment).scope;
  if (scope !== undefined) add(scope, assignment);
}

const assignmentsByScope = idLookup(
  'classic/rbac-on-classic-resource',
  ASSIGNMENT_TYPES,
  addAssignmentByScope,
);

/** `User 9a8b… as Reader`: the role by name when a role definition of the scan has it, else by GUID. */
function describe(assignment: ResourceRow, index: ScanIndex): string {
  const view = roleAssignment(assignment);
  const guid = roleDefinitionGuid(view.roleDefinitionId);
  const role = roleNameOf(index, view.roleDefinitionId) ?? (guid ? `role ${guid}` : 'unknown role');
  const principal = view.principalId ?? 'unknown principal';
  return view.principalType
    ? `${view.principalType} ${principal} as ${role}`
    : `${principal} as ${role}`;
}

export default defineRule({
  id: 'classic/rbac-on-classic-resource',
  title: 'Role assignments are scoped to a classic resource',
  severity: 'warning',
  appliesTo: [CLASSIC_VM, CLOUD_SERVICE, CLASSIC_STORAGE, CLASSIC_VNET, RESERVED_IP, CLASSIC_NSG],
  uses: [ROLE_ASSIGNMENT],
  recommendation:
    'The resource id changes on migration, so these role assignments stop applying: plan the role-assignment updates to make on the migrated resource.',
  links: [
    'https://learn.microsoft.com/azure/virtual-machines/migration-classic-resource-manager-overview',
    'https://learn.microsoft.com/azure/virtual-machines/migration-classic-resource-manager-plan',
  ],
  evaluate(row, { index }) {
    const found = itemsOfRow(assignmentsByScope(index), row);
    if (found.length === 0) return pass;
    return fail(
      `${count(found.length, 'role assignment')} scoped to this resource (${listNames(found.map((a) => describe(a, index)))}) will not follow it to its new id.`,
    );
  },
});

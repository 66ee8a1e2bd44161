// Typed view of a role definition (authorizationresources, microsoft.authorization/roledefinitions): the
// name people know a role by. Shape: https://learn.microsoft.com/azure/role-based-access-control/role-definitions
// (`name` is the GUID, `properties.roleName` the display name, `properties.type` BuiltInRole or CustomRole).
import type { ResourceRow } from '../../core/resource.js';
import type { ScanIndex } from '../../core/scan-index.js';
import { itemsOf, lookup } from './lookup.js';
import { at, compilePaths, text } from './values.js';

export const ROLE_DEFINITION = 'microsoft.authorization/roledefinitions';

export const PATH = {
  roleName: 'roleName',
  roleType: 'type',
} as const;

const P = compilePaths(PATH);

/** The GUID of a role definition id (its last segment), lower-cased; undefined for no id. */
export function roleDefinitionGuid(id: string | undefined): string | undefined {
  if (id === undefined) return undefined;
  const guid = id.trim().replace(/\/+$/, '').split('/').pop();
  return guid ? guid.toLowerCase() : undefined;
}

export interface RoleDefinitionView {
  readonly guid: string | undefined;
  readonly roleName: string | undefined;
  /** `BuiltInRole` or `CustomRole`. */
  readonly roleType: string | undefined;
}

export function roleDefinition(row: ResourceRow): RoleDefinitionView {
  return {
    guid: roleDefinitionGuid(row.id),
    roleName: text(at(row.properties, P.roleName)),
    roleType: text(at(row.properties, P.roleType)),
  };
}

const TYPES = [ROLE_DEFINITION];
function addByGuid(row: ResourceRow, add: (key: string, name: string) => void): void {
  const view = roleDefinition(row);
  if (view.guid !== undefined && view.roleName !== undefined) add(view.guid, view.roleName);
}

/**
 * The display name of the role a role assignment's `roleDefinitionId` points to, when a role definition
 * of the scan has it; matched by GUID (built-in roles have the same GUID in every subscription).
 */
export function roleNameOf(
  index: ScanIndex,
  roleDefinitionId: string | undefined,
): string | undefined {
  const byGuid = lookup(index, 'view/role-definition:by-guid', TYPES, addByGuid);
  return itemsOf(byGuid, roleDefinitionGuid(roleDefinitionId))[0];
}

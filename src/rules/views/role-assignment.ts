// Typed view of a role assignment (authorizationresources, microsoft.authorization/roleassignments).
import type { ResourceRow } from '../../core/resource.js';
import { at, compilePaths, text } from './values.js';

export const ROLE_ASSIGNMENT = 'microsoft.authorization/roleassignments';

export interface RoleAssignmentView {
  readonly scope: string | undefined;
  readonly principalId: string | undefined;
  readonly principalType: string | undefined;
  readonly roleDefinitionId: string | undefined;
}

// Field paths (rules.md, `classic/rbac-on-classic-resource`); all but `scope` only decorate messages.
export const PATH = {
  scope: 'scope',
  principalId: 'principalId',
  principalType: 'principalType',
  roleDefinitionId: 'roleDefinitionId',
} as const;

const P = compilePaths(PATH);

export function roleAssignment(row: ResourceRow): RoleAssignmentView {
  const p = row.properties;
  return {
    scope: text(at(p, P.scope)),
    principalId: text(at(p, P.principalId)),
    principalType: text(at(p, P.principalType)),
    roleDefinitionId: text(at(p, P.roleDefinitionId)),
  };
}

// Built-in role definitions, as Resource Graph's `authorizationresources` table serves them: one row per
// subscription, whose id is the subscription-scoped role definition id that role assignments' `roleDefinitionId`
// carries (Microsoft's sample queries join `tolower(properties.roleDefinitionId)` to the definition's
// `tolower(id)`: https://learn.microsoft.com/azure/governance/resource-graph/samples/samples-by-category,
// "Authorization"). `name` is the GUID, the same in every cloud; `properties` has `roleName`, `type`
// (`BuiltInRole` / `CustomRole`), `description`, `assignableScopes` and `permissions`
// (https://learn.microsoft.com/azure/role-based-access-control/role-definitions). GUIDs and names of the
// built-in roles: https://learn.microsoft.com/azure/role-based-access-control/built-in-roles.
// Only the handful of general-purpose built-ins; a tenant adds custom roles as `authorizationResources`.

interface BuiltIn {
  readonly guid: string;
  readonly roleName: string;
  readonly description: string;
  readonly actions: readonly string[];
  readonly notActions: readonly string[];
}

export const BUILT_IN_ROLES: readonly BuiltIn[] = [
  {
    guid: '8e3af657-a8ff-443c-a75c-2fe8c4bcb635',
    roleName: 'Owner',
    description:
      'Grants full access to manage all resources, including the ability to assign roles in Azure RBAC.',
    actions: ['*'],
    notActions: [],
  },
  {
    guid: 'b24988ac-6180-42a0-ab88-20f7382dd24c',
    roleName: 'Contributor',
    description:
      'Grants full access to manage all resources, but does not allow you to assign roles in Azure RBAC.',
    actions: ['*'],
    notActions: [
      'Microsoft.Authorization/*/Delete',
      'Microsoft.Authorization/*/Write',
      'Microsoft.Authorization/elevateAccess/Action',
    ],
  },
  {
    guid: 'acdd72a7-3385-48ef-bd42-f606fba81ae7',
    roleName: 'Reader',
    description: 'View all resources, but does not allow you to make any changes.',
    actions: ['*/read'],
    notActions: [],
  },
  {
    guid: '18d7d88d-d35e-4fb5-a5c3-7773c20a72d9',
    roleName: 'User Access Administrator',
    description: 'Lets you manage user access to Azure resources.',
    actions: ['*/read', 'Microsoft.Authorization/*', 'Microsoft.Support/*'],
    notActions: [],
  },
];

/** A role definition row of `authorizationresources` in one subscription. */
export function roleDefinitionRow(
  subscriptionId: string,
  role: BuiltIn,
  type: 'BuiltInRole' | 'CustomRole' = 'BuiltInRole',
  assignableScopes: readonly string[] = ['/'],
): Record<string, unknown> {
  return {
    id: `/subscriptions/${subscriptionId}/providers/Microsoft.Authorization/RoleDefinitions/${role.guid}`,
    name: role.guid,
    type: 'microsoft.authorization/roledefinitions',
    tenantId: '00000000-0000-0000-0000-000000000000',
    kind: '',
    location: '',
    resourceGroup: '',
    subscriptionId,
    managedBy: '',
    sku: null,
    plan: null,
    properties: {
      roleName: role.roleName,
      type,
      description: role.description,
      assignableScopes: [...assignableScopes],
      permissions: [
        {
          actions: [...role.actions],
          notActions: [...role.notActions],
          dataActions: [],
          notDataActions: [],
        },
      ],
      createdOn: '2015-02-02T21:55:09.8806423Z',
      updatedOn: '2024-01-01T00:00:00.0000000Z',
      createdBy: null,
      updatedBy: null,
    },
    tags: {},
    identity: null,
    zones: null,
    extendedLocation: null,
  };
}

/** The built-in role definitions of every subscription, unless the tenant defines a row with the same id. */
export function builtInRoleDefinitions(
  subscriptionIds: readonly string[],
  existing: readonly Record<string, unknown>[],
): Record<string, unknown>[] {
  const taken = new Set(existing.map((r) => String(r.id).toLowerCase()));
  return subscriptionIds.flatMap((sub) =>
    BUILT_IN_ROLES.map((role) => roleDefinitionRow(sub, role)).filter(
      (row) => !taken.has(String(row.id).toLowerCase()),
    ),
  );
}

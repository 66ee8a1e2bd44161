// Scan stage: the role definitions the role assignments of the references point to, so that findings name
// roles as people know them ("Reader", a custom role's name) rather than by GUID. Resource Graph holds them
// in `authorizationresources` (type microsoft.authorization/roledefinitions, one row per subscription for
// built-in roles too: Microsoft's samples join `tolower(properties.roleDefinitionId)` to `tolower(id)`,
// https://learn.microsoft.com/azure/governance/resource-graph/samples/samples-by-category).
// Only the GUIDs in use are asked for, and only their names are kept. A failure costs names, not the scan.
import { toResourceRow, type ResourceRow } from '../core/resource.js';
import { ROLE_ASSIGNMENT, roleAssignment } from '../rules/views/role-assignment.js';
import {
  ROLE_DEFINITION,
  roleDefinition,
  roleDefinitionGuid,
} from '../rules/views/role-definition.js';
import type { GraphQuery, ResourceSource, Scope, ScopeFilter } from './ports.js';

/** GUIDs per query: keeps the KQL short (a `name in~ (...)` list). */
export const GUIDS_PER_QUERY = 200;

export interface RoleDefinitionDeps {
  readonly source: ResourceSource;
  /** The request scopes of the scan (subscription batches). */
  readonly batches: readonly Scope[];
  /** Excluded subscriptions stay out of this query too (filtered in the KQL). */
  readonly exclude?: ScopeFilter | undefined;
  readonly log: (message: string, fields?: Record<string, unknown>) => void;
  readonly signal?: AbortSignal | undefined;
}

/** Slim role definition rows (id, name, type, `properties.roleName`/`type`) for the GUIDs `rows` assign. */
export async function roleDefinitionsFor(
  rows: readonly ResourceRow[],
  deps: RoleDefinitionDeps,
): Promise<ResourceRow[]> {
  const guids = new Set<string>();
  for (const row of rows) {
    if (row.type !== ROLE_ASSIGNMENT) continue;
    const guid = roleDefinitionGuid(roleAssignment(row).roleDefinitionId);
    if (guid !== undefined) guids.add(guid);
  }
  if (guids.size === 0) return [];
  const wanted = [...guids].sort();
  const found = new Map<string, ResourceRow>();
  try {
    for (let i = 0; i < wanted.length; i += GUIDS_PER_QUERY) {
      const chunk = wanted.slice(i, i + GUIDS_PER_QUERY);
      const query: GraphQuery = {
        table: 'authorizationresources',
        types: [ROLE_DEFINITION],
        columns: ['id', 'name', 'type', 'subscriptionId', 'properties'],
        names: chunk,
        exclude: deps.exclude,
      };
      for (const batch of deps.batches) {
        // Built-in roles are in every subscription: a later batch is asked only for what is still missing.
        if (chunk.every((g) => found.has(g))) break;
        for await (const page of deps.source.pages(query, batch, deps.signal)) {
          for (const raw of page) {
            const parsed = toResourceRow(raw);
            if (!parsed.ok) continue;
            const view = roleDefinition(parsed.row);
            if (view.guid === undefined || view.roleName === undefined || found.has(view.guid))
              continue;
            found.set(view.guid, {
              id: parsed.row.id,
              name: parsed.row.name,
              type: ROLE_DEFINITION,
              subscriptionId: parsed.row.subscriptionId,
              resourceGroup: '',
              properties: { roleName: view.roleName, type: view.roleType },
            });
          }
        }
      }
    }
  } catch (error) {
    deps.log('role names not read; findings name roles by GUID', {
      error: error instanceof Error ? error.message : String(error),
    });
  }
  deps.log('role definitions read', { wanted: guids.size, found: found.size });
  return [...found.values()];
}

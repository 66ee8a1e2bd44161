// The scan stage that reads the role definitions the role assignments use, so findings name roles.
import { describe, expect, it } from 'vitest';
import { toResourceRow, type ResourceRow } from '../../src/core/resource.js';
import { roleDefinitionsFor } from '../../src/app/role-definitions.js';
import {
  SourceError,
  type GraphQuery,
  type ResourceSource,
  type Scope,
} from '../../src/app/ports.js';

const SUB = '00000000-0000-0000-0000-00000000a001';
const READER = 'acdd72a7-3385-48ef-bd42-f606fba81ae7';

function parse(raw: Record<string, unknown>): ResourceRow {
  const r = toResourceRow(raw);
  if (!r.ok) throw new Error(r.reason);
  return r.row;
}
const assignment = (guid: string) =>
  parse({
    id: `/subscriptions/${SUB}/providers/Microsoft.Authorization/roleAssignments/${guid}-a`,
    type: 'microsoft.authorization/roleassignments',
    properties: {
      scope: `/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.ClassicCompute/virtualMachines/vm`,
      roleDefinitionId: `/subscriptions/${SUB}/providers/Microsoft.Authorization/roleDefinitions/${guid.toUpperCase()}`,
    },
  });
const definitionRow = (guid: string, roleName: string, sub = SUB) => ({
  id: `/subscriptions/${sub}/providers/Microsoft.Authorization/RoleDefinitions/${guid}`,
  name: guid,
  type: 'microsoft.authorization/roledefinitions',
  subscriptionId: sub,
  properties: { roleName, type: 'BuiltInRole', permissions: [{ actions: ['*/read'] }] },
});

function source(answer: (query: GraphQuery, scope: Scope) => unknown[]): ResourceSource & {
  queries: GraphQuery[];
} {
  const queries: GraphQuery[] = [];
  return {
    queries,
    batches: (scope) => [scope],
    async *pages(query, scope) {
      queries.push(query);
      yield answer(query, scope);
    },
    stats: () => ({ pages: 0, rows: 0, throttled429: 0, retries: 0, waitedMs: 0 }),
  };
}

const batches: Scope[] = [
  { kind: 'subscriptions', ids: [SUB] },
  { kind: 'subscriptions', ids: ['other'] },
];
const log = () => undefined;

describe('roleDefinitionsFor', () => {
  it('asks only for the GUIDs the assignments use, once, and keeps only their names', async () => {
    const src = source(() => [
      definitionRow(READER, 'Reader'),
      definitionRow(READER, 'Reader', 'x'),
    ]);
    const rows = await roleDefinitionsFor([assignment(READER), assignment(READER)], {
      source: src,
      batches,
      log,
    });
    expect(src.queries).toHaveLength(1);
    expect(src.queries[0]).toMatchObject({
      table: 'authorizationresources',
      types: ['microsoft.authorization/roledefinitions'],
      names: [READER],
    });
    expect(rows).toHaveLength(1);
    expect(rows[0]?.properties).toEqual({ roleName: 'Reader', type: 'BuiltInRole' });
  });

  it('asks nothing when no role assignment is among the rows', async () => {
    const src = source(() => []);
    expect(await roleDefinitionsFor([], { source: src, batches, log })).toEqual([]);
    expect(src.queries).toHaveLength(0);
  });

  it('costs names, not the scan, when Resource Graph refuses', async () => {
    const logged: string[] = [];
    const src = source(() => {
      throw new SourceError('no access', 'forbidden', 403);
    });
    const rows = await roleDefinitionsFor([assignment(READER)], {
      source: src,
      batches,
      log: (message) => logged.push(message),
    });
    expect(rows).toEqual([]);
    expect(logged[0]).toContain('role names not read');
  });
});

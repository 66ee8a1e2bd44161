import { describe, expect, it } from 'vitest';
import { buildKql, kqlString } from '../../src/adapters/resource-graph/kql.js';

describe('buildKql', () => {
  it('selects by type, projects and sorts by id ascending', () => {
    expect(buildKql({ table: 'resources', types: ['b/x', 'A/Y'], columns: ['id', 'type'] })).toBe(
      "resources | where type in~ ('a/y', 'b/x') | project id, type | order by id asc",
    );
    expect(
      buildKql({
        table: 'resourcecontainers',
        types: ['microsoft.resources/subscriptions'],
        columns: ['id'],
      }),
    ).toBe(
      "resourcecontainers | where type =~ 'microsoft.resources/subscriptions' | project id | order by id asc",
    );
  });
  it('selects by name too when asked (role definitions by GUID)', () => {
    expect(
      buildKql({
        table: 'authorizationresources',
        types: ['microsoft.authorization/roledefinitions'],
        columns: ['id', 'name'],
        names: ['B24988AC-6180-42a0-ab88-20f7382dd24c', "x'y"],
      }),
    ).toBe(
      "authorizationresources | where type =~ 'microsoft.authorization/roledefinitions' | where name in~ ('b24988ac-6180-42a0-ab88-20f7382dd24c', 'x\\'y') | project id, name | order by id asc",
    );
  });
  it('escapes string literals', () => {
    expect(kqlString("it's\\x")).toBe("'it\\'s\\\\x'");
  });
  it('refuses a query without types', () => {
    expect(() => buildKql({ table: 'resources', types: [], columns: ['id'] })).toThrow(
      /at least one type/,
    );
  });
});

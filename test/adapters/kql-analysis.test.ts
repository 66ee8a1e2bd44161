// Every query the product can send to Resource Graph passes Microsoft's KQL analysis (the Kusto.Language
// parser and analyser of @kusto/language-service-next) against the Resource Graph table schemas.
// The queries are not written down here: a scan runs through the real source adapter for every scope,
// filter combination and rule set, and the requests the SDK client would send are recorded.
import { ResourceGraphClient } from '@azure/arm-resourcegraph';
import type { TokenCredential } from '@azure/core-auth';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  analyzeKql,
  ARG_TABLES,
  errorsOf,
  type KustoDiagnostic,
} from '../../dev/emulators/resource-graph/kusto.js';
import { buildKql } from '../../src/adapters/resource-graph/kql.js';
import { ResourceGraphSource } from '../../src/adapters/resource-graph/source.js';
import { evaluateTenant, ROW_COLUMNS } from '../../src/app/evaluate-tenant.js';
import { rowsByIdQuery } from '../../src/app/scan/read-retirements.js';
import { exportTenant } from '../../src/app/export-tenant.js';
import type { Scope, ScopeFilter } from '../../src/app/ports.js';
import { CLASSIC_RULES, DEFAULT_CATALOG } from '../../src/rules/index.js';
import type { Rule } from '../../src/rules/define-rule.js';

interface Sent {
  readonly query: string;
  readonly scope: string;
}

const credential: TokenCredential = {
  getToken: async () => ({ token: 'unused', expiresOnTimestamp: Date.now() + 3_600_000 }),
};

const SCOPES: readonly Scope[] = [
  { kind: 'tenant' },
  { kind: 'managementGroups', ids: ['contoso-root', 'platform'] },
  {
    kind: 'subscriptions',
    ids: [1, 2, 3, 4, 5].map((n) => `00000000-0000-0000-0000-00000000000${n}`),
  },
];

// Each part of the filter, with values that need escaping (quotes, backslashes, non-ASCII).
const FILTER_PARTS: Required<ScopeFilter> = {
  excludeSubscriptions: ['00000000-0000-0000-0000-000000000002', "o'brien\\sub"],
  excludeResourceGroups: ['rg-legacy', 'it\'s "quoted"', 'gruppe-ä'],
  excludeTypes: ['Microsoft.ClassicCompute/DomainNames'],
  excludeTags: [
    { key: 'env', value: 'dev' },
    { key: "team's \\ name", value: 'a"b' },
  ],
};
const PART_NAMES = Object.keys(FILTER_PARTS) as (keyof ScopeFilter)[];

/** All 16 combinations of the filter's parts, from none to all. */
function filterCombinations(): ScopeFilter[] {
  const out: ScopeFilter[] = [];
  for (let mask = 0; mask < 1 << PART_NAMES.length; mask++) {
    const filter: Record<string, unknown> = {};
    PART_NAMES.forEach((name, i) => {
      if (mask & (1 << i)) filter[name] = FILTER_PARTS[name];
    });
    out.push(filter as ScopeFilter);
  }
  return out;
}

async function recordScan(
  sent: Sent[],
  rules: readonly Rule[],
  scope: Scope,
  filter: ScopeFilter,
  keepTags: boolean,
): Promise<void> {
  const source = new ResourceGraphSource({ credential, batchSize: 2, maxAttempts: 1 });
  const result = await evaluateTenant(
    {
      source,
      rules,
      now: new Date('2026-06-01T00:00:00Z'),
      log: () => undefined,
      filter,
      ...(keepTags ? { keepTag: (name: string) => name.toLowerCase() === 'owner' } : {}),
    },
    scope,
    async () => undefined,
  );
  if (result.fatal) throw new Error(`recording scan failed: ${result.fatal}`);
}

describe("the product's Resource Graph queries pass Microsoft's KQL analysis", () => {
  const sent: Sent[] = [];

  beforeAll(async () => {
    // The SDK client is the boundary: record what would go on the wire, answer with no rows.
    vi.spyOn(ResourceGraphClient.prototype, 'resources').mockImplementation(async (request) => {
      const scope = request.subscriptions
        ? `subscriptions:${request.subscriptions.length}`
        : request.managementGroups
          ? 'managementGroups'
          : 'tenant';
      sent.push({ query: request.query, scope });
      return { totalRecords: 0, count: 0, resultTruncated: 'false', facets: [], data: [] };
    });
    for (const scope of SCOPES)
      for (const filter of filterCombinations())
        for (const keepTags of [false, true])
          await recordScan(sent, DEFAULT_CATALOG, scope, filter, keepTags);
    // The export (`readiness export`) sends the scan's queries and its own listing of containers.
    for (const scope of SCOPES)
      for (const filter of [{}, FILTER_PARTS])
        await exportTenant(
          {
            source: new ResourceGraphSource({ credential, batchSize: 2, maxAttempts: 1 }),
            rules: DEFAULT_CATALOG,
            filter,
          },
          scope,
          () => undefined,
        );
    // One rule at a time: single-type queries (`type =~ …`) as well as type lists (`type in~ (…)`).
    for (const rule of CLASSIC_RULES)
      for (const filter of [{}, FILTER_PARTS])
        await recordScan(sent, [rule], { kind: 'tenant' }, filter, true);
  });

  afterAll(() => {
    vi.restoreAllMocks();
  });

  it('covers every scope, every table and both forms of the type filter', () => {
    expect(new Set(sent.map((s) => s.scope))).toEqual(
      // Batches of 2 for the streamed queries; the reads taken whole list up to 1,000 (all 5, or 4 left
      // after an excluded one).
      new Set([
        'tenant',
        'managementGroups',
        'subscriptions:2',
        'subscriptions:1',
        'subscriptions:5',
        'subscriptions:4',
      ]),
    );
    const tables = new Set(sent.map((s) => s.query.split(' ')[0]));
    expect(tables).toEqual(
      new Set([
        'resourcecontainers',
        'resources',
        'authorizationresources',
        'advisorresources',
        'servicehealthresources',
      ]),
    );
    const queries = new Set(sent.map((s) => s.query));
    // The retirement sources: Advisor's catalog and impacted resources, Service Health notices, and the
    // Manual entries' published queries the product accepts.
    for (const part of [
      "advisorresources | where type =~ 'microsoft.advisor/metadata'",
      "advisorresources | where type =~ 'microsoft.advisor/recommendations' | where properties.extendedProperties.recommendationSubCategory =~ 'ServiceUpgradeAndRetirement'",
      "servicehealthresources | where type =~ 'microsoft.resourcehealth/events' | where properties.EventType =~ 'HealthAdvisory' | where properties.EventSubType =~ 'Retirement'",
      "servicehealthresources | where type =~ 'microsoft.resourcehealth/events/impactedresources'",
      "resources | where type =~ 'microsoft.sql/servers'",
    ])
      expect(
        [...queries].some((q) => q.startsWith(part)),
        part,
      ).toBe(true);
    expect([...queries].some((q) => / \| where type =~ '/.test(q))).toBe(true);
    expect([...queries].some((q) => / \| where type in~ \(/.test(q))).toBe(true);
    for (const part of ['subscriptionId !in~', 'resourceGroup !in~', 'type !in~', 'tags['])
      expect([...queries].some((q) => q.includes(` | where ${part}`))).toBe(true);
    // The ids of the resources a tag exclusion leaves out (so their stored findings are kept).
    expect(
      [...queries].some((q) => / \| where tags\[.*\] =~ .* \| project id, subscriptionId /.test(q)),
    ).toBe(true);
  });

  it('every query analyses without an error diagnostic', () => {
    const problems: { query: string; diagnostics: KustoDiagnostic[] }[] = [];
    for (const query of new Set(sent.map((s) => s.query))) {
      const errors = errorsOf(analyzeKql(query));
      if (errors.length > 0) problems.push({ query, diagnostics: errors });
    }
    expect(problems).toEqual([]);
  });

  it("the impacted resources' own rows, by id (the retirement sources' client-side join), analyse too", () => {
    const ids = [
      '/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm1',
      "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/o'brien/providers/Microsoft.Web/sites/a\\b",
    ];
    for (const [columns, excluded] of [
      [ROW_COLUMNS, undefined],
      [['id', 'subscriptionId', 'tags'], FILTER_PARTS.excludeSubscriptions],
    ] as const) {
      const kql = rowsByIdQuery(ids, columns, excluded).kql as string;
      expect(kql).toMatch(/^resources \| where id in~ \(/);
      expect(errorsOf(analyzeKql(kql))).toEqual([]);
    }
  });

  it('the analysis catches a query Resource Graph would reject', () => {
    // The same builder, asked for a column the tables do not have and a table the schema does not know.
    const badColumn = buildKql({ table: 'resources', types: ['x'], columns: ['id', 'Name'] });
    expect(errorsOf(analyzeKql(badColumn)).map((d) => d.code)).toEqual(['KS142']);
    const badTable = badColumn.replace(/^resources/, 'classicresources');
    expect(errorsOf(analyzeKql(badTable)).map((d) => d.code)).toEqual(['KS204']);
    // Members are read from dynamic columns only.
    expect(
      errorsOf(analyzeKql("resources | where name['x'] !~ 'y'")).map((d) => d.code),
    ).not.toEqual([]);
  });

  it('the schema has the five tables, each under both documented spellings', () => {
    for (const table of ARG_TABLES) {
      for (const name of [table.name, table.documented])
        expect(errorsOf(analyzeKql(`${name} | project id | take 1`))).toEqual([]);
    }
  });
});

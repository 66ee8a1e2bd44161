// Use case: export the rows a scan reads — the very queries a scan sends, every table the rules need — so that
// `scan --input`, `digest --input` and `plan` give offline what a live scan gives.
import { toResourceRow, type ResourceRow } from '../core/resource.js';
import type { Rule } from '../rules/define-rule.js';
import { queriesFor, ROW_COLUMNS } from './evaluate-tenant.js';
import { roleDefinitionsFor } from './role-definitions.js';
import { refersToClassic } from './scan/index-references.js';
import type {
  GraphQuery,
  ResourceSource,
  Scope,
  ScopeFilter,
  SubscriptionLister,
} from './ports.js';
import {
  CATALOG_QUERY,
  IDS_PER_QUERY,
  IMPACTED_QUERY,
  impactedResourceIds,
  NOTICES_QUERY,
  RECOMMENDATIONS_QUERY,
  rowsByIdQuery,
} from './scan/read-retirements.js';

export interface ExportProgress {
  readonly pages: number;
  readonly rows: number;
  readonly batch: number;
  readonly batches: number;
}

export interface ExportResult {
  readonly rows: number;
  readonly subscriptions: number;
  readonly pages: number;
}

const CONTAINERS: GraphQuery = {
  table: 'resourcecontainers',
  types: ['microsoft.resources/subscriptions', 'microsoft.resources/subscriptions/resourcegroups'],
  columns: ['id', 'name', 'type', 'subscriptionId', 'resourceGroup', 'tags'],
};

/**
 * Pages through the scope batch by batch — subscriptions and resource groups (names and owner tags), the rows
 * that point at classic resources, the rows the rules decide on — and hands each row to `write`, once. A page
 * that fails ends the export with the source's error: a partial export is never passed off as complete.
 */
export async function exportTenant(
  deps: {
    readonly source: ResourceSource;
    readonly rules: readonly Rule[];
    readonly filter?: ScopeFilter | undefined;
    readonly onProgress?: ((progress: ExportProgress) => void) | undefined;
    /**
     * Lists a tenant or management-group scope through ARM (no 10,000-subscription cap), as a scan does; the export
     * then queries explicit batches. Without it such a scope is queried as it is, and fails past the cap.
     */
    readonly lister?: SubscriptionLister | undefined;
  },
  requested: Scope,
  write: (row: unknown) => void | Promise<void>,
  signal?: AbortSignal,
): Promise<ExportResult> {
  const scope: Scope =
    deps.lister && requested.kind !== 'subscriptions'
      ? {
          kind: 'subscriptions',
          ids: (await deps.lister.list(requested, signal)).map((s) => s.subscriptionId).sort(),
        }
      : requested;
  const planned = queriesFor(deps.rules);
  const dataDefined = deps.rules.some((r) => r.retirement);
  const subscriptionsOnly = deps.filter?.excludeSubscriptions?.length
    ? { excludeSubscriptions: deps.filter.excludeSubscriptions }
    : undefined;
  const queries: [GraphQuery, ((row: ResourceRow) => boolean) | undefined][] = [
    [{ ...CONTAINERS, exclude: subscriptionsOnly }, undefined],
    ...planned.references.map((q): [GraphQuery, (row: ResourceRow) => boolean] => [
      { ...q, exclude: subscriptionsOnly },
      refersToClassic,
    ]),
    ...planned.targets.map((q): [GraphQuery, undefined] => [
      { ...q, exclude: deps.filter },
      undefined,
    ]),
    // The retirement sources a scan reads when the rules hold data-defined retirements (Manual entries'
    // queries are not exported: `scan --input` lists them as not evaluated). The catalog comes after the
    // batches, read once at tenant scope as a scan reads it.
    ...(dataDefined
      ? [RECOMMENDATIONS_QUERY, NOTICES_QUERY, IMPACTED_QUERY].map((q): [GraphQuery, undefined] => [
          { ...q, exclude: subscriptionsOnly },
          undefined,
        ])
      : []),
  ];
  const excluded = new Set((deps.filter?.excludeSubscriptions ?? []).map((s) => s.toLowerCase()));
  const batches = deps.source
    .batches(
      scope.kind === 'subscriptions'
        ? { kind: 'subscriptions', ids: scope.ids.filter((id) => !excluded.has(id.toLowerCase())) }
        : scope,
    )
    .filter((b) => b.kind !== 'subscriptions' || b.ids.length > 0);
  const seen = new Set<string>();
  const subscriptions = new Set<string>();
  // What the references point at by GUID (role definitions) is read once every reference is in.
  const references: ResourceRow[] = [];
  let pages = 0;
  let rows = 0;
  const emit = async (
    query: GraphQuery,
    keep: ((row: ResourceRow) => boolean) | undefined,
    batch: Scope,
    i: number,
    sourceRows?: unknown[],
  ) => {
    for await (const page of deps.source.pages(query, batch, signal, (notice) => {
      // Past the cap Resource Graph answers for some subscriptions only: never passed off as the whole scope.
      if (notice.subscriptionLimitHit)
        throw new Error(
          'Resource Graph answered for the first 10,000 subscriptions of the scope only (x-ms-tenant-subscription-limit-hit): the export would miss the others; list the scope through ARM or export explicit subscriptions',
        );
    })) {
      pages++;
      for (const raw of page) {
        sourceRows?.push(raw);
        const parsed = toResourceRow(raw);
        // Malformed rows go out as they came: the reader reports them, as it would for any export.
        if (parsed.ok) {
          if (keep && !keep(parsed.row)) continue;
          if (keep) references.push(parsed.row);
          const key = `${parsed.row.type}|${parsed.row.id.toLowerCase()}`;
          if (seen.has(key)) continue; // a row both referenced and targeted is written once
          seen.add(key);
          if (parsed.row.subscriptionId) subscriptions.add(parsed.row.subscriptionId);
        }
        await write(raw);
        rows++;
      }
      deps.onProgress?.({ pages, rows, batch: i + 1, batches: batches.length });
    }
  };
  for (const [i, batch] of batches.entries()) {
    // The retirement sources' rows of the batch: the rows of the resources they name follow (owners, tags).
    const sourceRows: unknown[] = [];
    for (const [query, keep] of queries)
      await emit(
        query,
        keep,
        batch,
        i,
        query.table === 'advisorresources' || query.table === 'servicehealthresources'
          ? sourceRows
          : undefined,
      );
    const ids = impactedResourceIds(sourceRows);
    for (let n = 0; n < ids.length; n += IDS_PER_QUERY)
      await emit(
        rowsByIdQuery(
          ids.slice(n, n + IDS_PER_QUERY),
          ROW_COLUMNS,
          subscriptionsOnly?.excludeSubscriptions,
        ),
        undefined,
        batch,
        i,
      );
  }
  // Advisor's catalog belongs to no subscription: a subscription or management-group scope returns none of it.
  if (dataDefined)
    for await (const page of deps.source.pages(
      { ...CATALOG_QUERY, exclude: subscriptionsOnly },
      { kind: 'tenant' },
      signal,
    )) {
      pages++;
      for (const raw of page) {
        await write(raw);
        rows++;
      }
      deps.onProgress?.({ pages, rows, batch: batches.length, batches: batches.length });
    }
  const before = deps.source.stats().pages;
  for (const definition of await roleDefinitionsFor(references, {
    source: deps.source,
    batches,
    exclude: subscriptionsOnly,
    log: () => undefined,
    ...(signal ? { signal } : {}),
  })) {
    await write(definition);
    rows++;
  }
  pages += deps.source.stats().pages - before;
  return { rows, subscriptions: subscriptions.size, pages };
}

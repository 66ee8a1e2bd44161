// Stage 2b: the retirement sources — Advisor's retirement catalog and impacted resources, Service Health
// retirement notices, and the published queries of Manual catalog entries — read through the scan's source
// (same client, pacer and quota) and turned into findings by subscription. Each source is safe on its own: one
// that fails or is truncated leaves the findings it produces as they were and makes the scan partial.
import type { Finding } from '../../core/finding.js';
import {
  acceptManualQuery,
  ADVISOR_METADATA,
  ADVISOR_RECOMMENDATION,
  advisorHit,
  catalogOfRows,
  HEALTH_EVENT,
  HEALTH_IMPACTED,
  HEALTH_RULE_PREFIX,
  healthImpact,
  healthNotice,
  RETIREMENT_SUBCATEGORY,
  retirementFindings,
  type AdvisorHit,
  type DataRetirement,
  type HealthNotice,
} from '../../rules/retirement/data-retirements.js';
import {
  SourceError,
  type GraphQuery,
  type RetirementSourceOutcome,
  type Scope,
  type ScopeFilter,
} from '../ports.js';
import { DEFAULT_CHAINS, eachConcurrently } from './chains.js';
import { describe, type StageContext } from './state.js';

const COLUMNS = ['id', 'name', 'type', 'subscriptionId', 'properties'];

/** The catalog: `advisorresources`, English rows are kept client-side (rows exist per language). */
export const CATALOG_QUERY: GraphQuery = {
  table: 'advisorresources',
  types: [ADVISOR_METADATA],
  columns: COLUMNS,
};
/** Impacted resources: Advisor's retirement subcategory, filtered in the query (what Microsoft's sample does). */
export const RECOMMENDATIONS_QUERY: GraphQuery = {
  table: 'advisorresources',
  types: [ADVISOR_RECOMMENDATION],
  columns: COLUMNS,
  where: [
    {
      path: 'properties.extendedProperties.recommendationSubCategory',
      equals: RETIREMENT_SUBCATEGORY,
    },
  ],
};
/** Service Health retirement notices. */
export const NOTICES_QUERY: GraphQuery = {
  table: 'servicehealthresources',
  types: [HEALTH_EVENT],
  columns: COLUMNS,
  where: [
    { path: 'properties.EventType', equals: 'HealthAdvisory' },
    { path: 'properties.EventSubType', equals: 'Retirement' },
  ],
};
/** The resources a notice lists, where Microsoft publishes them. */
export const IMPACTED_QUERY: GraphQuery = {
  table: 'servicehealthresources',
  types: [HEALTH_IMPACTED],
  columns: COLUMNS,
};

export interface RetirementRead {
  /** Fresh retirement findings by lower-case subscription id (only those of sources read completely). */
  readonly bySubscription: Map<string, Finding[]>;
  /** True for a rule id whose stored findings must stay as they were (its source was not read completely). */
  readonly frozen: (ruleId: string) => boolean;
  /**
   * True for a rule whose findings stay open once seen: Service Health notices leave the active view after
   * about 90 days, and a retirement a notice announced does not go away because the notice did.
   */
  readonly keepUnseen: (ruleId: string) => boolean;
  readonly sources: RetirementSourceOutcome[];
  readonly notEvaluated: { ruleId: string; reason: string }[];
  /** The retirements findings were made for, by id (for the catalog shown with them). */
  readonly retirements: DataRetirement[];
}

export interface RetirementReadInput {
  readonly batches: readonly Scope[];
  /**
   * Where the catalog is read: its rows belong to no subscription, so only a tenant-scope query returns them
   * (default: `batches`, which then find none and the built-in snapshot stays).
   */
  readonly catalogBatches?: readonly Scope[] | undefined;
  /** The built-in snapshot of the catalog; the live catalog read is laid over it. */
  readonly catalog: readonly DataRetirement[];
  readonly claimed?: ReadonlyMap<string, { ruleId: string; types: readonly string[] }>;
  readonly exclude?: ScopeFilter | undefined;
  /** Rule ids the engine decides (hand-written): never frozen by a retirement source. */
  readonly engineRules: ReadonlySet<string>;
}

/** Excluded subscriptions go into a Manual entry's query too, right after its table: they cost no quota. */
function withExclusions(
  kql: string,
  table: string,
  excluded: readonly string[] | undefined,
): string {
  if (!excluded?.length) return kql;
  const list = excluded.map((s) => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`).join(', ');
  const rest = kql.trim().slice(table.length);
  return `${table} | where subscriptionId !in~ (${list})${rest}`;
}

/**
 * Every row of some queries, each query of each batch its own chain (several at once, under the source's pacer),
 * put together in the queries' and batches' order; and the pages they cost.
 */
async function readAll(
  ctx: StageContext,
  reads: readonly { query: GraphQuery; batches: readonly Scope[] }[],
): Promise<{ rows: unknown[]; pages: number }> {
  const chains = reads.flatMap(({ query, batches }) => batches.map((batch) => ({ query, batch })));
  const found: unknown[][] = chains.map(() => []);
  let pages = 0;
  try {
    await eachConcurrently(chains, ctx.chains ?? DEFAULT_CHAINS, async ({ query, batch }, i) => {
      for await (const page of ctx.source.pages(query, batch, ctx.signal)) {
        pages++;
        found[i]?.push(...page);
      }
    });
  } catch (error) {
    throw Object.assign(new ReadFailure(error), { pages });
  }
  return { rows: found.flat(), pages };
}

/** A read that failed, with the pages it cost before it did. */
class ReadFailure {
  pages = 0;
  constructor(readonly error: unknown) {}
}

function reasonOf(error: unknown): string {
  return error instanceof SourceError ? `${error.reason}: ${error.message}` : describe(error);
}

export async function readRetirements(
  ctx: StageContext,
  input: RetirementReadInput,
): Promise<RetirementRead> {
  const sources: RetirementSourceOutcome[] = [];
  const notEvaluated: { ruleId: string; reason: string }[] = [];
  const subscriptionsOnly = input.exclude?.excludeSubscriptions?.length
    ? { excludeSubscriptions: input.exclude.excludeSubscriptions }
    : undefined;
  // Each source reads at once with the others; its outcome is recorded in a fixed order (`settle`).
  const read = async (
    name: string,
    queries: GraphQuery[],
  ): Promise<{ rows: unknown[] | undefined; outcome: RetirementSourceOutcome }> => {
    try {
      const { rows, pages } = await readAll(
        ctx,
        queries.map((q) => ({
          query: { ...q, exclude: subscriptionsOnly },
          batches: q === CATALOG_QUERY ? (input.catalogBatches ?? input.batches) : input.batches,
        })),
      );
      return { rows, outcome: { source: name, outcome: 'complete', rows: rows.length, pages } };
    } catch (failure) {
      const error = failure instanceof ReadFailure ? failure.error : failure;
      const pages = failure instanceof ReadFailure ? failure.pages : 0;
      const reason = reasonOf(error);
      ctx.log('retirement source failed', { source: name, reason });
      if (ctx.signal?.aborted) throw error;
      return {
        rows: undefined,
        outcome: { source: name, outcome: 'failed', reason, rows: 0, pages },
      };
    }
  };
  const settle = (read: { rows: unknown[] | undefined; outcome: RetirementSourceOutcome }) => {
    sources.push(read.outcome);
    return read.rows;
  };

  // 1. The catalog (metadata rows are tenant-level: a subscription-scoped read finds none, the snapshot stays),
  // and 2. Service Health notices and the resources they list, read at the same time.
  const [advisorRead, healthRead] = await Promise.all([
    read('advisor', [CATALOG_QUERY, RECOMMENDATIONS_QUERY]),
    read('service-health', [NOTICES_QUERY, IMPACTED_QUERY]),
  ]);
  const advisorRows = settle(advisorRead);
  const healthRows = settle(healthRead);
  const live = advisorRows ? catalogOfRows(advisorRows) : [];
  const byId = new Map(input.catalog.map((r) => [r.recommendationTypeId ?? r.id, r]));
  for (const r of live) byId.set(r.recommendationTypeId ?? r.id, r);
  const catalog = [...byId.values()];
  const recommendations: AdvisorHit[] = [];
  for (const row of advisorRows ?? []) {
    const hit = advisorHit(row);
    if (!('skip' in hit)) recommendations.push(hit);
  }

  const notices: HealthNotice[] = [];
  const impacted: { trackingId: string; resourceId: string; subscriptionId: string }[] = [];
  for (const row of healthRows ?? []) {
    const n = healthNotice(row);
    if (!('skip' in n)) notices.push(n);
    const i = healthImpact(row);
    if (!('skip' in i)) impacted.push(i);
  }

  // 3. Manual entries: Microsoft's published query, when it is one the product runs.
  const manual = new Map<string, { id: string; subscriptionId: string }[]>();
  const unknownRules = new Set<string>();
  const manualReads: { entry: DataRetirement; query: GraphQuery }[] = [];
  for (const entry of catalog.filter((r) => r.origin === 'Manual')) {
    if (input.engineRules.has(entry.id)) continue;
    const accepted = acceptManualQuery(entry.dataSourceQuery);
    if (!accepted.ok) {
      notEvaluated.push({ ruleId: entry.id, reason: accepted.reason });
      unknownRules.add(entry.id);
      continue;
    }
    const query: GraphQuery = {
      table: accepted.table,
      types: [],
      columns: [],
      kql: withExclusions(accepted.kql, accepted.table, subscriptionsOnly?.excludeSubscriptions),
    };
    manualReads.push({ entry, query });
  }
  // Every accepted query at once (each its own chain), taken in the catalog's order.
  const manualRows = await Promise.all(
    manualReads.map(({ entry, query }) => read(`manual:${entry.id}`, [query])),
  );
  for (const [i, { entry }] of manualReads.entries()) {
    const rows = settle(manualRows[i] as Awaited<ReturnType<typeof read>>);
    if (!rows) {
      // A query that fails makes that retirement unknown for this scan, never the whole scan.
      unknownRules.add(entry.id);
      continue;
    }
    const found: { id: string; subscriptionId: string }[] = [];
    for (const row of rows) {
      const id = (row as { id?: unknown }).id;
      if (typeof id !== 'string') continue;
      const sub = /^\/subscriptions\/([^/]+)/i.exec(id)?.[1];
      if (sub) found.push({ id, subscriptionId: sub });
    }
    manual.set(entry.id, found);
  }

  const result = retirementFindings({
    catalog,
    recommendations,
    notices,
    impacted,
    manual,
    ...(input.claimed ? { claimed: input.claimed } : {}),
    now: ctx.now,
    ...(ctx.thresholds ? { thresholds: ctx.thresholds } : {}),
  });
  // One failed Advisor or Service Health read freezes every data-defined retirement (a finding can come from
  // either); a failed Manual query freezes its own retirement only.
  const sourceFailed = advisorRows === undefined || healthRows === undefined;
  const frozen = (ruleId: string): boolean =>
    !input.engineRules.has(ruleId) && (sourceFailed || unknownRules.has(ruleId));
  const excludedGroups = new Set(
    (ctx.filter?.excludeResourceGroups ?? []).map((g) => g.toLowerCase()),
  );
  const excludedTypes = new Set((ctx.filter?.excludeTypes ?? []).map((t) => t.toLowerCase()));
  const excludedSubs = new Set(
    (ctx.filter?.excludeSubscriptions ?? []).map((s) => s.toLowerCase()),
  );
  const bySubscription = new Map<string, Finding[]>();
  for (const f of result.findings) {
    if (frozen(f.ruleId)) continue;
    if (excludedSubs.has(f.subscriptionId.toLowerCase())) continue;
    if (excludedGroups.has(f.resourceGroup.toLowerCase())) continue;
    if (excludedTypes.has(f.resourceType.toLowerCase())) continue;
    const key = f.subscriptionId.toLowerCase();
    const list = bySubscription.get(key);
    if (list) list.push(f);
    else bySubscription.set(key, [f]);
  }
  ctx.log('retirement sources read', {
    findings: result.findings.length,
    sources: sources.map((s) => `${s.source}:${s.outcome}`).join(','),
    notEvaluated: notEvaluated.length,
  });
  const keepUnseen = (ruleId: string): boolean => ruleId.startsWith(HEALTH_RULE_PREFIX);
  return {
    bySubscription,
    frozen,
    keepUnseen,
    sources,
    notEvaluated,
    retirements: result.retirements,
  };
}

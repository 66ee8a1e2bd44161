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
  manualNotEvaluated,
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

/**
 * What `frozen`, `tagsOf` and `excluded` decide from, as data: a scan's batches, on other instances, rebuild them
 * from this (`retirementScope`).
 */
export interface RetirementFreeze {
  /** Rule ids the engine decides (hand-written): never frozen. */
  readonly engineRules: readonly string[];
  /** Rules frozen on their own (a failed Manual query). */
  readonly unknownRules: readonly string[];
  /** The catalog read failed: only the retirements the snapshot knows keep their identity. */
  readonly catalogFailed: boolean;
  readonly snapshotRules: readonly string[];
  /** Advisor's recommendations failed: every retirement but Manual entries and notices is unknown. */
  readonly recommendationsFailed: boolean;
  readonly manualRules: readonly string[];
  /** Service Health failed: its notices and the catalog entries with tracking ids are unknown. */
  readonly healthFailed: boolean;
  readonly trackedRules: readonly string[];
  /** The impacted resources' own rows failed: the rules with findings on resources are unknown. */
  readonly tagsFailed: boolean;
  readonly onResourceRules: readonly string[];
  /**
   * Lower-case ids of resources kept open once seen by a Service Health notice that a complete read of their own
   * rows no longer found: deleted or moved, so their findings resolve. (Absent in plans written before it.)
   */
  readonly goneResources?: readonly string[];
}

/** `frozen`, `keepUnseen`, `tagsOf` and `excluded` of a read, from its data. */
export function retirementScope(
  freeze: RetirementFreeze,
  tags: ReadonlyMap<string, Readonly<Record<string, string>>>,
  tagExclusions: ScopeFilter['excludeTags'],
): Pick<RetirementRead, 'frozen' | 'keepUnseen' | 'gone' | 'tagsOf' | 'excluded'> {
  const engine = new Set(freeze.engineRules);
  const unknown = new Set(freeze.unknownRules);
  const snapshot = new Set(freeze.snapshotRules);
  const manual = new Set(freeze.manualRules);
  const tracked = new Set(freeze.trackedRules);
  const onResources = new Set(freeze.onResourceRules);
  const fromHealthOnly = (ruleId: string) => ruleId.startsWith(HEALTH_RULE_PREFIX);
  const gone = new Set(freeze.goneResources ?? []);
  const tagsOf = (resourceId: string) => tags.get(resourceId.toLowerCase());
  return {
    frozen: (ruleId) => {
      if (engine.has(ruleId)) return false;
      if (unknown.has(ruleId)) return true;
      // The catalog names the retirements: without it, only those the snapshot knows keep their identity.
      if (freeze.catalogFailed && !snapshot.has(ruleId)) return true;
      // Advisor's recommendations make findings for every retirement but Manual entries and notices.
      if (freeze.recommendationsFailed && !manual.has(ruleId) && !fromHealthOnly(ruleId))
        return true;
      // Service Health makes findings for its own notices and the entries whose tracking ids they carry.
      if (freeze.healthFailed && (fromHealthOnly(ruleId) || tracked.has(ruleId))) return true;
      return freeze.tagsFailed && onResources.has(ruleId);
    },
    // Retirements announced by a Service Health notice stay open once seen, while their resource exists.
    keepUnseen: (ruleId, resourceId) =>
      fromHealthOnly(ruleId) && !gone.has(resourceId.toLowerCase()),
    gone: (resourceId) => gone.has(resourceId.toLowerCase()),
    tagsOf,
    excluded: (resourceId) => taggedOut(tagsOf(resourceId), tagExclusions ?? []),
  };
}

export interface RetirementRead {
  readonly freeze: RetirementFreeze;
  /** The own tags of the resources retirement findings are on, by lower-case id. */
  readonly tags: ReadonlyMap<string, Readonly<Record<string, string>>>;
  /** Fresh retirement findings by lower-case subscription id (those of retirements whose sources were read). */
  readonly bySubscription: Map<string, Finding[]>;
  /**
   * True for a rule id whose stored findings must stay as they were: a source it depends on was not read
   * completely this time (its retirement is unknown for this scan). Only the retirements of that source.
   */
  readonly frozen: (ruleId: string) => boolean;
  /**
   * True for a finding that stays open once seen: Service Health notices leave the active view after about 90
   * days, and a retirement a notice announced does not go away because the notice did — unless its resource did.
   */
  readonly keepUnseen: (ruleId: string, resourceId: string) => boolean;
  /** True for a resource kept open once seen that a complete read no longer found (its findings resolve). */
  readonly gone: (resourceId: string) => boolean;
  /** The tags of the resource a retirement finding is on, from its own `resources` row (any case of the id). */
  readonly tagsOf: (resourceId: string) => Readonly<Record<string, string>> | undefined;
  /** True for a resource the scope's tag exclusions leave out: its stored findings stay as they are. */
  readonly excluded: (resourceId: string) => boolean;
  readonly sources: RetirementSourceOutcome[];
  readonly notEvaluated: { ruleId: string; reason: string }[];
  /** The retirements findings were made for, by id (for the catalog shown with them). */
  readonly retirements: DataRetirement[];
}

export interface RetirementReadInput {
  readonly batches: readonly Scope[];
  /** The built-in snapshot of the catalog; the live catalog read is laid over it. */
  readonly catalog: readonly DataRetirement[];
  /** When the snapshot was taken (YYYY-MM-DD), said whenever it stands in for the live catalog. */
  readonly snapshotTaken?: string | undefined;
  readonly claimed?: ReadonlyMap<string, { ruleId: string; types: readonly string[] }>;
  readonly exclude?: ScopeFilter | undefined;
  /** Rule ids the engine decides (hand-written): never frozen by a retirement source. */
  readonly engineRules: ReadonlySet<string>;
  /** Lower-case ids of resources kept open once seen by a Service Health notice: read to see they still exist. */
  readonly noticed?: readonly string[] | undefined;
}

/** The catalog's rows belong to no subscription: it is read once, at tenant scope, whatever the scan's scope. */
const TENANT: Scope = { kind: 'tenant' };
/** Resource ids per query of the impacted resources' own rows (keeps each query a few tens of KB). */
export const IDS_PER_QUERY = 200;
const TAG_COLUMNS = ['id', 'subscriptionId', 'tags'];

/** A KQL string literal (single-quoted, backslash escapes), as the adapter writes them. */
const kqlString = (value: string) => `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

/** The own `resources` rows of some resources, by id (any case): a client-side join, no KQL `join`. */
export function rowsByIdQuery(
  ids: readonly string[],
  columns: readonly string[],
  excludeSubscriptions?: readonly string[],
): GraphQuery {
  const list = ids.map((id) => kqlString(id.toLowerCase())).join(', ');
  // Excluded subscriptions go into every query the scan sends, as the adapter writes them.
  const excluded = excludeSubscriptions?.length
    ? ` | where subscriptionId !in~ (${excludeSubscriptions.map(kqlString).join(', ')})`
    : '';
  return {
    table: 'resources',
    types: [],
    columns: [],
    kql: `resources | where id in~ (${list})${excluded} | project ${columns.join(', ')} | order by id asc`,
  };
}

/** The resource ids the retirement sources' rows name (Advisor's `resourceMetadata`, Service Health's targets). */
export function impactedResourceIds(rows: readonly unknown[]): string[] {
  const ids = new Set<string>();
  for (const row of rows) {
    const hit = advisorHit(row);
    if (!('skip' in hit)) ids.add(hit.resourceId.toLowerCase());
    const impact = healthImpact(row);
    if (!('skip' in impact)) ids.add(impact.resourceId.toLowerCase());
  }
  return [...ids].filter((id) => /\/providers\//i.test(id)).sort();
}

/** Excluded subscriptions go into a Manual entry's query too, right after its table: they cost no quota. */
function withExclusions(
  kql: string,
  table: string,
  excluded: readonly string[] | undefined,
): string {
  if (!excluded?.length) return kql;
  const list = excluded.map(kqlString).join(', ');
  const rest = kql.trim().slice(table.length);
  return `${table} | where subscriptionId !in~ (${list})${rest}`;
}

/** The pages a source's reads cost: counted by the reads themselves (other stages read at the same time). */
interface PageCounter {
  pages: number;
}

/**
 * Every row of a query over batches, each batch its own chain (several at once, under the source's one pacer), put
 * together in the batches' order.
 */
async function readAll(
  ctx: StageContext,
  query: GraphQuery,
  batches: readonly Scope[],
  counter?: PageCounter,
): Promise<unknown[]> {
  const found: unknown[][] = batches.map(() => []);
  await eachConcurrently(batches, ctx.chains ?? DEFAULT_CHAINS, async (batch, i) => {
    for await (const page of ctx.source.pages(query, batch, ctx.signal)) {
      if (counter) counter.pages++;
      found[i]?.push(...page);
    }
  });
  return found.flat();
}

function reasonOf(error: unknown): string {
  return error instanceof SourceError ? `${error.reason}: ${error.message}` : describe(error);
}

/** `tags[key] =~ value`, as the scope's tag exclusions are written in the queries (key exact, value any case). */
function taggedOut(
  tags: Readonly<Record<string, string>> | undefined,
  exclusions: readonly { key: string; value: string }[],
): boolean {
  if (!tags) return false;
  return exclusions.some(
    (t) => typeof tags[t.key] === 'string' && tags[t.key]!.toLowerCase() === t.value.toLowerCase(),
  );
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
  // Each source's outcome, by its place in the fixed order below: the sources read at the same time (none waits
  // for another it does not need), and the outcomes are listed in that order whatever order they ended in.
  const outcomes: RetirementSourceOutcome[][] = [];
  const read = async (
    name: string,
    queries: readonly GraphQuery[] | ((counter: PageCounter) => Promise<unknown[]>),
    note?: (rows: unknown[] | undefined) => string | undefined,
    at: RetirementSourceOutcome[] = [],
  ): Promise<unknown[] | undefined> => {
    const counter: PageCounter = { pages: 0 };
    const cost = () => ({ pages: counter.pages });
    try {
      const rows: unknown[] =
        typeof queries === 'function'
          ? await queries(counter)
          : // A source's queries at the same time too (Service Health: the notices and the impacted resources).
            (await Promise.all(queries.map((q) => readAll(ctx, q, input.batches, counter)))).flat();
      const said = note?.(rows);
      at.push({
        source: name,
        outcome: 'complete',
        rows: rows.length,
        ...cost(),
        ...(said ? { note: said } : {}),
      });
      return rows;
    } catch (error) {
      const reason = reasonOf(error);
      ctx.log('retirement source failed', { source: name, reason });
      const said = note?.(undefined);
      at.push({
        source: name,
        outcome: 'failed',
        reason,
        rows: 0,
        ...cost(),
        ...(said ? { note: said } : {}),
      });
      if (ctx.signal?.aborted) throw error;
      return undefined;
    }
  };
  const slot = (): RetirementSourceOutcome[] => {
    const at: RetirementSourceOutcome[] = [];
    outcomes.push(at);
    return at;
  };
  const snapshot = `the bundled snapshot${input.snapshotTaken ? ` of ${input.snapshotTaken}` : ''}`;

  // 1–3 at the same time: the catalog, Advisor's impacted resources, Service Health's notices and their resources.
  const catalogSlot = slot();
  const recommendationSlot = slot();
  const healthSlot = slot();
  // 1. The catalog, at tenant scope: its rows belong to no subscription, so a subscription or management-group
  //    scope would return none. The snapshot stands in for what the live read does not give.
  const catalogRead = read(
    'advisor-catalog',
    // Excluded subscriptions are in this query too (as in every query), though its rows belong to none.
    (counter) => readAll(ctx, { ...CATALOG_QUERY, exclude: subscriptionsOnly }, [TENANT], counter),
    (rows) =>
      rows === undefined
        ? `${snapshot} stands in: retirements it does not know are unknown for this scan`
        : catalogOfRows(rows).length === 0
          ? `no catalog rows at tenant scope: ${snapshot} is the catalog`
          : undefined,
    catalogSlot,
  );
  // 2. Advisor's impacted resources.
  const recommendationRead = read(
    'advisor-recommendations',
    [{ ...RECOMMENDATIONS_QUERY, exclude: subscriptionsOnly }],
    undefined,
    recommendationSlot,
  );
  // 3. Service Health notices and the resources they list.
  const healthRead = read(
    'service-health',
    [
      { ...NOTICES_QUERY, exclude: subscriptionsOnly },
      { ...IMPACTED_QUERY, exclude: subscriptionsOnly },
    ],
    undefined,
    healthSlot,
  );
  // A read only throws when the scan is aborted: the first to throw is the one rethrown, the others are let go.
  const settled = <T>(reading: Promise<T>): Promise<T> => {
    reading.catch(() => undefined);
    return reading;
  };
  settled(recommendationRead);
  settled(healthRead);
  // The Manual entries' queries need the catalog only: they do not wait for the other two.
  const catalogRows = await catalogRead;
  const live = catalogRows ? catalogOfRows(catalogRows) : [];
  const byId = new Map(input.catalog.map((r) => [r.recommendationTypeId ?? r.id, r]));
  for (const r of live) byId.set(r.recommendationTypeId ?? r.id, r);
  const catalog = [...byId.values()];

  // 4. Manual entries: Microsoft's published query, when it is one the product runs (all at the same time).
  const manual = new Map<string, { id: string; subscriptionId: string }[]>();
  const unknownRules = new Set<string>();
  // The entries whose query the product does not accept: not evaluated (the CLI's offline scan says the same).
  for (const n of manualNotEvaluated(catalog, { offline: false, skip: input.engineRules })) {
    notEvaluated.push(n);
    unknownRules.add(n.ruleId);
  }
  const manualReads = catalog
    .filter((r) => r.origin === 'Manual' && !input.engineRules.has(r.id))
    .flatMap((entry) => {
      const accepted = acceptManualQuery(entry.dataSourceQuery);
      if (!accepted.ok) return [];
      const query: GraphQuery = {
        table: accepted.table,
        types: [],
        columns: [],
        kql: withExclusions(accepted.kql, accepted.table, subscriptionsOnly?.excludeSubscriptions),
      };
      return [{ entry, reading: settled(read(`manual:${entry.id}`, [query], undefined, slot())) }];
    });
  const recommendationRows = await recommendationRead;
  const recommendations: AdvisorHit[] = [];
  for (const row of recommendationRows ?? []) {
    const hit = advisorHit(row);
    if (!('skip' in hit)) recommendations.push(hit);
  }
  const healthRows = await healthRead;
  const notices: HealthNotice[] = [];
  const impacted: { trackingId: string; resourceId: string; subscriptionId: string }[] = [];
  for (const row of healthRows ?? []) {
    const n = healthNotice(row);
    if (!('skip' in n)) notices.push(n);
    const i = healthImpact(row);
    if (!('skip' in i)) impacted.push(i);
  }
  for (const { entry, reading } of manualReads) {
    const rows = await reading;
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

  // The scope's exclusions by subscription, group and type: decided from the finding itself.
  const excludedGroups = new Set(
    (ctx.filter?.excludeResourceGroups ?? []).map((g) => g.toLowerCase()),
  );
  const excludedTypes = new Set((ctx.filter?.excludeTypes ?? []).map((t) => t.toLowerCase()));
  const excludedSubs = new Set(
    (ctx.filter?.excludeSubscriptions ?? []).map((s) => s.toLowerCase()),
  );
  const inScope = result.findings.filter(
    (f) =>
      !excludedSubs.has(f.subscriptionId.toLowerCase()) &&
      !excludedGroups.has(f.resourceGroup.toLowerCase()) &&
      !excludedTypes.has(f.resourceType.toLowerCase()),
  );
  const onResource = (f: Finding) => /\/providers\//i.test(f.resourceId);

  // 5. The resources the findings are on, their own rows (tags: owners and tag exclusions), joined here by id.
  // With them, the resources kept open once seen by a notice: whether they still exist.
  const noticed = (input.noticed ?? [])
    .map((id) => id.toLowerCase())
    .filter((id) => !excludedSubs.has(/^\/subscriptions\/([^/]+)/.exec(id)?.[1] ?? ''));
  const resourceIds = [
    ...new Set([...inScope.filter(onResource).map((f) => f.resourceId.toLowerCase()), ...noticed]),
  ].sort();
  // Each batch is asked only for the ids of its own subscriptions.
  const batchSubscriptions = input.batches.every((b) => b.kind === 'subscriptions')
    ? new Set(
        input.batches
          .flatMap((b) => (b.kind === 'subscriptions' ? b.ids : []))
          .map((s) => s.toLowerCase()),
      )
    : undefined;
  const inBatches = (id: string) =>
    !batchSubscriptions || batchSubscriptions.has(/^\/subscriptions\/([^/]+)/.exec(id)?.[1] ?? '');
  // One request per IDS_PER_QUERY ids of a batch, each its own chain (they are independent), put together in order.
  const readTags = async (counter: PageCounter): Promise<unknown[]> => {
    const requests: { query: GraphQuery; batch: Scope }[] = [];
    for (const batch of input.batches) {
      const listed =
        batch.kind === 'subscriptions' ? new Set(batch.ids.map((s) => s.toLowerCase())) : undefined;
      const ids = listed
        ? resourceIds.filter((id) => listed.has(/^\/subscriptions\/([^/]+)/.exec(id)?.[1] ?? ''))
        : resourceIds;
      for (let i = 0; i < ids.length; i += IDS_PER_QUERY) {
        const query = rowsByIdQuery(
          ids.slice(i, i + IDS_PER_QUERY),
          TAG_COLUMNS,
          subscriptionsOnly?.excludeSubscriptions,
        );
        requests.push({ query, batch });
      }
    }
    const found: unknown[][] = requests.map(() => []);
    await eachConcurrently(requests, ctx.chains ?? DEFAULT_CHAINS, async ({ query, batch }, i) => {
      for await (const page of ctx.source.pages(query, batch, ctx.signal)) {
        counter.pages++;
        found[i]?.push(...page);
      }
    });
    return found.flat();
  };
  const tagRows = resourceIds.length
    ? await read('resource-tags', readTags, undefined, slot())
    : [];
  const tagsById = new Map<string, Readonly<Record<string, string>>>();
  const found = new Set<string>();
  for (const row of tagRows ?? []) {
    const { id, tags } = row as { id?: unknown; tags?: unknown };
    if (typeof id === 'string') found.add(id.toLowerCase());
    if (typeof id !== 'string' || typeof tags !== 'object' || tags === null) continue;
    const own: Record<string, string> = {};
    for (const [k, v] of Object.entries(tags)) if (typeof v === 'string') own[k] = v;
    tagsById.set(id.toLowerCase(), own);
  }
  // Rules with a finding on a resource whose row could not be read: whether it is excluded is unknown.
  const onResources = new Set(inScope.filter(onResource).map((f) => f.ruleId));

  // Which retirements each failed source leaves unknown: only those that depend on it.
  const freeze: RetirementFreeze = {
    engineRules: [...input.engineRules],
    unknownRules: [...unknownRules],
    catalogFailed: catalogRows === undefined,
    snapshotRules: input.catalog.map((r) => r.id),
    recommendationsFailed: recommendationRows === undefined,
    manualRules: catalog.filter((r) => r.origin === 'Manual').map((r) => r.id),
    healthFailed: healthRows === undefined,
    trackedRules: catalog.filter((r) => r.trackingIds.length > 0).map((r) => r.id),
    tagsFailed: tagRows === undefined,
    onResourceRules: [...onResources],
    // Only a complete read says a resource is gone; a batch's ids are asked of that batch's subscriptions only.
    goneResources:
      tagRows === undefined ? [] : noticed.filter((id) => inBatches(id) && !found.has(id)),
  };
  const { frozen, keepUnseen, gone, tagsOf, excluded } = retirementScope(
    freeze,
    tagsById,
    ctx.filter?.excludeTags,
  );
  const bySubscription = new Map<string, Finding[]>();
  for (const f of inScope) {
    if (frozen(f.ruleId)) continue;
    if (excluded(f.resourceId)) continue;
    const key = f.subscriptionId.toLowerCase();
    const list = bySubscription.get(key);
    if (list) list.push(f);
    else bySubscription.set(key, [f]);
  }
  sources.push(...outcomes.flat());
  ctx.log('retirement sources read', {
    findings: result.findings.length,
    sources: sources.map((s) => `${s.source}:${s.outcome}`).join(','),
    notEvaluated: notEvaluated.length,
  });
  return {
    freeze,
    tags: tagsById,
    bySubscription,
    frozen,
    keepUnseen,
    gone,
    tagsOf,
    excluded,
    sources,
    notEvaluated,
    retirements: result.retirements,
  };
}

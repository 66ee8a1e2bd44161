// Retirements Microsoft tracks, as data: Advisor's retirement catalog (`microsoft.advisor/metadata`), its impacted
// resources (`microsoft.advisor/recommendations`) and Service Health retirement notices
// (`microsoft.resourcehealth/events` and their `impactedresources`). Pure: rows in, rules and findings out.
// Every field read here is listed, with the public page it comes from, in docs/retirements.md.
import type { Finding } from '../../core/finding.js';
import { urgencyOf, DEFAULT_THRESHOLDS, type UrgencyThresholds } from '../../core/urgency.js';
import { defineRule, notApplicable, type Rule } from '../define-rule.js';

export const ADVISOR_METADATA = 'microsoft.advisor/metadata';
export const ADVISOR_RECOMMENDATION = 'microsoft.advisor/recommendations';
export const HEALTH_EVENT = 'microsoft.resourcehealth/events';
export const HEALTH_IMPACTED = 'microsoft.resourcehealth/events/impactedresources';
export const RETIREMENT_SUBCATEGORY = 'ServiceUpgradeAndRetirement';
/** Rules of Service Health notices no catalog entry names: `retirement/health-<tracking id>`. */
export const HEALTH_RULE_PREFIX = 'retirement/health-';

/** The row types of the retirement sources, lower case. */
export const RETIREMENT_SOURCE_TYPES: readonly string[] = [
  ADVISOR_METADATA,
  ADVISOR_RECOMMENDATION,
  HEALTH_EVENT,
  HEALTH_IMPACTED,
];

export type RetirementOrigin = 'Automated' | 'Manual' | 'ServiceHealth';

/** One retirement of Microsoft's catalog (or of a Service Health notice), as the product keeps it. */
export interface DataRetirement {
  /** `retirement/<service>-<feature>`: stable while Microsoft keeps the service and feature names. */
  readonly id: string;
  readonly recommendationTypeId?: string | undefined;
  /** Short service name (the resource provider's namespace, e.g. `Network`), or Service Health's service. */
  readonly service: string;
  readonly feature: string;
  /** ISO date (YYYY-MM-DD). */
  readonly date: string;
  readonly link?: string | undefined;
  readonly trackingIds: readonly string[];
  readonly ashUrls: readonly string[];
  /** Lower-case resource type the retirement is about, when the catalog says. */
  readonly resourceType?: string | undefined;
  readonly origin: RetirementOrigin;
  /** Manual entries: the query Microsoft publishes to find the impacted resources. */
  readonly dataSourceQuery?: string | undefined;
}

type Rec = Record<string, unknown>;
const isRec = (v: unknown): v is Rec => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined =>
  typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined;
const at = (v: unknown, ...path: string[]): unknown => {
  let cur = v;
  for (const p of path) {
    if (!isRec(cur)) return undefined;
    cur = cur[p];
  }
  return cur;
};
const strings = (v: unknown): string[] =>
  Array.isArray(v) ? v.map(str).filter((s): s is string => s !== undefined) : [];
const eq = (a: string | undefined, b: string) => a?.toLowerCase() === b.toLowerCase();

/** `2027-09-30T00:00:00Z`, `2027-09-30`, `9/30/2027` → `2027-09-30`; anything else → undefined. */
export function isoDate(value: unknown): string | undefined {
  const s = str(value);
  if (!s) return undefined;
  const iso = /^(\d{4}-\d{2}-\d{2})/.exec(s);
  if (iso) return Number.isNaN(Date.parse(iso[1] as string)) ? undefined : iso[1];
  const us = /^(\d{1,2})\/(\d{1,2})\/(\d{4})/.exec(s);
  if (us)
    return `${us[3]}-${(us[1] as string).padStart(2, '0')}-${(us[2] as string).padStart(2, '0')}`;
  return undefined;
}

/** Empty, `N/A` and null features are upgrades, not retirements (Microsoft's own query leaves them out). */
export function retirementFeature(value: unknown): string | undefined {
  const s = str(value);
  return s && s.toLowerCase() !== 'n/a' && s.toLowerCase() !== 'null' ? s : undefined;
}

function kebab(text: string): string {
  return text
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

/** The stable rule id of a retirement: `retirement/<service>-<feature>`, at most 80 characters after the pack. */
export function retirementIdOf(service: string, feature: string): string {
  const s = kebab(service);
  let f = kebab(feature);
  // The feature often repeats the service ("Network: Basic public IP"): say it once.
  if (s && (f === s || f.startsWith(`${s}-`))) f = f.slice(s.length + 1);
  const name = [s, f].filter(Boolean).join('-').slice(0, 80).replace(/-+$/, '');
  return `retirement/${name || 'unnamed'}`;
}

/** `Microsoft.Network/publicIPAddresses` → `Network`; a resource id works too. */
export function serviceOfType(typeOrId: string | undefined): string | undefined {
  if (!typeOrId) return undefined;
  const m = /(?:^|\/providers\/)microsoft\.([a-z0-9]+)/i.exec(typeOrId);
  if (!m) return undefined;
  const ns = m[1] as string;
  return ns.charAt(0).toUpperCase() + ns.slice(1);
}

/** `…/providers/Microsoft.Cache/Redis/name` → `microsoft.cache/redis`. */
export function typeOfResourceId(id: string): string {
  const parts = id.split('/').filter(Boolean);
  const p = parts.map((x) => x.toLowerCase()).lastIndexOf('providers');
  if (p < 0) {
    if (parts.length === 2) return 'microsoft.resources/subscriptions';
    if (parts.length === 4) return 'microsoft.resources/subscriptions/resourcegroups';
    return 'unknown';
  }
  const ns = parts[p + 1] ?? '';
  const types: string[] = [];
  for (let i = p + 2; i < parts.length; i += 2) types.push(parts[i] ?? '');
  return [ns, ...types].join('/').toLowerCase();
}

/**
 * One English catalog entry of subcategory ServiceUpgradeAndRetirement, or why the row is not one.
 * Rows exist per language; only `en` rows are kept so that one retirement is one rule.
 */
export function retirementFromMetadata(row: unknown): DataRetirement | { skip: string } {
  if (!isRec(row) || !eq(str(row.type), ADVISOR_METADATA)) return { skip: 'not a metadata row' };
  const p = row.properties;
  const language = str(at(p, 'language'));
  if (language && !eq(language, 'en')) return { skip: `language ${language}` };
  const sub = str(at(p, 'recommendationSubCategory')) ?? str(at(p, 'subcategory'));
  if (!eq(sub, RETIREMENT_SUBCATEGORY)) return { skip: `subcategory ${sub ?? 'none'}` };
  const typeId = str(at(p, 'recommendationTypeId'));
  const sr = at(p, 'sourceProperties', 'serviceRetirement');
  const feature = retirementFeature(at(sr, 'retirementFeatureName'));
  const date = isoDate(at(sr, 'retirementDate'));
  if (!typeId) return { skip: 'no recommendationTypeId' };
  if (!feature) return { skip: `${typeId}: no retirement feature (an upgrade)` };
  if (!date) return { skip: `${typeId}: no retirement date` };
  const supported = str(at(p, 'supportedResourceType'));
  const resourceType = supported?.toLowerCase();
  // The namespace as Microsoft spells it (`ContainerService`, `DBforMySQL`); the id is lower case anyway.
  const service = serviceOfType(supported) ?? 'Azure';
  const ingestion = str(at(p, 'recommendationIngestionType'));
  return {
    id: retirementIdOf(service, feature),
    recommendationTypeId: typeId.toLowerCase(),
    service,
    feature,
    date,
    link: str(at(p, 'learnMoreLink')),
    trackingIds: strings(at(sr, 'serviceHealth', 'trackingIds')),
    ashUrls: strings(at(sr, 'serviceHealth', 'ashUrls')),
    resourceType,
    origin: eq(ingestion, 'Manual') ? 'Manual' : 'Automated',
    dataSourceQuery: str(at(p, 'recommendationDataSourceQuery')),
  };
}

/** The catalog entries of a list of rows (any other row is ignored), one per recommendation type. */
export function catalogOfRows(rows: readonly unknown[]): DataRetirement[] {
  const byType = new Map<string, DataRetirement>();
  for (const row of rows) {
    const r = retirementFromMetadata(row);
    if ('skip' in r) continue;
    byType.set(r.recommendationTypeId ?? r.id, r);
  }
  return [...byType.values()].sort((a, b) => a.id.localeCompare(b.id));
}

/** The doc page of a data-defined retirement, built from its metadata. */
export function retirementDoc(r: DataRetirement): string {
  const lines = [
    `# ${r.id}`,
    '',
    "**Severity:** warning · **Decides from:** Azure Advisor's and Service Health's records of the resource (never its properties)",
    '',
    '## Synopsis',
    '',
    `${r.service}: ${r.feature} retires on ${r.date}.`,
    '',
    '## Description',
    '',
    r.origin === 'ServiceHealth'
      ? 'Announced in a Service Health retirement notice. The finding is on each resource the notice lists, or on the subscription when it lists none.'
      : r.origin === 'Manual'
        ? "A Manual entry of Azure Advisor's retirement catalog: Advisor lists no resources for it. The scan runs Microsoft's query for it when the product accepts it (see docs/retirements.md); otherwise the retirement is listed as not evaluated."
        : "An entry of Azure Advisor's retirement catalog: the finding is on each resource Advisor reports as impacted.",
    '',
    `- Service: ${r.service}`,
    `- Feature: ${r.feature}`,
    `- Retirement date: ${r.date}`,
    ...(r.resourceType ? [`- Resource type: \`${r.resourceType}\``] : []),
    ...(r.recommendationTypeId
      ? [`- Advisor recommendation type: \`${r.recommendationTypeId}\``]
      : []),
    ...(r.trackingIds.length ? [`- Service Health tracking id: ${r.trackingIds.join(', ')}`] : []),
    `- Source: ${r.origin === 'ServiceHealth' ? 'Service Health' : `Azure Advisor (${r.origin})`}`,
    '',
    '## Recommendation',
    '',
    `Migrate or remove the affected resources before ${r.date}, following Microsoft's guidance.`,
    '',
    '## Links',
    '',
    ...(r.link ? [`- [Microsoft's announcement](${r.link})`] : []),
    ...r.ashUrls.map((u) => `- [Service Health](${u})`),
    '',
  ];
  return lines.join('\n');
}

/** The rule of a data-defined retirement: its findings come from the retirement sources, not from the engine. */
export function dataRetirementRule(r: DataRetirement): Rule {
  const rule = defineRule({
    id: r.id,
    title: `${r.service}: ${r.feature} retires`,
    severity: 'warning',
    // Decided by Advisor and Service Health rows, never by the engine's per-row loop.
    appliesTo: [],
    recommendation: `Migrate or remove this resource before ${r.date}.${r.link ? ` See ${r.link}.` : ''}`,
    links: [r.link, ...r.ashUrls].filter((l): l is string => l !== undefined),
    deadline: r.date,
    // Not decided from the row's properties: the retirement sources name the resources.
    typeOnly: true,
    evaluate: () => notApplicable('decided by the retirement sources'),
  });
  return Object.freeze({
    ...rule,
    docMarkdown: retirementDoc(r),
    retirement: { service: r.service, feature: r.feature, origin: r.origin, link: r.link },
  });
}

// ------------------------------------------------------------------------------------------------
// Findings

/** An impacted resource as an Advisor recommendation row reports it, after Microsoft's filters. */
export interface AdvisorHit {
  readonly recommendationTypeId: string;
  readonly resourceId: string;
  readonly subscriptionId: string;
  readonly feature: string;
  readonly date: string;
}

/**
 * Reads one recommendation row. Kept: subcategory ServiceUpgradeAndRetirement, `tracked` empty, not remediated
 * (`platformState` absent or `New`), a retirement feature (not an upgrade) and a date. The reason otherwise.
 */
export function advisorHit(row: unknown): AdvisorHit | { skip: string } {
  if (!isRec(row) || !eq(str(row.type), ADVISOR_RECOMMENDATION))
    return { skip: 'not a recommendation' };
  const p = row.properties;
  const ext = at(p, 'extendedProperties');
  if (!eq(str(at(ext, 'recommendationSubCategory')), RETIREMENT_SUBCATEGORY))
    return { skip: 'not a retirement recommendation' };
  const tracked = at(p, 'tracked');
  if (tracked !== undefined && tracked !== null && tracked !== '') return { skip: 'tracked' };
  const state = str(at(p, 'platformState'));
  if (state && !eq(state, 'New')) return { skip: `platformState ${state}` };
  const feature = retirementFeature(at(ext, 'retirementFeatureName'));
  if (!feature) return { skip: 'an upgrade, not a retirement' };
  const date = isoDate(at(ext, 'retirementDate'));
  const typeId = str(at(p, 'recommendationTypeId'));
  const resourceId = str(at(p, 'resourceMetadata', 'resourceId'));
  if (!date || !typeId || !resourceId) return { skip: 'no date, type or resource' };
  const subscriptionId =
    /^\/subscriptions\/([^/]+)/i.exec(resourceId)?.[1] ?? str(row.subscriptionId) ?? '';
  return { recommendationTypeId: typeId.toLowerCase(), resourceId, subscriptionId, feature, date };
}

/** A Service Health retirement notice. */
export interface HealthNotice {
  readonly trackingId: string;
  readonly subscriptionId: string;
  readonly title: string;
  readonly summary: string;
  readonly status: string;
  readonly date: string;
  readonly services: readonly string[];
}

export function healthNotice(row: unknown): HealthNotice | { skip: string } {
  if (!isRec(row) || !eq(str(row.type), HEALTH_EVENT)) return { skip: 'not an event' };
  const p = row.properties;
  if (!eq(str(at(p, 'EventType')), 'HealthAdvisory')) return { skip: 'not a health advisory' };
  if (!eq(str(at(p, 'EventSubType')), 'Retirement')) return { skip: 'not a retirement' };
  const trackingId = str(at(p, 'TrackingId')) ?? str(row.name);
  const date = isoDate(at(p, 'ImpactMitigationTime'));
  const subscriptionId =
    str(row.subscriptionId) ?? /^\/subscriptions\/([^/]+)/i.exec(str(row.id) ?? '')?.[1];
  if (!trackingId || !date || !subscriptionId)
    return { skip: 'no tracking id, date or subscription' };
  const impact = at(p, 'Impact');
  return {
    trackingId,
    subscriptionId,
    title: str(at(p, 'Title')) ?? trackingId,
    summary: str(at(p, 'Summary')) ?? '',
    status: str(at(p, 'Status')) ?? '',
    date,
    services: Array.isArray(impact)
      ? impact.map((i) => str(at(i, 'ImpactedService'))).filter((s): s is string => !!s)
      : [],
  };
}

/** A resource a notice lists: `…/events/{trackingId}/impactedResources/{id}` with `properties.targetResourceId`. */
export function healthImpact(
  row: unknown,
): { trackingId: string; resourceId: string; subscriptionId: string } | { skip: string } {
  if (!isRec(row) || !eq(str(row.type), HEALTH_IMPACTED))
    return { skip: 'not an impacted resource' };
  const resourceId = str(at(row.properties, 'targetResourceId'));
  const trackingId = /\/events\/([^/]+)\/impactedresources\//i.exec(str(row.id) ?? '')?.[1];
  if (!resourceId || !trackingId) return { skip: 'no target resource or tracking id' };
  const subscriptionId =
    /^\/subscriptions\/([^/]+)/i.exec(resourceId)?.[1] ?? str(row.subscriptionId) ?? '';
  return { trackingId, resourceId, subscriptionId };
}

/** The rule of a notice no catalog entry names (its tracking id is the stable part). */
export function retirementOfNotice(n: HealthNotice): DataRetirement {
  return {
    id: `${HEALTH_RULE_PREFIX}${kebab(n.trackingId)}`,
    service: n.services[0] ?? 'Azure',
    feature: n.title,
    date: n.date,
    link: undefined,
    trackingIds: [n.trackingId],
    ashUrls: [],
    origin: 'ServiceHealth',
  };
}

export interface RetirementSourcesInput {
  /** The catalog: the built-in snapshot, with what the scan read of `microsoft.advisor/metadata` over it. */
  readonly catalog: readonly DataRetirement[];
  readonly recommendations: readonly AdvisorHit[];
  readonly notices: readonly HealthNotice[];
  readonly impacted: readonly { trackingId: string; resourceId: string; subscriptionId: string }[];
  /** Resources found by Manual entries' queries, by retirement id. */
  readonly manual?: ReadonlyMap<string, readonly { id: string; subscriptionId: string }[]>;
  /**
   * Hand-written retirements that claim an Advisor recommendation type (catalog.json `advisorTypeIds`),
   * with the resource types they decide on: those resources' rows are read and judged by the hand-written rule.
   */
  readonly claimed?: ReadonlyMap<string, { ruleId: string; types: readonly string[] }>;
  readonly now: Date;
  readonly thresholds?: UrgencyThresholds;
}

export interface RetirementSourcesResult {
  readonly findings: Finding[];
  /** Every data-defined retirement findings were made for (catalog entries, rec-only types, notices). */
  readonly retirements: DataRetirement[];
}

function nameOf(id: string): string {
  return id.split('/').filter(Boolean).pop() ?? id;
}
function groupOf(id: string): string {
  return /\/resourcegroups\/([^/]+)/i.exec(id)?.[1] ?? '';
}

/**
 * One finding per resource and retirement, whichever sources report it (Advisor, a Service Health impacted
 * resource, a Manual entry's query). A recommendation row alone is enough: its feature and date make the
 * retirement when the catalog does not know its type. A notice with no impacted resources is one finding on
 * the subscription ("announced for your subscription").
 */
export function retirementFindings(input: RetirementSourcesInput): RetirementSourcesResult {
  const thresholds = input.thresholds ?? DEFAULT_THRESHOLDS;
  const byType = new Map<string, DataRetirement>();
  const byTracking = new Map<string, DataRetirement>();
  for (const r of input.catalog) {
    if (r.recommendationTypeId) byType.set(r.recommendationTypeId, r);
    for (const t of r.trackingIds) byTracking.set(t.toLowerCase(), r);
  }
  const used = new Map<string, DataRetirement>();
  const findings = new Map<string, Finding>();
  const add = (r: DataRetirement, resourceId: string, subscriptionId: string, message: string) => {
    const key = `${r.id}|${resourceId.toLowerCase()}`;
    if (findings.has(key)) return;
    used.set(r.id, r);
    findings.set(key, {
      ruleId: r.id,
      severity: 'warning',
      resourceId,
      resourceName: nameOf(resourceId),
      resourceType: typeOfResourceId(resourceId),
      subscriptionId,
      resourceGroup: groupOf(resourceId),
      message,
      deadline: r.date,
      urgency: urgencyOf(r.date, input.now, thresholds),
    });
  };
  for (const hit of input.recommendations) {
    const claim = input.claimed?.get(hit.recommendationTypeId);
    // A hand-written retirement reads these resources itself and wins: its selector is checked on the
    // resource's own row, its id and date are curated. Advisor's report of the same resource adds nothing.
    if (claim && claim.types.includes(typeOfResourceId(hit.resourceId))) continue;
    const known = byType.get(hit.recommendationTypeId);
    const r: DataRetirement = known ?? {
      id: retirementIdOf(serviceOfType(hit.resourceId) ?? 'Azure', hit.feature),
      recommendationTypeId: hit.recommendationTypeId,
      service: serviceOfType(hit.resourceId) ?? 'Azure',
      feature: hit.feature,
      date: hit.date,
      trackingIds: [],
      ashUrls: [],
      resourceType: typeOfResourceId(hit.resourceId),
      origin: 'Automated',
    };
    add(
      r,
      hit.resourceId,
      hit.subscriptionId,
      `${r.service}: ${r.feature} retires on ${r.date} (Azure Advisor).`,
    );
  }
  for (const [id, resources] of input.manual ?? []) {
    const r = input.catalog.find((c) => c.id === id);
    if (!r) continue;
    for (const res of resources)
      add(
        r,
        res.id,
        res.subscriptionId,
        `${r.service}: ${r.feature} retires on ${r.date} (Microsoft's query for this retirement).`,
      );
  }
  const listed = new Set<string>();
  const notices = new Map(
    input.notices.map((n) => [`${n.subscriptionId}|${n.trackingId}`.toLowerCase(), n]),
  );
  for (const imp of input.impacted) {
    const notice =
      notices.get(`${imp.subscriptionId}|${imp.trackingId}`.toLowerCase()) ??
      input.notices.find((n) => eq(n.trackingId, imp.trackingId));
    if (!notice) continue;
    listed.add(`${notice.subscriptionId}|${notice.trackingId}`.toLowerCase());
    const r = byTracking.get(notice.trackingId.toLowerCase()) ?? retirementOfNotice(notice);
    add(
      r,
      imp.resourceId,
      imp.subscriptionId,
      `${r.service}: ${r.feature} retires on ${r.date} (Service Health ${notice.trackingId}).`,
    );
  }
  for (const notice of input.notices) {
    if (listed.has(`${notice.subscriptionId}|${notice.trackingId}`.toLowerCase())) continue;
    const r = byTracking.get(notice.trackingId.toLowerCase()) ?? retirementOfNotice(notice);
    add(
      r,
      `/subscriptions/${notice.subscriptionId}`,
      notice.subscriptionId,
      `Announced for your subscription: ${notice.title} (Service Health ${notice.trackingId}, ${notice.date}).`,
    );
  }
  return {
    findings: [...findings.values()],
    retirements: [...used.values()].sort((a, b) => a.id.localeCompare(b.id)),
  };
}

// ------------------------------------------------------------------------------------------------
// Manual entries

export type ManualQuery =
  | { readonly ok: true; readonly table: 'resources' | 'resourcecontainers'; readonly kql: string }
  | { readonly ok: false; readonly reason: string };

/**
 * Whether a Manual entry's `recommendationDataSourceQuery` is one the product runs: a single read-only query
 * over `resources` or `resourcecontainers` that projects the resource id. Anything else is "not evaluated".
 */
export function acceptManualQuery(query: string | undefined): ManualQuery {
  const q = (query ?? '').trim();
  if (!q) return { ok: false, reason: 'Microsoft publishes no query for it' };
  const code = q.replace(/'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"/g, "''").replace(/\/\/[^\n]*/g, '');
  if (/;/.test(code.replace(/;\s*$/, ''))) return { ok: false, reason: 'more than one statement' };
  const table = /^\s*(resources|resourcecontainers)\b/i.exec(code)?.[1]?.toLowerCase();
  if (!table) return { ok: false, reason: 'not a query over resources or resourcecontainers' };
  const banned =
    /\b(join|union|lookup|let|evaluate|externaldata|invoke|materialize|facet|fork)\b|^\s*\./im.exec(
      code,
    );
  if (banned)
    return { ok: false, reason: `uses "${banned[0].trim()}" (only one table, read-only)` };
  const pipes = code.split('|');
  const last = (pipes[pipes.length - 1] ?? '').trim();
  const project = /^project\s+(.*)$/is.exec(last)?.[1];
  if (!project || !project.split(',').some((c) => /^\s*id\s*$/i.test(c)))
    return { ok: false, reason: 'does not end by projecting the resource id' };
  return {
    ok: true,
    table: table as 'resources' | 'resourcecontainers',
    kql: q.replace(/;\s*$/, ''),
  };
}

/** Why an accepted Manual query is not evaluated offline. */
export const OFFLINE_MANUAL_REASON =
  "Microsoft's query runs only in a live scan (it needs Resource Graph); an export holds no answer to it";

/**
 * The Manual entries of a catalog a scan cannot decide, with the reason: those whose query the product does not
 * accept, and, offline, also those whose query it would run live. `skip`: rule ids decided otherwise (the engine's).
 */
export function manualNotEvaluated(
  catalog: readonly DataRetirement[],
  options: { readonly offline: boolean; readonly skip?: ReadonlySet<string> },
): { ruleId: string; reason: string }[] {
  const out: { ruleId: string; reason: string }[] = [];
  for (const entry of catalog) {
    if (entry.origin !== 'Manual' || options.skip?.has(entry.id)) continue;
    const accepted = acceptManualQuery(entry.dataSourceQuery);
    if (!accepted.ok) out.push({ ruleId: entry.id, reason: accepted.reason });
    else if (options.offline) out.push({ ruleId: entry.id, reason: OFFLINE_MANUAL_REASON });
  }
  return out;
}
